"""Build the whole book as one PDF (`make pdf`): _build/pdf/book.pdf, offline.

1. Jupyter Book builds the book as ONE HTML page (Sphinx's ``singlehtml``
   builder), from the committed notebook outputs, as the website is built.
2. That page is served on 127.0.0.1 and opened in headless Chromium (Debian's
   ``chromium``, driven by Playwright as in the browser test; nothing is
   downloaded). MathJax, served by the page itself, renders every formula.
3. A title page and a linked table of contents go in front; what a reader of
   paper cannot use is taken out (the Colab setup cells, solutions, the
   launch buttons and sidebars: see the print rules in tools/book.css).
4. Chromium prints it, light colours, with page numbers and PDF bookmarks.

The PDF is copied to _build/html/book.pdf too when the site is built, so the
site's download link (intro.md) finds it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
OUT = ROOT / "_build" / "pdf" / "book.pdf"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage", "--disable-extensions", "--no-first-run",
                 "--disable-component-update", "--disable-default-apps"]


class PDFError(RuntimeError):
    """The PDF could not be built; the message says why and what to do."""


def find_chromium() -> str | None:
    for candidate in (os.environ.get("BOOK_CHROMIUM"), shutil.which("chromium"),
                      "/usr/bin/chromium", shutil.which("chromium-browser")):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def build_single_page(root: Path = ROOT) -> Path:
    """Build the book as one HTML page; return the page's path."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(root), "--builder", "singlehtml",
               "-W", "-n", "--keep-going"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise PDFError("the one-page HTML build failed:\n" + done.stdout[-3000:]
                       + done.stderr[-3000:])
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    page = root / "_build" / "singlehtml" / f"{toc['root']}.html"
    if not page.is_file():
        raise PDFError(f"the one-page build wrote no {page}")
    return page


