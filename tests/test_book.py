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
    for cell in load(path)["cells"]:
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
