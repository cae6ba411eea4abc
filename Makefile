# make demo  — the kiosk on the built-in mock card (a library tour where there is no display)
# make test  — lint, type checks and the whole test suite
# make bench — benchmarks (not part of the tests)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: deps demo test lint typecheck pytest bench clean

deps:
	@tools/bootstrap.sh

demo: deps
	@tools/demo.sh

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

typecheck: deps
	$(VENV)/bin/mypy

pytest: deps
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q --durations=25

test: lint typecheck pytest

bench: deps
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis .import_linter_cache

# make fuzz — the long fuzz run over the parsers (atheris if installed, else hypothesis)
.PHONY: fuzz
fuzz: deps
	$(PY) fuzz/run.py

# make screenshots — every kiosk screen at 1280×800 and 1024×768, Japanese and English,
# into docs/screenshots/<size>/ (needs fonts-noto-cjk)
.PHONY: screenshots
screenshots: deps
	PYTHONPATH=. QT_QPA_PLATFORM=offscreen $(PY) tests/screenshots.py

# make console-screenshots — every page of the staff console (ja, en; 1280×800) into
# docs/screenshots/console/, from a real office and Debian's chromium
.PHONY: console-screenshots
console-screenshots: deps
	PYTHONPATH=. $(PY) tests/console_screenshots.py
