"""Execute chapter notebooks in place, top to bottom on a fresh kernel (`make execute`).

Run by the Makefile as ``python tools/execute.py chapters/01_first_look.ipynb ...``.
nbclient records each cell's start and end times in its metadata
(``execution``); this script also records which library versions the notebook
actually used, in the notebook's metadata under ``book.environment``: every
distribution that the notebook imported, beyond what a bare kernel imports.
The status page of the book (status.md, see tools/book_site.py) is generated
from both.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

TIMEOUT = 1800  # seconds per cell; chapter 8 trains for a few minutes

# Run in the notebook's own kernel after its last cell (then removed): the
# distributions behind every module imported so far, with their versions.
PROBE = """\
import sys as _sys, platform as _platform, importlib.metadata as _md
_dists = _md.packages_distributions()
print(__import__("json").dumps({
    "python": _platform.python_version(),
    "platform": f"{_platform.system()} {_platform.machine()}",
    "packages": {d: _md.version(d) for m in list(_sys.modules)
                 for d in _dists.get(m.partition(".")[0], [])},
    "helpers_file": getattr(_sys.modules.get("helpers"), "__file__", None),
}))
"""


def _probe(nb, cwd):
    """Execute PROBE as the last cell of `nb` (in place) and return its result."""
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    try:
        NotebookClient(nb, timeout=TIMEOUT, resources={"metadata": {"path": str(cwd)}},
                       # one output per print (no empty boxes on the site), and no
                       # widget state: explorers are static figures when executed
                       coalesce_streams=True, store_widget_state=False).execute()
        probe = nb.cells[-1]
        text = "".join(o.get("text", "") for o in probe.outputs if o.get("name") == "stdout")
        return json.loads(text.strip().splitlines()[-1])
    finally:
        del nb.cells[-1]


def baseline_packages(cwd):
    """What a bare kernel imports by itself (ipykernel, traitlets, ...)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return set(_probe(nb, cwd)["packages"])


SOLUTION_PREFIX = "# solution"


def is_solution(cell) -> bool:
    """A solution cell is a code cell whose source starts with "# Solution"."""
    return cell.cell_type == "code" and cell.source.lstrip().lower().startswith(SOLUTION_PREFIX)


def hide_solutions(nb) -> int:
    """Hide every solution cell, input and output, until the reader asks.

    On the site the tag ``hide-cell`` folds the whole cell behind one toggle;
    in JupyterLab (and the notebook viewers that follow its metadata) the
    source and the outputs start collapsed. Returns the number of solutions.
    """
    count = 0
    for cell in nb.cells:
        if not is_solution(cell):
            continue
        count += 1
        tags = [t for t in cell.metadata.get("tags", []) if t not in ("hide-input", "hide-output")]
        if "hide-cell" not in tags:
            tags.append("hide-cell")
        cell.metadata["tags"] = tags
        cell.metadata.setdefault("jupyter", {}).update(source_hidden=True, outputs_hidden=True)
    return count


SETUP_PREFIX = "# setup"


def fold_setup(nb) -> bool:
    """Fold the chapter's Colab setup cell on the site (tag ``hide-input``).

    Readers of the site do not run it; a toggle still shows it. In JupyterLab
    and Colab it stays open, since that is where it runs. Returns whether the
    notebook has one (its first code cell, starting with "# Setup").
    """
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    if not code or not code[0].source.lstrip().lower().startswith(SETUP_PREFIX):
        return False
    tags = code[0].metadata.setdefault("tags", [])
    if "hide-input" not in tags:
        tags.append("hide-input")
    return True


def prepare(nb) -> None:
    """What `make execute` settles in every notebook before executing it."""
    hide_solutions(nb)
    fold_setup(nb)


def execute(path: Path, baseline: set[str]) -> float:
    nb = nbformat.read(path, as_version=4)
    prepare(nb)
    start = time.perf_counter()
    env = _probe(nb, path.parent)  # raises CellExecutionError on a failing cell
    seconds = time.perf_counter() - start
    env.pop("helpers_file", None)
    env["packages"] = dict(sorted((k, v) for k, v in env["packages"].items() if k not in baseline))
    nb.metadata.setdefault("book", {})["environment"] = env
    nbformat.write(nb, path)
    return seconds


def check(paths: list[Path]) -> int:
    """Execute each notebook on a fresh kernel without writing it (`make test-compat`).

    Every cell must run: an exception, including a failed hidden check
    (helpers.check_claim), fails the run. Outputs are not compared, since other
    library versions may change the last digits. The kernel must be this
    interpreter's (the compat virtual environment), or the check proves nothing.
    """
    from nbclient.exceptions import CellExecutionError

    failed, total = [], 0.0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        start = time.perf_counter()
        try:
            env = _probe(nb, path.parent)
        except CellExecutionError as exc:
            seconds = time.perf_counter() - start
            failed.append(path)
            print(f"FAILED {path} after {seconds:.0f} s:\n{exc}", flush=True)
            continue
        seconds = time.perf_counter() - start
        total += seconds
        if env["python"] != platform.python_version():
            failed.append(path)
            print(f"FAILED {path}: its kernel ran Python {env['python']}, not this "
                  f"environment's {platform.python_version()} (a foreign 'python3' "
                  "kernelspec?)", flush=True)
            continue
        if env.get("helpers_file") and "site-packages" not in env["helpers_file"]:
            failed.append(path)
            print(f"FAILED {path}: helpers came from {env['helpers_file']}, not from the "
                  "installed package (is the repository on PYTHONPATH?)", flush=True)
            continue
        libs = ", ".join(f"{k} {v}" for k, v in sorted(env["packages"].items())
                         if k in ("numpy", "tensorflow", "keras", "jax", "matplotlib",
                                  "ipywidgets"))
        print(f"ok {path} in {seconds:.0f} s (python {env['python']}; {libs})", flush=True)
    print(f"{len(paths) - len(failed)} passed, {len(failed)} failed "
          f"(compat execution, {total:.0f} s)", flush=True)
    return 1 if failed else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--check", action="store_true",
                        help="execute without writing: fail on any error (make test-compat)")
    args = parser.parse_args(argv)
    if args.check:
        return check(args.notebooks)
    baseline = baseline_packages(Path.cwd())
    for path in args.notebooks:
        print(f"executing {path} ...", flush=True)
        seconds = execute(path, baseline)
        print(f"executed {path} in {seconds:.0f} s (python {platform.python_version()})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
