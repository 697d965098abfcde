# The two quick-start commands (README): `make demo` and `make test`. Each sets up
# everything it needs on a fresh machine first: system packages (a CJK font for Chinese
# documents, the libraries WeasyPrint draws and subsets fonts with, poppler-utils to look at
# PDFs) and a
# virtualenv in .venv.
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed
EXAMPLE ?= examples/huaxia-liquor
# The examples' statements after go-live start the day after their history (make demo).
GO_LIVE ?= 2026-01-01
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system demo test lint examples clean

setup: system $(STAMP)

# Fonts: Noto Sans (fonts-noto-core) and Noto Sans CJK SC (fonts-noto-cjk, 91 MB installed)
# set the documents, both with a real bold; WenQuanYi and DejaVu stand in where they are
# missing. chromium-headless-shell (no GTK, no recommends) screenshots the HTML proposal in
# the tests. Each package is installed only when it is missing, so a second run does nothing.
system:
	@if ! fc-list 2>/dev/null | grep -q "WenQuanYi Micro Hei" || ! command -v pdftoppm >/dev/null \
	    || ! fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" \
	    || ! fc-list 2>/dev/null | grep -q "NotoSans-Bold" \
	    || ! ldconfig -p 2>/dev/null | grep -q libharfbuzz-subset; then \
	  if command -v apt-get >/dev/null; then \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	      fonts-wqy-microhei fonts-dejavu-core fonts-noto-core fonts-noto-cjk fontconfig \
	      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	      poppler-utils >/dev/null; \
	  else echo "install Noto Sans, Noto Sans CJK SC, pango and poppler-utils"; exit 1; fi; \
	fi
	@if ! command -v chromium-headless-shell >/dev/null && ! command -v chromium >/dev/null; then \
	  if command -v apt-get >/dev/null; then \
	    $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
	      --no-install-recommends chromium-headless-shell >/dev/null; \
	  else echo "install chromium (headless) for the HTML tests"; exit 1; fi; \
	fi

$(STAMP): pyproject.toml constraints.txt
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

demo: setup
	mkdir -p out
	$(BIN)/cashmgmt propose $(EXAMPLE) -o out/$(notdir $(EXAMPLE))-proposal.pdf
	@# the review after go-live, where the example ships statements (statements/README.md)
	if [ -d $(EXAMPLE)/statements/after-go-live ]; then \
	  $(BIN)/cashmgmt review $(EXAMPLE) --structure solution --go-live $(GO_LIVE) \
	    --actuals $(EXAMPLE)/statements/after-go-live --json > out/$(notdir $(EXAMPLE))-review.json; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest

examples: setup
	$(BIN)/python examples/generate.py

clean:
	rm -rf $(VENV) dist build .mypy_cache .ruff_cache .pytest_cache out
