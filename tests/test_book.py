"""The book as a whole: table of contents, notebooks' shape, and the one repository URL."""

import json
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
TOC = yaml.safe_load((ROOT / "_toc.yml").read_text())
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))


def toc_files(node):
    """Every `file:` entry of the table of contents, recursively."""
    if isinstance(node, dict):
        found = [node["file"]] if "file" in node else []
        for value in node.values():
            found += toc_files(value)
        return found
    if isinstance(node, list):
        return [f for item in node for f in toc_files(item)]
    return []


def load(path):
    return json.loads(path.read_text())


def source(cell):
    return "".join(cell["source"])


def colab_url(path):
    relative = path.relative_to(ROOT).as_posix()
    github = REPO_URL.replace("https://github.com/", "")
    return f"https://colab.research.google.com/github/{github}/blob/{BRANCH}/{relative}"


def test_there_are_chapters():
    assert NOTEBOOKS, "no notebooks in chapters/"


def test_toc_lists_every_chapter_and_nothing_missing():
    listed = set(toc_files(TOC))
    on_disk = {p.relative_to(ROOT).with_suffix("").as_posix() for p in NOTEBOOKS}
    assert on_disk <= listed, f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"
    for entry in listed | {TOC["root"]}:
        assert any((ROOT / f"{entry}{ext}").is_file() for ext in (".ipynb", ".md")), entry


