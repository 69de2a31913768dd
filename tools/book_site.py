"""The book's own Sphinx extension, loaded by `make book` (``sphinx.local_extensions`` in _config.yml).

It makes the website work for a reader without a network and keeps the
generated parts of the book in step with the notebooks:

- MathJax is served from the site itself (``_static/mathjax``), copied from the
  pinned PyPI package ``django-static-mathjax`` (MathJax 3.2.2, Apache-2.0,
  no Django needed), instead of being fetched from a CDN;
- ``images/preview.png``, the preview figure of the README and the landing page,
  is the first figure of the first chapter, rewritten when that figure changes;
- ``book.css``, a few corrections to the theme (contrast);
- the directives ``book-status`` (the status page: each notebook's execution
  time and library versions, see tools/execute.py) and ``book-preview`` (the
  preview figure with its alt text from the notebook).
"""

from __future__ import annotations

import base64
import importlib.metadata
import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import yaml
from docutils import nodes
from docutils.statemachine import StringList
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

MATHJAX_DIST = "django-static-mathjax"
MATHJAX_ES5 = "mathjax/static/mathjax/es5"
MATHJAX_PATH = "mathjax/tex-mml-chtml.js"  # relative to _static, as _config.yml says
# The combined TeX+MathML->CommonHTML component and what it loads lazily:
# TeX extensions, fonts, the accessibility explorer and speech, the menu.
MATHJAX_FILES = ["tex-mml-chtml.js", "input", "output/chtml", "a11y", "sre", "ui", "adaptors"]

PREVIEW = Path("images/preview.png")


# ---------------------------------------------------------------- the book's notebooks

def toc_notebooks(root: Path) -> list[Path]:
    """The notebooks of the table of contents, in reading order."""
    def files(node):
        if isinstance(node, dict):
            found = [node["file"]] if "file" in node else []
            return found + [f for v in node.values() for f in files(v)]
        if isinstance(node, list):
            return [f for item in node for f in files(item)]
        return []

    toc = yaml.safe_load((root / "_toc.yml").read_text())
    paths = [root / f"{entry}.ipynb" for entry in files(toc)]
    return [p for p in paths if p.is_file()]


def first_figure(notebook: Path):
    """(PNG bytes, alt text) of the first image a notebook's outputs show, or None."""
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            png = out.get("data", {}).get("image/png")
            if png:
                alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
                return base64.b64decode("".join(png)), alt
    return None


def execution_seconds(nb: dict):
    """Wall time from the first cell's start to the last cell's end, from the
    timestamps nbclient records in each cell's metadata; None if not recorded."""
    starts, ends = [], []
    for cell in nb["cells"]:
        ex = cell.get("metadata", {}).get("execution", {})
        start = ex.get("iopub.status.busy") or ex.get("iopub.execute_input")
        end = ex.get("shell.execute_reply") or ex.get("iopub.status.idle")
        if start and end:
            starts.append(datetime.fromisoformat(start))
            ends.append(datetime.fromisoformat(end))
    if not starts:
        return None, None
    return min(starts), (max(ends) - min(starts)).total_seconds()


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_versions(root: Path) -> dict[str, str]:
    """name -> version for each `name==version` line of requirements.txt."""
    pins = {}
    for line in (root / "requirements.txt").read_text().splitlines():
        m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;#]+)", line)
        if m:
            pins[_normalise(m[1])] = m[2]
    return pins


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes} min {seconds:02d} s"


# ---------------------------------------------------------------- offline MathJax

def mathjax_source() -> Path:
    try:
        dist = importlib.metadata.distribution(MATHJAX_DIST)
    except importlib.metadata.PackageNotFoundError:
        raise ExtensionError(
            f"the site serves MathJax itself, from the Python package {MATHJAX_DIST}: "
            "install requirements.txt (make book does)") from None
    source = Path(dist.locate_file(MATHJAX_ES5))
    if not (source / "tex-mml-chtml.js").is_file():
        raise ExtensionError(f"{MATHJAX_DIST} is installed but has no {source}/tex-mml-chtml.js")
    return source


def check_mathjax_config(app, config):
    if config.mathjax_path != MATHJAX_PATH:
        raise ExtensionError(
            f"_config.yml must set sphinx.config.mathjax_path: {MATHJAX_PATH} "
            f"(the site serves MathJax itself), not {config.mathjax_path!r}")
    mathjax_source()  # fail early, before reading every page


def _sync(source: Path, dest: Path) -> None:
    """Copy a file or a tree, skipping files that are already there unchanged."""
    files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file()]
    for f in files:
        target = dest / f.relative_to(source) if source.is_dir() else dest
        stat = f.stat()
        if target.is_file() and target.stat().st_size == stat.st_size \
                and target.stat().st_mtime == stat.st_mtime:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)


