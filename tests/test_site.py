"""The website as a reader meets it: built, served on 127.0.0.1, opened in a real browser.

The site is built as `make book` builds it (incrementally, warnings are
errors), served from _build/html by a local HTTP server, and every page is
opened in headless Chromium (Debian's `chromium`, driven by Playwright; no
browser is downloaded). For each page: no JavaScript console error, no failed
or external request (the site must work offline), every image loaded and has
alt text, no raw TeX left (MathJax rendered every formula), headings in order,
readable text in light and dark mode, and Colab/Binder launch links that point
at the page's own notebook in the repository of _config.yml. From the landing
page, links reach every chapter. Screenshots of each page (the whole page in
light mode, the first screen in dark mode) go to artifacts/screenshots/ (CI
keeps artifacts/), timings and page weights to artifacts/site-report.json.

Every page also reads at the site's width (no code block scrolls sideways in
a 1280-pixel window, folded cells included) and weighs at most 6 MB with all
it loads. On each chapter page with an explorer (helpers.interactive.explore),
every playable control is moved through every position with the keyboard and
then with the mouse: the figure must change, each position must show the
frame drawn for it, with alt text and readout naming the value, and each
explorer must weigh at most 1.5 MB (artifacts/explorers-report.json).

Without Chromium the browser tests skip, saying so (`pytest -ra` lists it);
`.ci/run` installs it.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
ARTIFACTS = ROOT / "artifacts"
SHOTS = ARTIFACTS / "screenshots"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
REPO = CONFIG["repository"]
REPO_URL = REPO["url"].rstrip("/")
GITHUB = REPO_URL.removeprefix("https://github.com/")
BRANCH = REPO.get("branch", "main")
BOOK_PATH = (REPO.get("path_to_book") or "").strip("/")
COLAB = CONFIG["launch_buttons"]["colab_url"].rstrip("/")
BINDER = CONFIG["launch_buttons"]["binderhub_url"].rstrip("/")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--disable-extensions", "--no-first-run",
                 "--disable-component-update", "--disable-default-apps", "--mute-audio"]


def toc_docs(node) -> list[str]:
    if isinstance(node, dict):
        found = [node["file"]] if "file" in node else []
        return found + [f for v in node.values() for f in toc_docs(v)]
    if isinstance(node, list):
        return [f for item in node for f in toc_docs(item)]
    return []


DOCS = [TOC["root"]] + toc_docs(TOC)                  # every page of the book, in order
CHAPTERS = [d for d in DOCS if (ROOT / f"{d}.ipynb").is_file()]
PAGES = [f"{d}.html" for d in DOCS] + ["genindex.html", "search.html"]


def notebook_path(page: str) -> str:
    return "/".join(filter(None, [BOOK_PATH, page.removesuffix(".html") + ".ipynb"]))


def colab_link(page: str) -> str:
    return f"{COLAB}/github/{GITHUB}/blob/{BRANCH}/{notebook_path(page)}"


def find_chromium() -> str | None:
    for candidate in (os.environ.get("BOOK_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


# --------------------------------------------------------------------------- the build

@pytest.fixture(scope="session")
def site():
    """Build the site as `make book` does; Sphinx rebuilds only what changed."""
    jb = Path(sys.executable).with_name("jupyter-book")
    start = time.perf_counter()
    run = subprocess.run([str(jb), "build", ".", "-W", "-n", "--keep-going"], cwd=ROOT,
                         capture_output=True, text=True)
    log = run.stdout + run.stderr
    warnings = [line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]
    if run.returncode != 0 or warnings:
        pytest.fail("the site does not build cleanly (make book):\n"
                    + "\n".join(warnings[:30] or log.splitlines()[-30:]), pytrace=False)
    seconds = time.perf_counter() - start
    # `make book` also prints the book to PDF, which the landing page links.
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import make_pdf
    finally:
        sys.path.remove(str(ROOT / "tools"))
    if make_pdf.find_chromium():
        make_pdf.ensure()
    return {"seconds": seconds}


def test_site_builds_without_warnings(site):
    assert (HTML / "index.html").is_file()


def test_every_built_page_is_visited(site):
    built = {p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
             if not p.relative_to(HTML).parts[0].startswith(("_", "."))}
    assert built - {"index.html"} == set(PAGES), (
        "the built pages and the table of contents differ (a stale page of a renamed "
        "chapter? `make clean` removes _build)")


def test_pages_reference_nothing_outside_the_site(site):
    """Scripts, styles, fonts and images come from the site itself: it works offline."""
    pattern = re.compile(r'<(?:script|link|img|iframe|source)\b[^>]*?\b(?:src|href)="((?:https?:)?//[^"]+)"')
    for page in PAGES:
        html = (HTML / page).read_text()
        external = [u for u in pattern.findall(html)
                    if not re.search(r'rel="(canonical|alternate)"', u)]
        assert not external, f"{page} loads {external}"
    for css in (HTML / "_static").rglob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", css.read_text()), f"{css} loads a URL"


def test_mathjax_is_served_by_the_site(site):
    assert (HTML / "_static" / "mathjax" / "tex-mml-chtml.js").is_file()
    assert any((HTML / "_static" / "mathjax" / "output" / "chtml" / "fonts").rglob("*.woff"))


def test_landing_page_redirect(site):
    html = (HTML / "index.html").read_text()
    assert f'url={TOC["root"]}.html' in html


# --------------------------------------------------------------------------- the browser

class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    handler = functools.partial(_Quiet, directory=str(HTML))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


# Collected in the page after load, MathJax typesetting and web fonts: the facts
# the tests below judge. `contrast` lists text whose WCAG contrast ratio with
# its background is below 4.5 (3 for large text).
FACTS_JS = r"""
async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
  await document.fonts.ready;
  const article = document.querySelector("article.bd-article") || document.body;
  const skip = "pre, code, script, style, mjx-container, .highlight, textarea, kbd, .MathJax";
  const clone = article.cloneNode(true);
  clone.querySelectorAll(skip).forEach(e => e.remove());
  const prose = clone.textContent;
  const raw = [];
  for (const re of [/\$\$[^$]+\$\$/g, /\$[^$\n]{0,80}?[\\^_{}][^$\n]{0,80}?\$/g,
                    /\\[(\[][\s\S]{0,80}?\\[)\]]/g,
                    /\\(frac|sum|mathbf|partial|cdot|times|begin|left|right|sqrt)\b/g])
    for (const m of prose.matchAll(re)) raw.push(m[0].slice(0, 80));
  const images = [...document.images].map(i => ({
    src: i.getAttribute("src"), alt: i.getAttribute("alt"), width: i.naturalWidth,
    complete: i.complete, inArticle: article.contains(i)}));
  const math = [...article.querySelectorAll(".math")];
  const headings = [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")].map(h => ({
    level: +h.tagName[1], text: h.textContent.replace(/[#¶]\s*$/, "").trim().slice(0, 60)}));
  const links = [...document.querySelectorAll("a[href]")].map(a => a.href);
  const sidebar = [...document.querySelectorAll("nav.bd-docs-nav a[href]")].map(a => a.href);
  // Code that scrolls sideways at this width: every <pre> of the article,
  // folded cells (solutions, setup) opened to measure them too.
  const closed = [...article.querySelectorAll("details:not([open])")];
  closed.forEach(d => { d.open = true; });
  const wide = [...article.querySelectorAll("pre")]
    .filter(p => p.getClientRects().length && p.scrollWidth > p.clientWidth)
    .map(p => `${p.scrollWidth} > ${p.clientWidth} px: ` + p.textContent.split("\n")
      .reduce((a, b) => (b.length > a.length ? b : a), "").slice(0, 100));
  closed.forEach(d => { d.open = false; });
  return {
    title: document.title, lang: document.documentElement.lang,
    theme: document.documentElement.dataset.theme,
    raw, images, headings, links, sidebar, wide,
    math: math.length,
    unrendered: math.filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.slice(0, 80)),
    mjx: document.querySelectorAll("mjx-container").length,
    mathErrors: [...document.querySelectorAll("mjx-merror")].map(e => e.textContent.slice(0, 80)),
    contrast: lowContrast(article),
  };

  function lowContrast(root) {
    const rgba = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
    const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3])).concat(1);
    const background = el => {
      const layers = [];
      for (let e = el; e; e = e.parentElement) {
        const c = rgba(getComputedStyle(e).backgroundColor);
        if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
      }
      let bg = layers.length && layers[layers.length - 1][3] >= 1 ? layers.pop() : [255, 255, 255, 1];
      while (layers.length) bg = over(layers.pop(), bg);
      return bg;
    };
    const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
    const bad = [];
    for (const el of root.querySelectorAll("*")) {
      if (el.closest("mjx-container, svg, .visually-hidden, .sr-only")) continue;
      const text = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join("").trim();
      if (!text || !el.getClientRects().length) continue;
      const style = getComputedStyle(el);
      if (style.visibility === "hidden" || +style.opacity === 0) continue;
      const bg = background(el);
      const fg = over(rgba(style.color), bg);
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      const ratio = (a + 0.05) / (b + 0.05);
      const size = parseFloat(style.fontSize), bold = +style.fontWeight >= 700;
      const needed = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
      if (ratio < needed) bad.push(`${ratio.toFixed(2)} < ${needed}: <${el.tagName.toLowerCase()}> "${text.slice(0, 40)}" (${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
    }
    return bad;
  }
}
"""


def _same_site(url: str, base: str) -> bool:
    return url.startswith(base)


@pytest.fixture(scope="session")
def visits(site, server):
    """Open every page once, in light then dark mode, and collect what the tests judge."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("browser tests need Chromium: no `chromium` on PATH or /usr/bin/chromium "
                    "(Debian: apt-get install chromium; .ci/run installs it), "
                    "or set BOOK_CHROMIUM to a Chromium binary")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="browser tests need Playwright (pip install -r requirements.txt)")
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    results, start = {}, time.perf_counter()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
        external: list[str] = []

        loaded: list[str] = []

        def route(r):  # the network is the site: anything else is recorded and refused
            if _same_site(r.request.url, server) or r.request.url.startswith(("data:", "blob:")):
                if _same_site(r.request.url, server):
                    loaded.append(r.request.url)
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        events: list[str] = []
        page.on("console", lambda m: m.type == "error" and events.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: events.append(f"uncaught exception: {e}"))
        page.on("requestfailed", lambda r: _same_site(r.url, server)
                and events.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400
                and events.append(f"HTTP {r.status}: {r.url}"))
        for name in PAGES:
            t0 = time.perf_counter()
            events.clear()
            external.clear()
            page.emulate_media(color_scheme="light")
            page.goto(server + name, wait_until="load")
            facts = page.evaluate(FACTS_JS)
            facts["bytes"] = page_weight(loaded, server)
            loaded.clear()
            # The whole page ...
            shot = SHOTS / name.replace("/", "__").replace(".html", "")
            page.screenshot(path=f"{shot}.png", full_page=True)
            # ... then the reader's system switches to dark: the theme (default_mode:
            # auto) follows. Contrast is checked on the whole page, the screenshot
            # shows the first screen.
            page.emulate_media(color_scheme="dark")
            page.wait_for_function("document.documentElement.dataset.theme === 'dark'", timeout=5000)
            dark = page.evaluate(FACTS_JS)
            page.screenshot(path=f"{shot}-dark.png")
            results[name] = {**facts, "dark_contrast": dark["contrast"], "dark_theme": dark["theme"],
                             "events": list(events), "external": list(external),
                             "seconds": round(time.perf_counter() - t0, 2)}
        # The landing page's redirect lands on the root document.
        page.goto(server + "index.html", wait_until="load")
        page.wait_for_url(f"**/{TOC['root']}.html", timeout=5000)
        browser.close()
    seconds = time.perf_counter() - start
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "site-report.json").write_text(json.dumps(
        {"build_seconds": round(site["seconds"], 1), "browser_seconds": round(seconds, 1),
         "pages": {k: {"seconds": v["seconds"], "bytes": v["bytes"], "events": v["events"],
                       "external": v["external"]}
                   for k, v in results.items()}}, indent=1))
    return results


def page_weight(urls: list[str], base: str) -> int:
    """Bytes of the page and of everything it loaded (no cache: routing is on)."""
    total = 0
    for url in set(urls):
        path = unquote(urlsplit(url).path)[1:] or "index.html"
        if (HTML / path).is_file():
            total += (HTML / path).stat().st_size
    return total


MAX_PAGE_BYTES = 6_000_000       # a chapter page with everything it loads
MAX_EXPLORER_BYTES = 1_500_000   # one explorer (helpers.interactive)


def page_problems(name: str, f: dict, base: str) -> list[str]:
    problems = []
    problems += f["events"]
    # Reads at the site's width: no code block scrolls sideways.
    problems += [f"code block scrolls sideways at 1280 px: {w}" for w in f["wide"]]
    if f["bytes"] > MAX_PAGE_BYTES:
        problems.append(f"the page weighs {f['bytes'] / 1e6:.2f} MB with what it loads, "
                        f"over {MAX_PAGE_BYTES / 1e6:.0f} MB")
    problems += [f"external request (the site must work offline): {u}" for u in f["external"]]
    if not f["title"].strip():
        problems.append("no <title>")
    if not f["lang"]:
        problems.append("<html> has no lang attribute")
    for img in f["images"]:
        if not img["complete"] or img["width"] == 0:
            problems.append(f"image not loaded: {img['src']}")
        if img["inArticle"] and not (img["alt"] or "").strip():
            problems.append(f"image without alt text: {img['src']} (code-made figures: cell metadata "
                            "mystnb.image.alt; markdown images: ![alt](...))")
    problems += [f"raw TeX left in the page: {r!r}" for r in f["raw"]]
    problems += [f"formula not rendered by MathJax: {m!r}" for m in f["unrendered"]]
    problems += [f"MathJax error: {m!r}" for m in f["mathErrors"]]
    if f["math"] and not f["mjx"]:
        problems.append("the page has math but MathJax rendered none")
    levels = [h["level"] for h in f["headings"]]
    if name not in ("genindex.html", "search.html"):
        if levels[:1] != [1] or levels.count(1) != 1:
            problems.append(f"the page should have exactly one h1, first: {f['headings'][:3]}")
        for prev, h in zip(f["headings"], f["headings"][1:]):
            if h["level"] > prev["level"] + 1:
                problems.append(f"heading level skipped: h{prev['level']} {prev['text']!r} "
                                f"then h{h['level']} {h['text']!r}")
    problems += [f"low contrast (light): {c}" for c in f["contrast"][:5]]
    if f["dark_theme"] != "dark":
        problems.append("the theme did not follow the reader's dark mode")
    problems += [f"low contrast (dark): {c}" for c in f["dark_contrast"][:5]]
    # Launch links: Colab and Binder open this page's own notebook.
    colab = [u for u in f["links"] if u.startswith(COLAB)]
    binder = [u for u in f["links"] if u.startswith(BINDER)]
    if name.removesuffix(".html") in CHAPTERS:
        if not colab:
            problems.append("no Colab launch link")
        problems += [f"Colab link {u} should be {colab_link(name)}" for u in colab if u != colab_link(name)]
        binder_prefix = f"{BINDER}/v2/gh/{GITHUB}/{BRANCH}?"
        problems += [f"Binder link {u} should open {notebook_path(name)} at {binder_prefix}"
                     for u in binder if not (u.startswith(binder_prefix) and u.endswith(notebook_path(name)))]
    else:
        problems += [f"launch link on a page that is not a notebook: {u}" for u in colab + binder]
    # Links inside the site point at files that exist.
    for url in f["links"]:
        if url.startswith(base):
            path = unquote(urlsplit(url).path)[1:] or "index.html"
            if path.endswith("/"):
                path += "index.html"
            if not (HTML / path).exists():
                problems.append(f"broken link: {url}")
    return problems


@pytest.mark.parametrize("name", PAGES)
def test_page_in_browser(visits, server, name):
    problems = page_problems(name, visits[name], server)
    assert not problems, f"{name}: {len(problems)} problem(s):\n" + "\n".join(problems)


def test_navigation_reaches_every_chapter(visits, server):
    """From the landing page, following links, a reader reaches every page of the
    table of contents; every page's sidebar lists them all."""
    def page_of(url):
        return unquote(urlsplit(url).path)[1:].split("#")[0] if url.startswith(server) else None

    reached, todo = set(), [f"{TOC['root']}.html"]
    while todo:
        name = todo.pop()
        if name in reached or name not in visits:
            continue
        reached.add(name)
        todo += [p for p in map(page_of, visits[name]["links"]) if p]
    missing = [f"{d}.html" for d in DOCS if f"{d}.html" not in reached]
    assert not missing, f"not reachable from the landing page: {missing}"
    for name in PAGES:
        listed = {page_of(u) for u in visits[name]["sidebar"]}
        absent = [f"{d}.html" for d in DOCS[1:] if f"{d}.html" not in listed]
        assert not absent, f"the sidebar of {name} does not list {absent}"


# --------------------------------------------------------------------------- explorers

# The state of one explorer (div.book-explorer, helpers.interactive): the
# position of each control, and whether the figure, its alt text and the
# printed text are the frame drawn for that position.
EXPLORER_STATE_JS = r"""
(r) => {
  const data = JSON.parse(r.querySelector(".book-explorer-data").textContent);
  const img = r.querySelector("img.book-explorer-figure");
  const pre = r.querySelector("pre.book-explorer-text");
  const els = [...r.querySelectorAll("[data-control]")];
  const idx = els.map(e => e.type === "checkbox" ? (e.checked ? 1 : 0) : +e.value);
  const f = data.frames[idx.join(",")];
  const want = f[0] < 0 ? "" : (data.images[f[0]] || r.dataset.first);
  const src = img.hidden ? "" : img.getAttribute("src");
  const mid = Math.floor(src.length / 2);
  return {
    idx, alt: img.alt,
    right: src === want && img.alt === f[1] && pre.textContent === f[2],
    figure: `${src.length}:${src.slice(mid, mid + 80)}:${pre.textContent}`,
    outputs: els.map(e => { const o = r.querySelector(`output[for='${e.id}']`);
                            return o ? o.textContent : null; }),
    aria: els.map(e => e.getAttribute("aria-valuetext")),
  };
}
"""


def play_explorer(page, root) -> dict:
    """Move every control of one explorer through every position, with the
    keyboard, then with the mouse; return what was seen and what was wrong."""
    root.evaluate("r => { r.dataset.first = r.querySelector('img').getAttribute('src'); }")
    labels = root.evaluate(
        "r => JSON.parse(r.querySelector('.book-explorer-data').textContent).labels")
    controls = root.locator("[data-control]")
    problems, names, moves = [], [], 0
    start = root.evaluate(EXPLORER_STATE_JS)
    if not start["right"]:
        problems.append(f"the page opens on the wrong frame: {start['alt']!r}")
    for c in range(controls.count()):
        el = controls.nth(c)
        cid, kind = el.get_attribute("id"), el.evaluate("e => e.type")
        name = root.locator(f"label[for='{cid}']").inner_text().strip()
        names.append(name)
        if not name or root.get_by_label(name, exact=True).count() != 1:
            problems.append(f"control {c} ({kind}) has no label of its own: {name!r}")
        n, default = len(labels[c]), start["idx"][c]
        figures = set()

        def check(k, how):
            nonlocal moves
            moves += 1
            s = root.evaluate(EXPLORER_STATE_JS)
            figures.add(s["figure"])
            value = labels[c][k]
            if s["idx"][c] != k:
                problems.append(f"{name} ({how}): at position {s['idx'][c]}, expected {k}")
            elif not s["right"]:
                problems.append(f"{name} = {value} ({how}): not the frame drawn for it")
            if f"{name} = {value}" not in s["alt"]:
                problems.append(f"{name} = {value} ({how}): the alt text does not name it: "
                                f"{s['alt']!r}")
            if kind == "range" and (s["outputs"][c], s["aria"][c]) != (value, value):
                problems.append(f"{name} = {value} ({how}): the readout says "
                                f"{s['outputs'][c]!r}, aria-valuetext {s['aria'][c]!r}")

        # The keyboard: focus the control and step through every position.
        el.focus()
        if kind == "range":
            page.keyboard.press("Home")
            check(0, "Home")
            for k in range(1, n):
                page.keyboard.press("ArrowRight")
                check(k, "ArrowRight")
        elif kind == "checkbox":
            for k in (1 - default, default):
                page.keyboard.press("Space")
                check(k, "Space")
        else:
            for _ in range(n):
                page.keyboard.press("ArrowUp")
            check(0, "ArrowUp")
            for k in range(1, n):
                page.keyboard.press("ArrowDown")
                check(k, "ArrowDown")
        # The mouse: the ends of a slider's track, a click on a checkbox; a
        # <select>'s list is the browser's own popup: choose by its options.
        if kind == "range":
            box = el.bounding_box()
            page.mouse.click(box["x"] + 1, box["y"] + box["height"] / 2)
            check(0, "click at the left end")
            page.mouse.click(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)
            check(n - 1, "click at the right end")
        elif kind == "checkbox":
            for k in (1 - default, default):
                el.click()
                check(k, "click")
        else:
            for k in range(n):
                el.select_option(index=k)
                check(k, "choose")
        if len(figures) < 2:
            problems.append(f"moving {name} never changed the figure")
        # back to the default, so that the next control moves from there
        el.evaluate("(e, k) => { if (e.type === 'checkbox') e.checked = !!k; else e.value = k;"
                    " e.dispatchEvent(new Event('input')); }", default)
    if root.evaluate(EXPLORER_STATE_JS)["idx"] != start["idx"]:
        problems.append("the controls did not return to their defaults")
    return {"controls": names, "positions": [len(x) for x in labels], "moves": moves,
            "bytes": len(root.evaluate("r => r.outerHTML").encode()), "problems": problems}


def calls_explore(doc: str) -> bool:
    nb = json.loads((ROOT / f"{doc}.ipynb").read_text())
    return any("explore(" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")


EXPLORER_PAGES = [f"{d}.html" for d in CHAPTERS if calls_explore(d)]


@pytest.fixture(scope="session")
def played(site, server):
    """Open each chapter page with an explorer and move all of its controls."""
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("browser tests need Chromium (see the module docstring)")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="browser tests need Playwright")
    results = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        external: list[str] = []

        def route(r):
            if _same_site(r.request.url, server) or r.request.url.startswith(("data:", "blob:")):
                r.continue_()
            else:
                external.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        events: list[str] = []
        page.on("console", lambda m: m.type == "error" and events.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: events.append(f"uncaught exception: {e}"))
        for name in EXPLORER_PAGES:
            if "book-explorer" not in (HTML / name).read_text():
                continue
            events.clear()
            external.clear()
            page.goto(server + name, wait_until="load")
            roots = page.locator("div.book-explorer")
            explorers = [play_explorer(page, roots.nth(i)) for i in range(roots.count())]
            results[name] = {"explorers": explorers, "events": list(events),
                             "external": list(external)}
        browser.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "explorers-report.json").write_text(json.dumps(
        {k: {"explorers": [{x: e[x] for x in ("controls", "positions", "moves", "bytes")}
                           for e in v["explorers"]]} for k, v in results.items()}, indent=1))
    return results


def test_every_explorer_is_playable_on_the_site(played):
    """Each chapter that calls helpers.interactive.explore has a playable explorer."""
    assert EXPLORER_PAGES and sorted(played) == sorted(EXPLORER_PAGES), (
        "chapters with an explorer and pages with a playable one differ")


@pytest.mark.parametrize("name", EXPLORER_PAGES)
def test_explorers_move_and_show_the_right_frame(played, name):
    assert name in played, f"{name}: its notebook calls explore() but the page has no explorer"
    result = played[name]
    problems = result["events"] + [f"external request: {u}" for u in result["external"]]
    for i, e in enumerate(result["explorers"]):
        problems += [f"explorer {i + 1}: {p}" for p in e["problems"]]
        if e["bytes"] > MAX_EXPLORER_BYTES:
            problems.append(f"explorer {i + 1} weighs {e['bytes'] / 1e6:.2f} MB, over "
                            f"{MAX_EXPLORER_BYTES / 1e6} MB")
        if not e["controls"]:
            problems.append(f"explorer {i + 1} has no playable control")
    assert not problems, f"{name}:\n" + "\n".join(problems[:30])
