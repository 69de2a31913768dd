# Two commands do everything on a fresh machine (see README.md):
#   make book   set up .venv from requirements.txt, then build the site (warnings are errors)
#   make test   set up .venv from requirements.txt, then run every test (pytest)
# Also: make execute [NB=chapters/xx.ipynb]  re-execute notebook(s) in place;
#       make lab                             open the book in JupyterLab;
#       make pdf                             the whole book as _build/pdf/book.pdf;
#       make test-compat [NB=...]            execute every chapter on the oldest
#                                            supported stack (Colab-like, Python 3.12).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
NB ?= chapters/*.ipynb

.PHONY: book pdf test test-compat execute lab clean

$(BIN)/.installed: requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# The site links the whole book as a PDF (_build/html/book.pdf): printed from a
# one-page build by headless Chromium (tools/make_pdf.py), rebuilt only when a
# source changed. Without Chromium the site is built and the PDF skipped.
# (tools/make_pdf.py's sources() lists the same files.)
PDF_SOURCES := $(wildcard chapters/*.ipynb) intro.md status.md glossary.md _toc.yml _config.yml \
	tools/book.css $(wildcard tools/*.py)

book: $(BIN)/.installed
	$(BIN)/jupyter-book build . -W -n --keep-going
	$(MAKE) --no-print-directory _build/pdf/book.pdf PDF_FLAGS=--if-possible
	test ! -f _build/pdf/book.pdf || cp _build/pdf/book.pdf _build/html/book.pdf

pdf: $(BIN)/.installed _build/pdf/book.pdf

_build/pdf/book.pdf: $(PDF_SOURCES)
	$(BIN)/python tools/make_pdf.py $(PDF_FLAGS)

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# Executes each notebook top to bottom on a fresh kernel, as CI will. Explorers
# precompute their frames (BOOK_STATIC_WIDGETS), so they play on the static site.
# tools/execute.py also records the library versions each notebook used, for
# the status page (cell timings are recorded by nbclient).
execute: $(BIN)/.installed
	BOOK_STATIC_WIDGETS=1 $(BIN)/python tools/execute.py $(NB)

# The Colab-like environment: Python 3.12 and the oldest library versions the
# book supports (requirements-compat.txt), with helpers installed NON-editable
# from this tree, as a chapter's setup cell installs it on Colab. Every chapter
# must execute top to bottom there; outputs are not compared (last digits may
# differ), but every hidden check (helpers.check_claim) must hold.
COMPAT_VENV ?= .venv-compat
COMPAT_BIN := $(COMPAT_VENV)/bin
# python3.12 on PATH, or pyenv's 3.12 (this project's machines have one)
COMPAT_PYTHON ?= $(firstword $(shell command -v python3.12 >/dev/null 2>&1 && python3.12 -c "" 2>/dev/null && echo python3.12) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12) python3.12)

$(COMPAT_BIN)/.installed: requirements-compat.txt
	rm -rf $(COMPAT_VENV)
	$(COMPAT_PYTHON) -m venv $(COMPAT_VENV)
	$(COMPAT_BIN)/python -m pip install --quiet --upgrade pip
	$(COMPAT_BIN)/python -m pip install --quiet -r requirements-compat.txt
	touch $@

test-compat: $(COMPAT_BIN)/.installed
	$(COMPAT_BIN)/python -m pip install --quiet --force-reinstall --no-deps .
	$(COMPAT_BIN)/python -m pip check
	BOOK_STATIC_WIDGETS=1 $(COMPAT_BIN)/python tools/execute.py --check $(NB)

lab: $(BIN)/.installed
	$(BIN)/jupyter lab chapters/

clean:
	rm -rf _build
