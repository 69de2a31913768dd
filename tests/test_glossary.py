"""The glossary and the index (issue 17).

glossary.md lists every term the chapters define, each with the section that
defines it ({ref}`sec-N-M`); tools/glossary.py, a Sphinx extension, marks that
definition with an index entry and a link to the glossary, links each other
chapter's first use of the term, and indexes every helper a chapter shows
with show_source. The notebooks themselves carry no markup.

Checked here: every term is defined where the glossary says (the section
exists and uses the term), on the notebooks themselves; then, on the site as
`make book` builds it (-W -n: a broken term or reference fails the build),
that every glossary entry is referenced from a chapter, once per chapter at
most and only from prose, that the index has every term (pointing into its
defining section) and every shown helper, and at least 50 entries; and in
headless Chromium, that the glossary and the index open and three of their
links lead where they say.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from glossary import SHOW_SOURCE, parse_glossary, term_pattern  # noqa: E402
from test_site import CHROMIUM_ARGS, HTML, find_chromium, server, site  # noqa: E402,F401

ENTRIES = parse_glossary((ROOT / "glossary.md").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
NOTEBOOKS = {int(p.name[:2]): p for p in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))}


def markdown_cells(notebook: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
            if c["cell_type"] == "markdown"]


def code_cells(notebook: Path) -> list[str]:
    return ["".join(c["source"]) for c in json.loads(notebook.read_text())["cells"]
            if c["cell_type"] == "code"]


def section_text(chapter: int, section: int) -> str | None:
    """The markdown of section N.M: from its `## N.M` heading to the next `## `."""
    text = "\n\n".join(markdown_cells(NOTEBOOKS[chapter]))
    m = re.search(rf"^## {chapter}\.{section}\s.*?(?=^## |\Z)", text, re.M | re.S)
    return m[0] if m else None


@functools.lru_cache(maxsize=None)
def _soup(path: Path, mtime: float):
    import bs4
    return bs4.BeautifulSoup(path.read_text(), "html.parser")


def soup(path: Path):
    """The parsed page (parsed once per build of it)."""
    return _soup(path, path.stat().st_mtime)


# --------------------------------------------------------------- the glossary's source

def test_glossary_is_in_the_table_of_contents():
    about = [part for part in TOC["parts"] if part.get("caption") == "About this book"]
    assert about, "_toc.yml has no 'About this book' part"
    files = [c["file"] for c in about[0]["chapters"]]
    assert "glossary" in files and files.index("glossary") < files.index("status"), files


def test_glossary_has_enough_terms_and_no_duplicates():
    names = [t.lower() for e in ENTRIES for t in e.terms]
    assert len(ENTRIES) >= 50, f"only {len(ENTRIES)} glossary entries"
    assert len(names) == len(set(names)), "a term is listed twice"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.term)
def test_term_is_defined_in_its_section(entry):
    """The section the glossary names exists and uses the term."""
    assert entry.chapter in NOTEBOOKS, f"{entry.term}: no chapter {entry.chapter}"
    text = section_text(entry.chapter, entry.section)
    assert text is not None, (
        f"{entry.term!r}: the glossary says section {entry.chapter}.{entry.section} "
        f"defines it, but {NOTEBOOKS[entry.chapter].name} has no heading "
        f"'## {entry.chapter}.{entry.section} ...' (renumbered? update glossary.md)")
    assert term_pattern(entry).search(text), (
        f"section {entry.chapter}.{entry.section} never uses {entry.term!r}")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.term)
def test_related_terms_exist(entry):
    names = {t.lower() for e in ENTRIES for t in e.terms}
    assert {r.lower() for r in entry.related} <= names


# --------------------------------------------------------------- the built site

def test_site_builds_with_warnings_as_errors(site):
    """The `site` fixture builds with -W -n and fails on any warning, so an
    unknown {term} or a broken {ref} (a renumbered section) fails here."""
    assert (HTML / "glossary.html").is_file()
    assert (HTML / "genindex.html").is_file()


def glossary_ids() -> dict[str, str]:
    """term (lower case) -> the id of its <dt> in glossary.html."""
    page = soup(HTML / "glossary.html")
    return {dt.get_text(" ", strip=True).rstrip("¶#").strip().lower(): dt["id"]
            for dt in page.select("dl.glossary dt[id]")}


def chapter_pages() -> dict[int, Path]:
    return {n: HTML / "chapters" / f"{p.stem}.html" for n, p in NOTEBOOKS.items()}


def test_every_glossary_entry_is_referenced_from_a_chapter(site):
    ids = glossary_ids()
    linked = set()
    for page in chapter_pages().values():
        linked |= set(re.findall(r'href="\.\./glossary\.html#([^"]+)"', page.read_text()))
    missing = [e.term for e in ENTRIES if ids[e.term.lower()] not in linked]
    assert not missing, f"glossary entries no chapter links to: {missing}"


def test_chapters_link_each_term_once_and_only_from_prose(site):
    for number, page in chapter_pages().items():
        html = soup(page)
        links = html.select('a[href^="../glossary.html#term-"]')
        counts: dict[str, int] = {}
        for a in links:
            counts[a["href"]] = counts.get(a["href"], 0) + 1
            bad = a.find_parent(["h1", "h2", "h3", "h4", "h5", "h6", "pre", "code"]) \
                or a.find_parent(class_=re.compile(r"\bcell_output\b|\bcell_input\b"))
            assert bad is None, f"chapter {number}: a glossary link inside <{bad.name}>"
        twice = [h for h, c in counts.items() if c > 1]
        assert not twice, f"chapter {number} links these terms more than once: {twice}"
        assert len(counts) >= 15, f"chapter {number} links only {len(counts)} terms"


def index_entries() -> dict[str, list[str]]:
    """Each top-level entry of genindex.html (its text) -> the links it lists."""
    return _index_entries((HTML / "genindex.html").stat().st_mtime)


@functools.lru_cache(maxsize=None)
def _index_entries(mtime: float) -> dict[str, list[str]]:
    page = soup(HTML / "genindex.html")
    found: dict[str, list[str]] = {}
    for li in page.select("table.indextable td > ul > li"):
        first = li.contents[0]
        name = (first.get_text() if hasattr(first, "get_text") else str(first)).strip()
        hrefs = [a["href"] for a in li.find_all("a")]  # subentries too
        found.setdefault(name, []).extend(hrefs)
    return found


def test_index_is_not_empty(site):
    entries = index_entries()
    assert len(entries) >= 50, f"the index has only {len(entries)} entries"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.term)
def test_index_points_each_term_into_its_defining_section(site, entry):
    entries = index_entries()
    hrefs = entries.get(entry.term)
    assert hrefs, f"the index has no entry {entry.term!r}"
    page_name = f"chapters/{NOTEBOOKS[entry.chapter].stem}.html"
    into_chapter = [h for h in hrefs if h.startswith(page_name + "#")]
    assert into_chapter, f"{entry.term!r}: the index links {hrefs}, not {page_name}"
    anchor = into_chapter[0].split("#", 1)[1]
    page = soup(HTML / page_name)
    target = page.find(id=anchor)
    assert target is not None, f"{page_name} has no element #{anchor}"
    titles = [s.find(re.compile(r"h[1-6]")).get_text(" ", strip=True)
              for s in target.find_parents("section") if s.find(re.compile(r"h[1-6]"))]
    assert any(t.startswith(f"{entry.chapter}.{entry.section} ") for t in titles), (
        f"{entry.term!r} is indexed in {titles[:1]}, not in section "
        f"{entry.chapter}.{entry.section}")
    # ... and the glossary entry is in the index too
    assert any(h.startswith("glossary.html#") for h in hrefs)


def shown_helpers() -> list[tuple[int, str]]:
    found = []
    for number, notebook in NOTEBOOKS.items():
        for source in code_cells(notebook):
            found += [(number, name) for name in SHOW_SOURCE.findall(source)]
    return sorted(set(found))


def test_every_shown_helper_is_in_the_index(site):
    helpers = shown_helpers()
    assert len(helpers) >= 30, helpers
    entries = index_entries()
    missing = []
    for number, name in helpers:
        page_name = f"chapters/{NOTEBOOKS[number].stem}.html"
        short = name.split(".")[-1] if "." in name and not name[0].isupper() else name
        hrefs = [h for key, hs in entries.items()
                 if key == short or key.startswith(short + " (") for h in hs]
        if not any(h.startswith(page_name + "#index-helper-") for h in hrefs):
            missing.append(f"{name} (chapter {number})")
    assert not missing, f"helpers shown with show_source but not indexed: {missing}"


# --------------------------------------------------------------- in the browser

@pytest.fixture(scope="module")
def browser_page(server):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("the browser check needs Chromium (Debian: apt-get install chromium), "
                    "or BOOK_CHROMIUM set to a Chromium binary")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the browser check needs Playwright")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            (server, "data:", "blob:")) else r.abort())
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page, errors
        browser.close()


def landed(page, server) -> tuple[str, str]:
    url = urlsplit(page.url)
    return unquote(url.path)[1:], unquote(url.fragment)


def test_glossary_and_index_links_in_the_browser(browser_page, server):
    page, errors = browser_page
    # 1. The glossary opens, and the section named under "tensor" opens at
    #    that section.
    page.goto(server + "glossary.html", wait_until="load")
    assert page.locator("dl.glossary dt").count() >= 50
    link = page.locator("dt#term-tensor + dd a[href*='chapters/']").first
    link.click()
    page.wait_for_load_state("load")
    path, fragment = landed(page, server)
    assert path == "chapters/02_tensors.html", path
    heading = page.locator(f"[id='{fragment}'] h2").first.inner_text()
    assert heading.startswith("2.1 "), heading
    # 2. The index opens and its entry "broadcasting" leads into section 3.3,
    #    to the marked definition.
    page.goto(server + "genindex.html", wait_until="load")
    assert page.locator("table.indextable li").count() >= 50
    page.locator("table.indextable li > a", has_text=re.compile(r"^broadcasting$")).first.click()
    page.wait_for_load_state("load")
    path, fragment = landed(page, server)
    assert path == "chapters/03_elementwise_broadcasting.html", path
    assert fragment.startswith("index-broadcasting"), fragment
    target = page.locator(f"[id='{fragment}']")
    section = target.locator("xpath=ancestor::section[h2][1]/h2").inner_text()
    assert section.startswith("3.3 "), section
    # 3. In chapter 7, the first use of "tensor" links to its glossary entry.
    page.goto(server + "chapters/07_backpropagation.html", wait_until="load")
    page.locator("article a[href$='glossary.html#term-tensor']").first.click()
    page.wait_for_load_state("load")
    path, fragment = landed(page, server)
    assert (path, fragment) == ("glossary.html", "term-tensor")
    assert page.locator("dt#term-tensor").is_visible()
    assert not errors, errors