def copy_mathjax(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    dest = Path(app.outdir) / "_static" / Path(MATHJAX_PATH).parent
    for name in MATHJAX_FILES:
        _sync(source / name, dest / name)
    _sync(source.parent / "LICENSE", dest / "LICENSE")


def dedupe_scripts(app, pagename, templatename, context, doctree):
    """Load each script once. Sphinx 7.4 adds an inline script registered after the
    builder starts (sphinx-thebe's `const THEBE_JS_URL = ...`) twice, and the
    second `const` is a JavaScript error on every page."""
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        key = (getattr(js, "filename", js) or "", getattr(js, "priority", 0),
               tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    scripts[:] = unique


# ---------------------------------------------------------------- preview figure

def write_preview(app, config):
    """Keep images/preview.png equal to the first figure of the first chapter."""
    root = Path(app.confdir)
    notebooks = toc_notebooks(root)
    figure = next((f for f in map(first_figure, notebooks) if f), None)
    if figure is None:
        return
    png = figure[0]
    target = root / PREVIEW
    if not target.is_file() or target.read_bytes() != png:
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(png)
        logger.info(f"book_site: updated {PREVIEW} from the first figure of the book (commit it)")


class BookPreview(SphinxDirective):
    """The preview figure, with the alt text of the notebook cell that draws it."""

    def run(self):
        root = Path(self.env.srcdir)
        for notebook in toc_notebooks(root):
            self.env.note_dependency(str(notebook))
            figure = first_figure(notebook)
            if figure:
                break
        else:
            return []
        alt = figure[1] or "A figure from the first chapter."
        docname = notebook.relative_to(root).with_suffix("").as_posix()
        text = [f"```{{image}} /{PREVIEW.as_posix()}", f":alt: {alt}", ":width: 600px",
                ":align: center", "```", "",
                f"*The first figure of {{doc}}`/{docname}`, as the book draws it.*"]
        container = nodes.container(classes=["book-preview"])
        self.state.nested_parse(StringList(text, self.get_source_info()[0]),
                                self.content_offset, container)
        return [container]


# ---------------------------------------------------------------- status page

class BookStatus(SphinxDirective):
    """A table of every notebook: when it was executed, for how long, with what."""

    def run(self):
        root = Path(self.env.srcdir)
        pins = pinned_versions(root)
        self.env.note_dependency(str(root / "_toc.yml"))
        self.env.note_dependency(str(root / "requirements.txt"))
        rows, details, total = [], [], 0.0
        for path in toc_notebooks(root):
            self.env.note_dependency(str(path))
            nb = json.loads(path.read_text())
            docname = path.relative_to(root).with_suffix("").as_posix()
            started, seconds = execution_seconds(nb)
            total += seconds or 0
            env = nb.get("metadata", {}).get("book", {}).get("environment")
            cells = sum(c["cell_type"] == "code" for c in nb["cells"])
            if env:
                direct = []
                for name, version in env["packages"].items():
                    key = _normalise(name)
                    if key in pins or key.startswith("nn-building-blocks"):
                        note = "" if pins.get(key, version) == version else \
                            f" (requirements.txt pins {pins[key]})"
                        direct.append(f"{name} {version}{note}")
                environment = ", ".join([f"Python {env['python']}"] + direct)
                everything = ", ".join(f"{n} {v}" for n, v in env["packages"].items())
                details.append(f"{{doc}}`/{docname}`\n: {everything} ({env['platform']})\n")
            else:
                environment = "not recorded: re-execute the notebook with `make execute`"
            number = re.match(r"(\d+)_", path.name)
            rows.append(" | ".join([
                (f"{int(number[1])}. " if number else "") + f"{{doc}}`/{docname}`",
                started.strftime("%Y-%m-%d") if started else "not recorded",
                _duration(seconds) if seconds is not None else "not recorded",
                str(cells), environment]))
        if not rows:
            return [nodes.paragraph(text="No notebooks in the table of contents yet.")]
        text = ["| Chapter | Executed (UTC) | Execution time | Code cells | Versions used |",
                "| :-- | :-- | --: | --: | :-- |"]
        text += [f"| {row} |" for row in rows]
        text += ["", f"All notebooks together: **{_duration(total)}** of execution.", ""]
        if details:
            text += ["```{dropdown} Every package each chapter imported, with its version", ""]
            text += details
            text += ["```"]
        container = nodes.container(classes=["book-status"])
        self.state.nested_parse(StringList(text, self.get_source_info()[0]),
                                self.content_offset, container)
        return [container]


def add_stylesheet(app):
    app.config.html_static_path.append(str(Path(__file__).with_name("book.css")))


def setup(app):
    app.connect("builder-inited", add_stylesheet)
    app.add_css_file("book.css")
    app.connect("config-inited", check_mathjax_config)
    app.connect("config-inited", write_preview)
    app.connect("build-finished", copy_mathjax)
    app.connect("html-page-context", dedupe_scripts, priority=900)
    app.add_directive("book-status", BookStatus)
    app.add_directive("book-preview", BookPreview)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
