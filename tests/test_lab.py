"""The live explorers, as a reader meets them in JupyterLab.

A JupyterLab server (the one in .venv) is started on 127.0.0.1 with a token
and a free port, on a copy of the chapters (nothing is saved into the
repository), and stopped at the end. In headless Chromium (Debian's
`chromium`, driven by Playwright, as in test_site.py) each chapter that calls
`helpers.interactive.explore` is opened, all its cells are run on a live
kernel (no BOOK_STATIC_WIDGETS: the full ipywidgets explorer), no cell may
show an error (except a cell tagged raises-exception, which shows one on
purpose), and moving the explorer's first control must make the kernel redraw
the figure. The time each chapter takes goes to artifacts/lab-report.json.

Without Chromium or JupyterLab the test skips, saying why.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from test_site import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "artifacts"
CHAPTERS = sorted(p for p in (ROOT / "chapters").glob("*.ipynb")
                  if any("explore(" in "".join(c["source"])
                         for c in json.loads(p.read_text())["cells"]
                         if c["cell_type"] == "code"))
RUN_TIMEOUT = 600  # seconds for one chapter's cells (chapter 4 trains a model)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.is_file() or shutil.which("jupyter-lab", path=str(jupyter.parent)) is None:
        pytest.skip("the JupyterLab test needs JupyterLab in the environment (requirements.txt)")
    home = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "chapters", home / "chapters",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings = home / "settings" / "@jupyterlab" / "docmanager-extension"
    settings.mkdir(parents=True)
    (settings / "plugin.jupyterlab-settings").write_text('{"autosave": false}')
    # every cell in the page (JupyterLab 4 otherwise renders only those in view)
    tracker = home / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True)
    (tracker / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    port, token = _free_port(), secrets.token_hex(16)
    env = {k: v for k, v in os.environ.items() if k != "BOOK_STATIC_WIDGETS"}  # live
    env.update(JUPYTER_RUNTIME_DIR=str(home / "runtime"), JUPYTER_CONFIG_DIR=str(home / "config"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={home}",
         f"--LabApp.user_settings_dir={home / 'settings'}",
         f"--LabApp.workspaces_dir={home / 'workspaces'}",
         "--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if server.poll() is not None or time.time() > deadline:
                    pytest.fail("JupyterLab did not start:\n"
                                + (home / "server.log").read_text()[-3000:])
                time.sleep(0.5)
        yield {"base": base, "token": token}
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


# Run every cell on the live kernel; resolve when the kernel is idle and every
# code cell has run, with the errors of cells not tagged raises-exception.
RUN_ALL_JS = """
async (timeoutMs) => {
  const app = window.jupyterapp;
  const panel = app.shell.currentWidget;
  await panel.context.ready;
  await panel.sessionContext.ready;
  const model = panel.content.model;
  const code = () => [...Array(model.cells.length).keys()]
    .map(i => model.cells.get(i)).filter(c => c.type === "code");
  await app.commands.execute("notebook:run-all-cells");
  const start = Date.now();
  const kernel = () => panel.sessionContext.session.kernel;
  while (true) {
    await new Promise(r => setTimeout(r, 500));
    const done = code().every(c => c.executionCount !== null);
    if (done && kernel().status === "idle") break;
    if (Date.now() - start > timeoutMs) {
      const left = code().filter(c => c.executionCount === null).length;
      return {timeout: true, left};
    }
  }
  const errors = [];
  code().forEach((c, i) => {
    const tags = c.getMetadata("tags") || [];
    for (const o of c.outputs.toJSON())
      if (o.output_type === "error" && !tags.includes("raises-exception"))
        errors.push(`code cell ${i + 1}: ${o.ename}: ${o.evalue}`.slice(0, 300));
  });
  return {timeout: false, errors, cells: code().length};
}
"""

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook on show
FIGURE_JS = f"""
() => {{ const img = document.querySelector("{PANEL} .widget-interact img");
        return img ? img.getAttribute("src") : null; }}
"""


def _move_first_control(page) -> str:
    """Move the explorer's first control as a reader does; say how."""
    panel = page.locator(f"{PANEL} .widget-interact").first
    control = panel.locator(".widget-text input, .noUi-handle, input[type=checkbox], select").first
    kind = control.evaluate("e => e.className + ' ' + e.tagName")
    if "noUi-handle" in kind:  # an ipywidgets 8 slider: keyboard on its handle
        control.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        return "slider handle, ArrowRight x3"
    if kind.endswith("INPUT") and control.get_attribute("type") in (None, "text"):
        control.fill("2, 3")
        control.press("Enter")
        return "text box, typed 2, 3 + Enter"
    control.click()
    return f"clicked {kind}"


def _shut_down_kernels(lab) -> None:
    """Free the machine for the next chapter: stop every kernel of the server."""
    auth = {"Authorization": f"token {lab['token']}"}
    with urllib.request.urlopen(urllib.request.Request(f"{lab['base']}/api/kernels",
                                                       headers=auth)) as r:
        kernels = json.load(r)
    for k in kernels:
        urllib.request.urlopen(urllib.request.Request(
            f"{lab['base']}/api/kernels/{k['id']}", method="DELETE", headers=auth))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_explorer_runs_live_in_jupyterlab(lab, path):
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("the JupyterLab test needs Chromium: no `chromium` on PATH or "
                    "/usr/bin/chromium (Debian: apt-get install chromium), or set BOOK_CHROMIUM")
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="the JupyterLab test needs Playwright")
    start = time.perf_counter()
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(f"uncaught exception: {e}"))
        # a workspace of its own: no notebook of an earlier test reopens
        page.goto(f"{lab['base']}/lab/workspaces/{path.stem}/tree/chapters/{path.name}"
                  f"?reset&token={lab['token']}",
                  wait_until="load")
        page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell.currentWidget"
            " && window.jupyterapp.shell.currentWidget.sessionContext", timeout=60_000)
        run = page.evaluate(RUN_ALL_JS, RUN_TIMEOUT * 1000)
        ran = time.perf_counter() - start
        assert not run["timeout"], f"{path.name}: {run['left']} cells had not run after {RUN_TIMEOUT} s"
        problems += run["errors"]
        page.locator(f"{PANEL} .widget-interact").first.scroll_into_view_if_needed()
        page.wait_for_function(FIGURE_JS, timeout=30_000)
        before = page.evaluate(FIGURE_JS)
        how = _move_first_control(page)
        try:
            page.wait_for_function(f"() => ({FIGURE_JS})() && ({FIGURE_JS})() !== {json.dumps(before)}",
                                   timeout=30_000)
        except sync_api.TimeoutError:
            problems.append(f"moving the explorer's first control ({how}) did not redraw the figure")
        browser.close()
    _shut_down_kernels(lab)
    seconds = time.perf_counter() - start
    ARTIFACTS.mkdir(exist_ok=True)
    report = ARTIFACTS / "lab-report.json"
    data = json.loads(report.read_text()) if report.is_file() else {}
    data[path.name] = {"seconds": round(seconds, 1), "run_all_seconds": round(ran, 1),
                       "cells": run.get("cells"), "moved": how}
    report.write_text(json.dumps(data, indent=1))
    assert not problems, f"{path.name} in JupyterLab:\n" + "\n".join(problems)
