"""The book as a PDF (`make pdf`): built offline, read back, checked against the notebooks.

The PDF is built once for this module by tools/make_pdf.py (a one-page build of
the site printed by headless Chromium), its text extracted with pypdf, and
compared with the sources: the title page, every chapter title, every figure
caption, every line of code a reader sees on the site (nothing cut at the
margin), no raw TeX, no hidden checks or solutions. One page per chapter is
rendered to PNG under artifacts/pdf/ for a person to look at.

Without Chromium the tests skip, saying so; `.ci/run` installs it.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import make_pdf  # noqa: E402

sys.path.remove(str(ROOT / "tools"))
ARTIFACTS = ROOT / "artifacts" / "pdf"
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))

pytestmark = pytest.mark.skipif(make_pdf.find_chromium() is None,
                                reason="no Chromium: apt-get install chromium (.ci/run does)")


QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def squeeze(text: str) -> str:
    """Text without whitespace, ligatures unfolded and quotes straightened (Sphinx
    curls them in prose): robust to line wrapping and fonts."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(QUOTES))


@pytest.fixture(scope="module")
def book():
    pypdf = pytest.importorskip("pypdf")
    out = ROOT / "_build" / "pdf" / "book.pdf"
    result = make_pdf.ensure(out)  # the site test may have built it already
    reader = pypdf.PdfReader(str(out))
    pages = [unicodedata.normalize("NFKC", page.extract_text() or "") for page in reader.pages]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "report.json").write_text(json.dumps({
        "pages": len(pages), "megabytes": round(out.stat().st_size / 1e6, 2),
        "build_seconds": round(result["seconds"], 1), "built_now": result["built"]},
        indent=1))
    return {"reader": reader, "pages": pages, "text": "\n".join(pages), "path": out}


def cells(path):
    return json.loads(path.read_text())["cells"]


def src(cell) -> str:
    return "".join(cell["source"])


def chapter_title(path) -> str:
    return src(cells(path)[0]).splitlines()[0].lstrip("# ").strip()


def test_title_page_and_licence(book):
    first = squeeze(book["pages"][0])
    assert squeeze("The Mathematical Building Blocks of Neural Networks") in first
    assert "MITlicence" in first and "CCBY-SA3.0" in first


def test_contents_link_to_every_chapter(book):
    """The table of contents on the second page links into the document."""
    reader = book["reader"]
    contents = reader.pages[1]
    assert "Contents" in book["pages"][1]
    links = [a.get_object() for a in contents.get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"]
    internal = [a for a in links if "/Dest" in a or a.get("/A", {}).get("/S") == "/GoTo"]
    assert len(internal) >= len(CHAPTERS), f"{len(internal)} internal links on the contents page"
    assert reader.outline, "the PDF has bookmarks"


def chapter_start(book, path) -> int:
    """The index of the page a chapter starts on: a new page that opens with its title."""
    title = squeeze(chapter_title(path))
    for index, page in enumerate(book["pages"]):
        start = squeeze(page)[:len(title) + 60]  # not the contents: it has no Colab link
        if index > 1 and title in start and "OpenthischapterinColab" in start:
            return index
    raise AssertionError(f"no page starts with chapter {chapter_title(path)!r}")


def test_every_chapter_in_order_on_its_own_page(book):
    starts = [chapter_start(book, path) for path in CHAPTERS]
    assert starts == sorted(starts) and len(set(starts)) == len(starts), starts


def test_every_figure_caption(book):
    text = squeeze(book["text"])
    missing = []
    for path in CHAPTERS:
        for cell in cells(path):
            caption = src(cell).strip()
            if cell["cell_type"] != "markdown" or not re.match(r"^\*?Figure \d", caption):
                continue
            prose = caption.split("$")[0]  # the words before any formula
            words = re.sub(r"[*`\\]", "", prose).split()[:6]
            if squeeze(" ".join(words)) not in text:
                missing.append(f"{path.name}: {' '.join(words)}")
    assert not missing, f"captions not in the PDF: {missing[:5]}"


def test_no_raw_tex_left(book):
    """Formulas in the prose are rendered (code may legitimately hold TeX, e.g. a
    matplotlib label r"$\\theta$": lines of code and of printed outputs are skipped)."""
    code = "".join(squeeze(c) for path in CHAPTERS for c in visible_code_cells(path))
    code += "".join(squeeze(o) for path in CHAPTERS for o in printed_outputs(path))
    text = "\n".join(line for line in book["text"].splitlines()
                     if not squeeze(line) or squeeze(line) not in code)
    commands = re.findall(r"\\(?:frac|mathbf|partial|sum|nabla|top|times|cdot|begin)\b", text)
    assert not commands, f"raw TeX in the PDF: {commands[:5]}"
    assert "$$" not in text and not re.search(r"\$[^\s$][^$\n]{0,80}\$", text), \
        "a $...$ formula was not rendered"


def visible_code_cells(path):
    """The code a reader of the site sees without opening a toggle (the PDF prints
    the outputs of folded cells, not their code)."""
    for cell in cells(path):
        tags = set(cell["metadata"].get("tags", []))
        text = src(cell)
        if (cell["cell_type"] != "code"
                or tags & {"remove-cell", "remove-input", "hide-cell", "hide-input"}
                or text.lstrip().lower().startswith(("# setup", "# solution"))):
            continue
        yield text


def printed_outputs(path):
    for cell in cells(path):
        for out in cell.get("outputs", []):
            yield "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))


def test_no_line_of_code_is_cut(book):
    """Every line of code a reader sees on the site is whole in the PDF (it may wrap)."""
    text = squeeze(book["text"])
    cut = []
    for path in CHAPTERS:
        for code in visible_code_cells(path):
            for line in code.splitlines():
                if squeeze(line) and squeeze(line) not in text:
                    cut.append(f"{path.name}: {line.strip()[:70]}")
    assert not cut, f"{len(cut)} code lines not found whole in the PDF, e.g. {cut[:3]}"


def test_hidden_checks_setup_and_solutions_are_left_out(book):
    text = book["text"]
    assert "check_claim" not in text, "a hidden check cell is in the PDF"
    assert "# Solution" not in text and "# Setup" not in text


def test_page_numbers_and_a_plausible_length(book):
    pages = book["pages"]
    assert 60 <= len(pages) <= 600, f"{len(pages)} pages"
    total = len(pages)
    for number in (1, total // 2, total):
        assert f"{number} / {total}" in pages[number - 1], f"no page number on page {number}"


def test_chapter_pages_are_light_and_rendered_for_a_look(book):
    """Print-friendly colours (no dark-mode page), and one PNG per chapter to look at."""
    pdfium = pytest.importorskip("pypdfium2")
    import numpy as np

    document = pdfium.PdfDocument(str(book["path"]))
    for path in CHAPTERS:
        index = chapter_start(book, path)
        image = document[index].render(scale=1).to_pil()
        image.save(ARTIFACTS / f"{path.stem}.png")
        brightness = float(np.asarray(image.convert("L")).mean())
        assert brightness > 200, f"{path.name}: page {index + 1} is dark ({brightness:.0f})"