def test_config_builds_from_committed_outputs():
    assert CONFIG["execute"]["execute_notebooks"] == "off"
    assert REPO_URL.startswith("https://github.com/")
    assert CONFIG["launch_buttons"]["colab_url"] and CONFIG["launch_buttons"]["binderhub_url"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_shape(path):
    nb = load(path)
    cells = nb["cells"]
    first = source(cells[0])
    assert first.startswith("# "), "a notebook starts with its title"
    assert colab_url(path) in first, f"the title cell links to Colab at {colab_url(path)}"
    code = [c for c in cells if c["cell_type"] == "code"]
    setup = source(code[0])
    assert f"git+{REPO_URL}" in setup, "the setup cell installs helpers from the configured repository"
    assert "google.colab" in setup
    counts = [c["execution_count"] for c in code]
    assert counts == list(range(1, len(code) + 1)), "executed top to bottom on a fresh kernel"
    tags = [t for c in cells for t in c.get("metadata", {}).get("tags", [])]
    assert "remove-cell" in tags, "claims are checked by hidden assertion cells"
    headings = [line for c in cells if c["cell_type"] == "markdown"
                for line in source(c).splitlines() if line.startswith("## ")]
    assert any("Summary" in h for h in headings) and any("Exercises" in h for h in headings)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_are_clean(path):
    nb = load(path)
    # Explorers are static figures when executed; saved widget state would only bloat the file.
    assert "widgets" not in nb["metadata"], f"{path.name} stores widget state (re-run make execute)"
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            # An error is allowed only where the chapter shows one on purpose (nbval then checks it).
            assert out["output_type"] != "error" or "raises-exception" in cell.get("metadata", {}).get(
                "tags", []), f"error output in {path.name} outside a cell tagged raises-exception"
            if out["output_type"] == "stream":
                assert out["name"] == "stdout", (
                    f"stray stderr output in {path.name}: {''.join(out['text'])[:200]}")
            text = "".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", ""))
            assert not re.search(r" at 0x[0-9a-fA-F]{6,}", text), f"memory address in {path.name}"
            assert not re.search(r"^<(matplotlib|keras|tensorflow)\.", text), f"object repr in {path.name}"
            assert "Warning" not in text, f"a warning in the outputs of {path.name}: {text[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_installs_helpers_on_colab(path, monkeypatch):
    """Run the setup cell with google.colab faked: it must pip-install from the repository."""
    setup = source([c for c in load(path)["cells"] if c["cell_type"] == "code"][0])
    calls = []
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    real_run = subprocess.run

    def fake_run(cmd, *args, **kwargs):
        if isinstance(cmd, list) and "pip" in cmd:
            calls.append((cmd, kwargs))  # record the install instead of running it
            return subprocess.CompletedProcess(cmd, 0)
        return real_run(cmd, *args, **kwargs)  # libraries may run other commands

    monkeypatch.setattr(subprocess, "run", fake_run)
    exec(compile(setup, f"{path.name}[setup]", "exec"), {"__name__": "__main__"})
    assert len(calls) == 1, "exactly one install command on Colab"
    cmd, kwargs = calls[0]
    assert cmd[:4] == [sys.executable, "-m", "pip", "install"]
    assert f"git+{REPO_URL}" in cmd[-1] and kwargs.get("check") is True
    assert not any(Path(part).exists() for part in cmd[4:]), "the install needs no local file"


# --------------------------------------------------------------------------- readers' setups

# Chapters that train a network for a while: on Colab they should open on a GPU
# runtime. Any notebook that calls Keras' `.fit(` counts too.
TRAINING_CHAPTERS = ("01", "08")


def trains(path):
    code = "".join(source(c) for c in load(path)["cells"] if c["cell_type"] == "code")
    return path.name[:2] in TRAINING_CHAPTERS or ".fit(" in code


def test_training_notebooks_ask_colab_for_a_gpu():
    """Colab reads the notebook-level metadata `"accelerator": "GPU"` to pick a GPU runtime."""
    lacking = [p.name for p in NOTEBOOKS if trains(p) and load(p)["metadata"].get("accelerator") != "GPU"]
    assert not lacking, (
        f"these notebooks train but do not ask Colab for a GPU: {lacking}; add "
        '"accelerator": "GPU" to the notebook metadata (top level, beside "kernelspec")')


def test_binder_installs_helpers():
    """repo2docker (Binder) installs requirements.txt at the root with runtime.txt's
    Python; requirements.txt installs the helpers package (`-e .`) too."""
    for other in ("binder", ".binder", "environment.yml", "Pipfile", "setup.py"):
        assert not (ROOT / other).exists(), f"{other} would change what repo2docker installs"
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    assert "-e ." in lines or "." in lines, "requirements.txt must install the helpers package"
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^packages = \[[^\]]*"helpers"', pyproject, re.M), "pyproject ships helpers"
    runtime = (ROOT / "runtime.txt").read_text().strip()
    match = re.fullmatch(r"python-(3\.\d+)", runtime)
    assert match, f"runtime.txt should read python-3.X, not {runtime!r}"
    readme = (ROOT / "README.md").read_text()
    assert f"Python {match[1]}" in readme or f"or {match[1]}" in readme, (
        f"Binder's Python {match[1]} is not one the README says is tested")


# --------------------------------------------------------------------------- accessibility

def markdown_lines(cell):
    """A markdown cell's lines outside fenced code blocks."""
    inside, lines = False, []
    for line in source(cell).splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            inside = not inside
        elif not inside:
            lines.append(line)
    return lines


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_figures_have_alt_text(path):
    """Screen readers read a figure's alt text: code-made figures get it from the cell
    metadata `mystnb: image: alt` (jupytext: `# %% mystnb={"image": {"alt": "..."}}`)."""
    missing = []
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] == "code":
            images = [o for o in cell.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {}))]
            alt = cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt", "")
            if images and not alt.strip():
                missing.append(f"cell {i} (code starting {source(cell)[:40]!r})")
        elif cell["cell_type"] == "markdown":
            text = "\n".join(markdown_lines(cell))
            missing += [f"cell {i}: ![]({m})" for m in re.findall(r"!\[\s*\]\(([^)]*)\)", text)]
            missing += [f"cell {i}: <img> without alt" for m in re.findall(r"<img\b[^>]*>", text)
                        if not re.search(r'\balt="[^"]+"', m)]
    assert not missing, f"{path.name}: figures without alt text: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_headings_in_order(path):
    """One `#` title, then no skipped level (## then ####) for screen readers' outlines."""
    levels = [(len(m[1]), m[2].strip()) for c in load(path)["cells"] if c["cell_type"] == "markdown"
              for m in [re.match(r"^(#{1,6})\s+(.*)", line) for line in markdown_lines(c)] if m]
    assert levels and levels[0][0] == 1, f"{path.name} starts with a # title"
    assert [lvl for lvl, _ in levels].count(1) == 1, f"{path.name} has one # title"
    for (a, ta), (b, tb) in zip(levels, levels[1:]):
        assert b <= a + 1, f"{path.name}: heading level skipped from {'#' * a} {ta!r} to {'#' * b} {tb!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_live_widgets_in_outputs(path):
    """The website shows static figures (BOOK_STATIC_WIDGETS=1); a live widget output
    would be an empty box there."""
    for cell in load(path)["cells"]:
        for out in cell.get("outputs", []):
            assert "application/vnd.jupyter.widget-view+json" not in out.get("data", {}), (
                f"{path.name} has a widget output: execute with BOOK_STATIC_WIDGETS=1 (make execute)")


# --------------------------------------------------------------------------- generated pages

@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_execution_is_recorded_for_the_status_page(path):
    """status.md shows each notebook's execution time (nbclient's cell timestamps) and
    the library versions it used (recorded by `make execute`, tools/execute.py)."""
    nb = load(path)
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    timed = [c for c in code if "shell.execute_reply" in c.get("metadata", {}).get("execution", {})]
    assert len(timed) == len(code), f"{path.name}: cell timings missing: re-execute with make execute"
    env = nb["metadata"].get("book", {}).get("environment", {})
    assert env.get("python") and env.get("packages"), (
        f"{path.name}: library versions not recorded: re-execute with make execute")
    assert "numpy" in env["packages"]


def test_preview_figure_is_the_books_first_figure():
    """README.md and the landing page show images/preview.png, the first figure of the
    first chapter; `make book` rewrites it when that figure changes (commit it)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from book_site import PREVIEW, first_figure, toc_notebooks
    finally:
        sys.path.remove(str(ROOT / "tools"))
    figure = next(f for f in map(first_figure, toc_notebooks(ROOT)) if f)
    assert (ROOT / PREVIEW).read_bytes() == figure[0], f"{PREVIEW} is stale: run make book and commit it"
    assert f"]({PREVIEW.as_posix()})" in (ROOT / "README.md").read_text()
    assert "{book-preview}" in (ROOT / "intro.md").read_text()


def _solution_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"
            and source(c).lstrip().lower().startswith("# solution")]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_solutions_stay_hidden_until_asked(path):
    """A solution shows neither its code nor its output (e.g. "Correct! ...") until the
    reader asks: on the site one toggle folds the whole cell (tag hide-cell); in
    JupyterLab its source and outputs start collapsed. `make execute` sets both."""
    for cell in _solution_cells(load(path)):
        first = source(cell).splitlines()[0]
        tags = set(cell["metadata"].get("tags", []))
        assert "hide-cell" in tags or "remove-cell" in tags, \
            f"{first!r}: needs the tag hide-cell (input and output behind one toggle)"
        assert not tags & {"hide-input", "hide-output"}, \
            f"{first!r}: hide-input/hide-output give two toggles; use hide-cell"
        jupyter = cell["metadata"].get("jupyter", {})
        assert jupyter.get("source_hidden") is True and jupyter.get("outputs_hidden") is True, \
            f"{first!r}: collapse its source and outputs in JupyterLab (make execute does)"


def test_every_chapter_with_exercises_has_hidden_solutions():
    with_solutions = [p.name for p in NOTEBOOKS if _solution_cells(load(p))]
    assert len(with_solutions) == len(NOTEBOOKS), \
        f"chapters without a '# Solution' cell: {sorted(set(p.name for p in NOTEBOOKS) - set(with_solutions))}"


def test_hide_solutions_marks_only_solution_cells():
    import nbformat
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import execute
    finally:
        sys.path.remove(str(ROOT / "tools"))
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("# Solution: three\nx = 3"),
                nbformat.v4.new_code_cell("x = ...  # your answer"),
                nbformat.v4.new_code_cell("# solution\ny = 1")]
    nb.cells[0].metadata["tags"] = ["hide-input", "nbval-ignore-output"]
    assert execute.hide_solutions(nb) == 2
    assert nb.cells[0].metadata["tags"] == ["nbval-ignore-output", "hide-cell"]
    assert nb.cells[0].metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}
    assert "tags" not in nb.cells[1].metadata and "jupyter" not in nb.cells[1].metadata
    assert nb.cells[2].metadata["tags"] == ["hide-cell"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_hidden_checks_speak_to_the_reader(path):
    """On Colab a hidden assertion cell is visible and may fail on other library
    versions: it checks claims with helpers.check_claim, whose message says what the
    text expected, what was measured and what may be the cause; never a bare assert."""
    import ast
    for cell in load(path)["cells"]:
        if cell["cell_type"] != "code" or "remove-cell" not in cell["metadata"].get("tags", []):
            continue
        text = source(cell)
        try:
            tree = ast.parse("\n".join(l for l in text.splitlines() if not l.lstrip().startswith(("%", "!"))))
        except SyntaxError as exc:
            pytest.fail(f"hidden cell does not parse ({exc}): {text[:80]!r}")
        bare = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        assert not bare, (f"hidden cell uses assert (line {bare[0]}) instead of "
                          f"check_claim: {text.splitlines()[0][:80]!r}")


def _pins(path):
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_helpers_floors_are_the_versions_the_compat_environment_tests():
    """pyproject's floors promise what `make test-compat` proves, no lower and no higher."""
    import tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    compat = _pins(ROOT / "requirements-compat.txt")
    pinned = _pins(ROOT / "requirements.txt")
    specs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        specs += extra
    floors = {}
    for spec in specs:
        name, _, version = spec.partition(">=")
        assert version and "<" not in spec and "==" not in spec, f"{spec}: a floor only, no cap"
        floors[name.strip().lower()] = version.strip()
    assert set(floors) == {"numpy", "matplotlib", "keras", "tensorflow", "ipywidgets", "jax"}
    for name, floor in floors.items():
        assert compat.get(name) == floor, \
            f"{name}: pyproject's floor {floor} but requirements-compat.txt tests {compat.get(name)}"
        assert name in pinned, f"{name} is not pinned in requirements.txt"
    assert project["requires-python"] == ">=3.11"
    assert (ROOT / "runtime.txt").read_text().strip() == "python-3.11"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_fits_the_site_column(path):
    """The site's code column shows about 79 characters at a 1280-pixel window:
    a longer line scrolls sideways, and a reader on the page loses its end."""
    long = [line for cell in load(path)["cells"] if cell["cell_type"] == "code"
            and "remove-cell" not in cell["metadata"].get("tags", [])
            for line in source(cell).splitlines() if len(line) > 79]
    assert not long, f"{len(long)} code line(s) over 79 characters, e.g. {long[0]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_is_folded_on_the_site(path):
    """Site readers do not run the Colab setup cell: it is folded behind a toggle
    (tag hide-input, set by `make execute`), and stays open in JupyterLab/Colab."""
    setup = next(c for c in load(path)["cells"] if c["cell_type"] == "code")
    assert source(setup).startswith("# Setup"), "the first code cell is the setup cell"
    assert "hide-input" in setup["metadata"].get("tags", [])
    assert not setup["metadata"].get("jupyter", {}).get("source_hidden"), \
        "the setup cell stays open in JupyterLab and Colab, where it runs"
