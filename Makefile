# Palermo: two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
PERSONS ?= 5000

.PHONY: help install dev demo test test-slow lint format bench docs clean

help:
	@echo "make demo       set up, build the demo world into the embedded store, run the platform"
	@echo "make test       set up with dev extras, run the default test suite"
	@echo "make test-slow  the long runs (marker 'slow')"
	@echo "make lint       ruff and mypy --strict"
	@echo "make bench      benchmarks; figures go to docs/benchmarks.md"
	@echo "make docs       regenerate docs/cli.md from the command line's own help"
	@echo "make install    install Palermo into .venv"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

dev: $(VENV)/.installed-dev

demo: $(VENV)/.installed
	$(BIN)/palermo demo --persons $(PERSONS)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test-slow: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m slow

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(VENV)/.installed-dev
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

docs: $(VENV)/.installed-dev
	$(BIN)/typer palermo.cli._app utils docs --name palermo --output docs/cli.md

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/scenario.py

clean:
	rm -rf $(VENV) .palermo build dist .pytest_cache .mypy_cache .ruff_cache
