# Two commands do everything on a fresh machine (see README.md):
#   make book   set up .venv from requirements.txt, then build the site (warnings are errors)
#   make test   set up .venv from requirements.txt, then run every test (pytest)
# Also: make execute [NB=chapters/xx.ipynb]  re-execute notebook(s) in place;
#       make lab                             open the book in JupyterLab.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NB ?= chapters/*.ipynb

.PHONY: book test execute lab clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

book: $(BIN)/.installed
	$(BIN)/jupyter-book build . -W -n --keep-going

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# Executes each notebook top to bottom on a fresh kernel, as CI will. Explorers
# draw their static default figure (BOOK_STATIC_WIDGETS) so the site shows it.
# tools/execute.py also records the library versions each notebook used, for
# the status page (cell timings are recorded by nbclient).
execute: $(BIN)/.installed
	BOOK_STATIC_WIDGETS=1 $(BIN)/python tools/execute.py $(NB)

lab: $(BIN)/.installed
	$(BIN)/jupyter lab chapters/

clean:
	rm -rf _build