@contextlib.contextmanager
def serve(directory: Path):
    """Serve `directory` on a free port of 127.0.0.1; yield its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # no request log on the console
        pass


# Run in the page before printing: the book's front matter, and what paper
# cannot use taken out. Chapters are the documents under chapters/ (their
# anchors are "document-chapters/..." in a one-page build).
PREPARE = """
([title, author, licence, repository]) => {
  const html = document.documentElement;
  html.dataset.theme = "light";
  html.dataset.mode = "light";
  const article = document.querySelector("article.bd-article");
  if (!article) return {error: "no article element in the one-page build"};
  const drop = [];
  // The theme's own print header (a page title and its contents) is for
  // printing one page; the book has its own front matter.
  const themeHeader = document.getElementById("jb-print-docs-body");
  if (themeHeader) drop.push(themeHeader);
  // The status page is about the build, not the book.
  const status = document.getElementById("document-status");
  if (status) { drop.push(status.nextElementSibling); drop.push(status); }
  // Cells a reader of paper cannot use: the Colab setup cell, solutions
  // (folded behind a toggle on the site), and anything hidden on the site.
  article.querySelectorAll("div.cell").forEach(cell => {
    const code = cell.querySelector(".cell_input pre");
    const text = code ? code.textContent.trimStart() : "";
    if (text.startsWith("# Setup") || text.toLowerCase().startsWith("# solution")
        || cell.matches(".tag_hide-cell, .tag_remove-cell, .tag_remove-input"))
      drop.push(cell);
  });
  drop.forEach(e => e && e.remove());
  // Front matter: a title page, then a table of contents linking every
  // chapter and section (the PDF keeps the links).
  const front = document.createElement("section");
  front.className = "book-front-matter";
  const titlePage = document.createElement("div");
  titlePage.className = "book-title-page";
  titlePage.innerHTML = `<p class="book-title"></p><p class="book-subtitle">
    Tensors, gradients and backpropagation, built from scratch in Python</p>
    <p class="book-author"></p><p class="book-licence"></p><p class="book-source"></p>`;
  titlePage.querySelector(".book-title").textContent = title;
  titlePage.querySelector(".book-author").textContent = author;
  titlePage.querySelector(".book-licence").textContent = licence;
  titlePage.querySelector(".book-source").textContent = "Source, notebooks and website: " + repository;
  front.appendChild(titlePage);
  const toc = document.createElement("nav");
  toc.className = "book-pdf-toc";
  toc.innerHTML = "<p class='book-toc-title'>Contents</p>";
  const list = document.createElement("ol");
  const chapters = [];
  document.querySelectorAll("span[id^='document-chapters/']").forEach(anchor => {
    const section = anchor.nextElementSibling;
    if (!section || section.tagName !== "SECTION") return;
    const heading = section.querySelector("h1, h2, h3, h4");
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#" + section.id;
    link.textContent = heading.textContent.replace(/#$/, "").trim();
    item.appendChild(link);
    const sub = document.createElement("ol");
    section.querySelectorAll(":scope > section").forEach(s => {
      const h = s.querySelector("h1, h2, h3, h4, h5");
      if (!h) return;
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "#" + s.id;
      a.textContent = h.textContent.replace(/#$/, "").trim();
      li.appendChild(a);
      sub.appendChild(li);
    });
    if (sub.children.length) item.appendChild(sub);
    list.appendChild(item);
    section.classList.add("book-chapter");
    chapters.push(link.textContent);
  });
  toc.appendChild(list);
  front.appendChild(toc);
  article.prepend(front);
  document.title = title;
  return {chapters};
}
"""

FOOTER = ("<div style='width:100%;font-size:9px;color:#444;text-align:center;"
          "font-family:sans-serif'><span class='pageNumber'></span> / "
          "<span class='totalPages'></span></div>")


def print_pdf(page: Path, out: Path = OUT, chromium: str | None = None) -> dict:
    """Print the one-page build `page` to `out`; return what was printed."""
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PDFError("no Chromium found: install Debian's chromium "
                       "(apt-get install chromium) or set BOOK_CHROMIUM")
    from playwright.sync_api import sync_playwright

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    licence = ("Text and code: MIT licence. MNIST: Yann LeCun, Corinna Cortes "
               "and Christopher J.C. Burges, CC BY-SA 3.0.")
    front = [config["title"], config.get("author", ""), licence,
             config["repository"]["url"]]
    out.parent.mkdir(parents=True, exist_ok=True)
    with serve(page.parent) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(color_scheme="light")
            offsite = []
            tab.on("request", lambda r: offsite.append(r.url)
                   if not r.url.startswith((base, "data:", "blob:")) else None)
            tab.goto(f"{base}/{page.name}", wait_until="networkidle", timeout=120_000)
            # MathJax loads asynchronously: wait until it has typeset the page
            tab.wait_for_function("() => !document.querySelector('.math') || "
                                  "(window.MathJax && MathJax.startup && "
                                  "MathJax.startup.promise)", timeout=120_000)
            tab.evaluate("() => window.MathJax && MathJax.startup"
                         " ? MathJax.startup.promise : null")
            result = tab.evaluate(PREPARE, front)
            if "error" in result:
                raise PDFError(result["error"])
            tab.emulate_media(media="print", color_scheme="light")
            tab.pdf(path=str(out), format="A4", print_background=True,
                    display_header_footer=True, header_template="<span></span>",
                    footer_template=FOOTER, outline=True, tagged=True,
                    margin={"top": "18mm", "bottom": "18mm", "left": "16mm",
                            "right": "16mm"})
        finally:
            browser.close()
    if offsite:
        raise PDFError(f"the page asked for something off the machine: {offsite[:3]}")
    result["path"] = out
    return result


def sources(root: Path = ROOT) -> list[Path]:
    """What the PDF is made from (the Makefile's PDF_SOURCES say the same)."""
    found = sorted((root / "chapters").glob("*.ipynb"))
    found += [root / name for name in ("intro.md", "status.md", "glossary.md",
                                       "_toc.yml", "_config.yml")]
    found += sorted((root / "tools").glob("*.py")) + [root / "tools" / "book.css"]
    return [path for path in found if path.is_file()]


def copy_into_site(out: Path = OUT, root: Path = ROOT) -> None:
    """Put the PDF where the site's download link expects it, if the site is built."""
    site = root / "_build" / "html"
    if site.is_dir() and out.is_file():
        shutil.copyfile(out, site / "book.pdf")


def build(out: Path = OUT, root: Path = ROOT) -> dict:
    """Build the one-page HTML and print it; also copy it into a built site."""
    start = time.perf_counter()
    result = print_pdf(build_single_page(root), out)
    copy_into_site(out, root)
    result["seconds"] = time.perf_counter() - start
    result["built"] = True
    return result


def ensure(out: Path = OUT, root: Path = ROOT) -> dict:
    """Build the PDF only if it is missing or older than a source (as make does)."""
    if out.is_file() and out.stat().st_mtime >= max(p.stat().st_mtime for p in sources(root)):
        copy_into_site(out, root)
        return {"path": out, "seconds": 0.0, "built": False}
    return build(out, root)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--if-possible", action="store_true",
                        help="without Chromium, say so and succeed (make book)")
    args = parser.parse_args(argv)
    if args.if_possible and find_chromium() is None:
        print("make pdf: no Chromium here, so no PDF (apt-get install chromium); "
              "the site's PDF link will not work", file=sys.stderr)
        return 0
    try:
        result = build(args.out)
    except PDFError as exc:
        print(f"make pdf: {exc}", file=sys.stderr)
        return 1
    size = args.out.stat().st_size / 1e6
    print(f"wrote {args.out} ({size:.1f} MB, {len(result['chapters'])} chapters) "
          f"in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
