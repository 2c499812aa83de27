# Two commands set everything up on a fresh machine: `make book` and `make test`.
# Both create .venv if it is missing and install the pinned environment first.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
NB ?=
# CPU_TORCH=1 takes PyTorch from its own CPU wheel index (about 0.2 GB) instead of the default
# index, where a Linux laptop gets the CUDA build (several GB). Off by default: CI machines take
# the CPU build from a local wheel and cannot reach PyTorch's index.
CPU_TORCH ?=
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_PIN := $(shell grep '^torch==' requirements.txt)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings

.PHONY: help setup book pdf test lab serve runtimes seeds execute student lint clean

help:
	@echo "make book      build the website into _build/html (sets up .venv first)"
	@echo "make pdf       print the whole book to _build/pdf/book.pdf (needs Chromium)"
	@echo "make test      run every test: utils, notebook gates, nbval in fast mode, website, browser"
	@echo "make lab       open JupyterLab with paired .py/.ipynb chapters and live widgets"
	@echo "make serve     serve the built website on http://127.0.0.1:8000"
	@echo "make runtimes  execute every chapter in fast and full mode, store outputs and wall times"
	@echo "make seeds     run every chapter in fast mode with seeds 0-4 and record which claim rows hold (seeds.json)"
	@echo "make execute NB=notebooks/04_plg_finite_differences.py   execute one chapter in full mode and store outputs"
	@echo "make student   generate the student edition into _build/student and an nbgrader course into _build/nbgrader"

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml package.json
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	@if [ -n "$(CPU_TORCH)" ]; then $(PY) -m pip install --quiet --index-url $(TORCH_CPU_INDEX) "$(TORCH_PIN)"; fi
	$(PY) -m pip install --quiet -r requirements.txt -r requirements-dev.txt 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(PY) -m pip install --quiet --no-deps -e .
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the website will load MathJax and the widget manager from CDNs (needs the network)."; fi
	@touch $(STAMP)

setup: $(STAMP)

book: setup
	$(PY) scripts/build_site.py

pdf: setup
	$(PY) scripts/build_pdf.py

test: setup
	$(PY) -m pytest -n 2 --dist loadgroup

lab: setup
	@mkdir -p $(LAB_SETTINGS) && cp scripts/jupyterlab_overrides.json $(LAB_SETTINGS)/overrides.json
	$(VENV)/bin/jupyter lab notebooks/00_how_to_use.ipynb

serve: book
	@echo "Serving the book at http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(PY) -m http.server --directory _build/html --bind 127.0.0.1 8000

runtimes: setup
	$(PY) scripts/execute.py --fast $(NB)
	$(PY) scripts/execute.py --write $(NB)
	$(PY) scripts/report.py readme

seeds: setup
	$(PY) scripts/seeds.py $(NB)

execute: setup
	$(PY) scripts/execute.py --write $(NB)

student: setup
	$(PY) scripts/make_student.py

lint: setup
	$(VENV)/bin/ruff check utils tests scripts notebooks book/_ext

clean:
	rm -rf _build _vendor
