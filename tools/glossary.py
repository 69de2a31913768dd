"""The glossary's links and the book's index, made when the site is built.

Loaded by Jupyter Book (``sphinx.local_extensions`` in _config.yml). The
notebooks stay free of MyST markup: Colab and JupyterLab, where the chapters
are also read, would show ``{term}`` or ``{index}`` roles as raw text. So the
links are added to each chapter's doctree while the site is built:

- ``glossary.md`` is the one place that lists the terms. Each entry of its
  ``{glossary}`` block names the section that defines the term, as a
  reference ``{ref}`sec-N-M``` (these labels are made here: every chapter
  section titled "N.M ..." gets the label ``sec-N-M``), and its related terms;
- in the defining section, the first prose occurrence of the term (a bold or
  italic one if there is one) gets an index entry and becomes a link to its
  glossary entry;
- in every other chapter, the first prose occurrence of the term links to the
  glossary: prose only, never a heading, code, math, a link or a cell output;
- every helper a chapter shows with ``show_source(...)`` gets index entries
  ("naive_relu (helpers.elementwise)" and "helpers.elementwise; naive_relu")
  pointing at the cell that shows it.

``parse_glossary`` and ``term_pattern`` are shared with tests/test_glossary.py.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

GLOSSARY = "glossary.md"
SECTION_TITLE = re.compile(r"^(\d+)\.(\d+)\s")
SECTION_REF = re.compile(r"\{ref\}`(?:[^`<]*<)?sec-(\d+)-(\d+)>?`")
RELATED = re.compile(r"\{term\}`(?:[^`<]*<)?([^`>]+)>?`")

# Other forms of a term that the text uses: irregular plurals and inflections.
# Regular plurals (-s, -es, -ies) are made by `forms`; synonyms a reader may
# look up are listed in glossary.md itself, as extra terms of the entry.
EXTRA_FORMS = {
    "axis": ["axes"],
    "matrix": ["matrices"],
    "broadcasting": ["broadcast", "broadcasts"],
    "reshape": ["reshaping", "reshaped", "reshapes"],
    "transpose": ["transposing", "transposed", "transposes"],
    "vectorised code": ["vectorised", "vectorized", "vectorise"],
    "differentiable": ["differentiability"],
    "random initialization": ["random initialisation", "initialization",
                              "initialisation"],
    "weight": ["weights"],
    "batch": ["mini-batch", "mini-batches"],
    "hypothesis space": ["hypothesis spaces"],
    "element-wise operation": ["element-wise"],
    "overfitting": ["overfit"],
    "finite differences": ["finite difference", "central difference"],
    "reverse mode": ["reverse-mode"],
    "forward mode": ["forward-mode"],
    "logits": ["logit"],
    "trainable parameters": ["trainable parameter"],
    "slice": ["slicing"],
    "dense layer": ["fully connected", "densely connected"],
    "one-hot encoding": ["one-hot"],
    "gradient tape": ["tape"],
}

# Occurrences that are another word spelled the same: "unit vectors" are not
# units of a layer, an "x-axis" is the plot's (hyphens never match anyway).
NOT_BEFORE = {
    "unit": r"\s+(?:vector|vectors|grid|square)\b",
    "rank": r"\s+at\s+most",  # "of rank at most 1": a matrix's rank
}


# ... and words before a use that make it another word: "principal axes"
# are a bowl's, not a tensor's.
NOT_AFTER = {
    "axis": ["principal "],
}


# Chapters where a term's word means something else throughout: chapter 5's
# "shape" is a figure in the plane, its "views" are the layers' outputs.
NOT_IN_CHAPTER = {
    "shape": {5},
    "view": {5},
}


@dataclass
class Entry:
    terms: list[str]               # as listed in glossary.md; the first is the main one
    chapter: int
    section: int
    related: list[str] = field(default_factory=list)
    definition: str = ""

    @property
    def term(self) -> str:
        return self.terms[0]

    @property
    def label(self) -> str:
        return f"sec-{self.chapter}-{self.section}"

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-")


def parse_glossary(text: str) -> list[Entry]:
    """The entries of the ``{glossary}`` block of glossary.md, in order."""
    block = re.search(r"^```\{glossary\}[^\n]*\n(.*?)^```", text, re.S | re.M)
    if not block:
        raise ValueError(f"{GLOSSARY} has no ```{{glossary}} block")
    entries: list[Entry] = []
    terms: list[str] = []
    lines: list[str] = []

    def close():
        if not terms:
            return
        definition = " ".join(s.strip() for s in lines)
        ref = SECTION_REF.search(definition)
        if not ref:
            raise ValueError(f"glossary entry {terms[0]!r} names no defining section "
                             "({ref}`sec-N-M`)")
        entries.append(Entry(list(terms), int(ref[1]), int(ref[2]),
                             RELATED.findall(definition), definition))

    for line in block[1].splitlines():
        if not line.strip() or line.startswith(":"):
            continue
        if line[0].isspace():
            lines.append(line)
        else:
            if lines:
                close()
                terms, lines = [], []
            terms.append(line.strip())
    close()
    return entries


def plural(word: str) -> str:
    if re.search(r"(s|x|ch|sh)$", word):
        return word + "es"
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    return word + "s"


def forms(entry: Entry) -> list[str]:
    """Every spelling that counts as a use of the entry, longest first."""
    found = []
    for term in entry.terms:
        found += [term, plural(term)]
        found += EXTRA_FORMS.get(term.lower(), [])
    unique = sorted({f.lower() for f in found}, key=lambda f: (-len(f), f))
    return unique


def term_pattern(entry: Entry) -> re.Pattern:
    """A case-insensitive regex for a use of the entry, on word boundaries
    (a hyphen counts as part of a word: "x-axis" is not "axis")."""
    alternatives = "|".join(r"\s+".join(map(re.escape, f.split())) for f in forms(entry))
    tail = NOT_BEFORE.get(entry.term.lower())
    guard = f"(?!{tail})" if tail else ""
    before = "".join(f"(?<!{re.escape(w)})" for w in NOT_AFTER.get(entry.term.lower(), []))
    return re.compile(rf"(?<![\w-]){before}(?:{alternatives})(?![\w-]){guard}", re.I)


# ---------------------------------------------------------------- loading

_cache: dict[str, tuple[float, list[Entry]]] = {}


def load_entries(srcdir: Path) -> list[Entry]:
    path = srcdir / GLOSSARY
    if not path.is_file():
        return []
    mtime = path.stat().st_mtime
    key = str(path)
    if key not in _cache or _cache[key][0] != mtime:
        _cache[key] = (mtime, parse_glossary(path.read_text()))
    return _cache[key][1]


# ---------------------------------------------------------------- the doctree

SKIP = (nodes.title, nodes.literal, nodes.literal_block, nodes.math, nodes.math_block,
        nodes.raw, nodes.reference, nodes.target, nodes.comment, nodes.caption,
        nodes.rubric, nodes.image, nodes.substitution_definition, addnodes.pending_xref,
        nodes.inline)


def merge_texts(root: nodes.Node) -> None:
    """Join neighbouring Text nodes (MyST makes a line break inside a
    paragraph a Text node of its own), so that a term split over two source
    lines, "forward" + "\\n" + "pass", is found as one."""
    for element in list(root.findall(nodes.Element)):
        children = element.children
        i = 0
        while i < len(children) - 1:
            if isinstance(children[i], nodes.Text) and isinstance(children[i + 1], nodes.Text):
                joined = nodes.Text(str(children[i]) + str(children[i + 1]))
                element.remove(children[i + 1])
                element.replace(children[i], joined)
            else:
                i += 1


def is_caption(paragraph: nodes.paragraph) -> bool:
    """A figure caption: in these notebooks, a paragraph *Figure N.M: ...*."""
    first = paragraph.children[0] if paragraph.children else None
    return isinstance(first, nodes.emphasis) and bool(
        re.match(r"\s*Figure\s+\d+\.\d+", first.astext()))


def prose_texts(root: nodes.Node):
    """The Text nodes of a doctree that are prose: inside a paragraph, and
    not in a heading, code, math, a link, a code cell or its output."""
    for text in list(root.findall(nodes.Text)):
        node, in_paragraph, ok = text.parent, False, True
        while node is not None and node is not root.parent:
            if isinstance(node, SKIP):
                ok = False
                break
            if isinstance(node, nodes.container) and "cell" in node.get("classes", []):
                ok = False
                break
            if isinstance(node, nodes.paragraph):
                if is_caption(node):
                    ok = False
                    break
                in_paragraph = True
            node = node.parent
        if ok and in_paragraph:
            yield text


def first_match(root, pattern, prefer_marked=False):
    """(Text node, match) of the first use in `root`; with prefer_marked, a
    bold or italic use (how the book marks a definition) wins over earlier
    plain ones."""
    plain = None
    for text in prose_texts(root):
        m = pattern.search(str(text).replace("\n", " "))  # same positions
        if not m:
            continue
        if not prefer_marked:
            return text, m
        if isinstance(text.parent, (nodes.strong, nodes.emphasis)):
            return text, m
        plain = plain or (text, m)
    return plain


def report(env, kind: str, term: str, text: nodes.Text, m: re.Match) -> None:
    """With BOOK_GLOSSARY_REPORT=file, append each link made (for review)."""
    path = os.environ.get("BOOK_GLOSSARY_REPORT")
    if path:
        s = str(text)
        with open(path, "a") as f:
            f.write(json.dumps({"doc": env.docname, "kind": kind, "term": term,
                                "context": s[max(0, m.start() - 40):m.end() + 40]}) + "\n")


def term_xref(env, term: str, text: str) -> addnodes.pending_xref:
    ref = addnodes.pending_xref("", refdomain="std", reftype="term", reftarget=term.lower(),
                                refexplicit=True, refwarn=True, refdoc=env.docname)
    ref += nodes.inline(text, text, classes=["xref", "std", "std-term", "book-glossary-link"])
    return ref


def split_text(text: nodes.Text, m: re.Match, new: list[nodes.Node]) -> None:
    """Replace `text` by: its part before the match, `new`, its part after."""
    s = str(text)
    parent = text.parent
    index = parent.index(text)
    replacement = []
    if m.start():
        replacement.append(nodes.Text(s[:m.start()]))
    replacement += new
    if m.end() < len(s):
        replacement.append(nodes.Text(s[m.end():]))
    parent.remove(text)
    for offset, node in enumerate(replacement):
        parent.insert(index + offset, node)


def chapter_number(docname: str) -> int | None:
    m = re.match(r"chapters/(\d+)_", docname)
    return int(m[1]) if m else None


def numbered_sections(document) -> dict[tuple[int, int], nodes.section]:
    found = {}
    for section in document.findall(nodes.section):
        title = section.next_node(nodes.title)
        m = SECTION_TITLE.match(title.astext()) if title else None
        if m and (int(m[1]), int(m[2])) not in found:
            found[int(m[1]), int(m[2])] = section
    return found


# ---------------------------------------------------------------- show_source

_HELPER_DEFS: dict[str, list[str]] = {}


def helper_definitions(srcdir: Path) -> dict[str, list[str]]:
    """name -> the helpers modules defining it at top level (read, not imported)."""
    if not _HELPER_DEFS:
        for path in sorted((srcdir / "helpers").glob("*.py")):
            try:
                tree = ast.parse(path.read_text())
            except SyntaxError:
                continue
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
                    _HELPER_DEFS.setdefault(node.name, []).append(f"helpers.{path.stem}")
    return _HELPER_DEFS


def notebook_imports(notebook: Path) -> dict[str, str]:
    """name -> helpers module, from the notebook's `from helpers.x import ...`."""
    found = {}
    for cell in json.loads(notebook.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        for m in re.finditer(r"from\s+(helpers\.\w+)\s+import\s+(\([^)]*\)|[^\n]+)",
                             "".join(cell["source"])):
            for name in re.findall(r"\w+", m[2].split("#")[0]):
                found.setdefault(name, m[1])
    return found


def helper_module(name: str, srcdir: Path, imports: dict[str, str]) -> str:
    head = name.split(".")[0]
    defs = helper_definitions(srcdir)
    if (srcdir / "helpers" / f"{head}.py").is_file() and "." in name:
        return f"helpers.{head}"
    if head in imports:
        return imports[head]
    if len(defs.get(head, [])) == 1:
        return defs[head][0]
    return "helpers"


SHOW_SOURCE = re.compile(r"show_source\(\s*([A-Za-z_][\w.]*)")


class BookGlossary(SphinxTransform):
    """Glossary links and index entries in each chapter (see the module docstring)."""

    default_priority = 800  # before SphinxDomains (850) collects index entries

    def apply(self, **kwargs) -> None:
        docname = self.env.docname
        srcdir = Path(self.env.srcdir)
        number = chapter_number(docname)
        if number is None:
            return
        merge_texts(self.document)
        sections = numbered_sections(self.document)
        self.register_labels(sections)
        entries = load_entries(srcdir)
        if not entries:
            return
        self.env.note_dependency(str(srcdir / GLOSSARY))
        # Longest terms first, so that "binary cross-entropy" is linked as a
        # whole before "cross-entropy" looks for its own first use.
        for entry in sorted(entries, key=lambda e: -max(len(t) for t in e.terms)):
            pattern = term_pattern(entry)
            if entry.chapter == number:
                self.mark_definition(entry, pattern, sections)
            elif number not in NOT_IN_CHAPTER.get(entry.term.lower(), ()):
                found = first_match(self.document, pattern)
                if found:
                    text, m = found
                    report(self.env, "use", entry.term, text, m)
                    split_text(text, m, [term_xref(self.env, entry.term, m[0])])
        self.index_helpers(number, srcdir)

    def register_labels(self, sections) -> None:
        std = self.env.get_domain("std")
        for (chapter, section), node in sections.items():
            name = f"sec-{chapter}-{section}"
            title = node.next_node(nodes.title).astext()
            std.anonlabels[name] = self.env.docname, node["ids"][0]
            std.labels[name] = self.env.docname, node["ids"][0], title

    def mark_definition(self, entry, pattern, sections) -> None:
        section = sections.get((entry.chapter, entry.section))
        if section is None:
            logger.warning(f"glossary: {entry.term!r} is defined in section "
                           f"{entry.chapter}.{entry.section}, which "
                           f"{self.env.docname} does not have", location=self.env.docname)
            return
        target_id = f"index-{entry.slug}-{entry.chapter}"
        index = addnodes.index(entries=[("single", entry.term, target_id, "main", None)],
                               inline=False)
        target = nodes.target("", "", ids=[target_id])
        found = first_match(section, pattern, prefer_marked=True)
        if found is None:
            logger.warning(f"glossary: section {entry.chapter}.{entry.section} never "
                           f"uses {entry.term!r} in its prose", location=section)
            return
        text, m = found
        report(self.env, "definition", entry.term, text, m)
        split_text(text, m, [index, target, term_xref(self.env, entry.term, m[0])])

    def index_helpers(self, number: int, srcdir: Path) -> None:
        notebook = srcdir / f"{self.env.docname}.ipynb"
        if not notebook.is_file():
            return
        imports = notebook_imports(notebook)
        seen = set()
        for cell in self.document.findall(nodes.container):
            if "cell" not in cell.get("classes", []):
                continue
            source = "".join(n.astext() for n in cell.findall(nodes.literal_block)
                             if "cell_input" in n.parent.get("classes", []))
            names = SHOW_SOURCE.findall(source)
            if not names:
                continue
            new = []
            for name in names:
                if name in seen:
                    continue
                seen.add(name)
                module = helper_module(name, srcdir, imports)
                short = name.split(".", 1)[1] if name.split(".")[0] == module.split(".")[-1] \
                    else name
                target_id = "index-helper-" + re.sub(r"[^a-z0-9]+", "-", name.lower()) \
                    + f"-{number}"
                new.append(addnodes.index(entries=[
                    ("single", f"{short} ({module})", target_id, "", None),
                    ("single", f"{module}; {short}", target_id, "", None)], inline=False))
                new.append(nodes.target("", "", ids=[target_id]))
            for offset, node in enumerate(new):
                cell.insert(offset, node)


class GlossaryIndexEntries(SphinxTransform):
    """In glossary.md: the glossary directive's index entries are made plain,
    so the index shows the chapter's defining section as the main entry, and
    a term's other names point to its main name."""

    default_priority = 801

    def apply(self, **kwargs) -> None:
        if self.env.docname != GLOSSARY.removesuffix(".md"):
            return
        # Another name of a term ("autodiff") is indexed as a pointer to the
        # main one: "autodiff, see automatic differentiation".
        main = {t.lower(): e.term for e in load_entries(Path(self.env.srcdir))
                for t in e.terms[1:]}
        for index in self.document.findall(addnodes.index):
            index["entries"] = [
                ("see", f"{value}; {main[value.lower()]}", tid, "", key)
                if value.lower() in main else (kind, value, tid, "", key)
                for kind, value, tid, _main, key in index["entries"]]


def setup(app):
    app.add_transform(BookGlossary)
    app.add_transform(GlossaryIndexEntries)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
