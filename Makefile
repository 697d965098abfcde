# The two quick-start commands (README): `make demo` and `make test`. Each sets up
# everything it needs on a fresh machine first (a virtualenv in .venv).
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EXAMPLE ?= examples/huaxia-liquor

.PHONY: setup demo test lint examples clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: setup
	$(BIN)/cashmgmt check $(EXAMPLE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

examples: setup
	$(BIN)/python examples/generate.py

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache
