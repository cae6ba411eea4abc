# make demo  — the kiosk (for now: a library demo) on the built-in mock card
# make test  — lint, type checks and the whole test suite
# make bench — benchmarks (not part of the tests)
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export QT_QPA_PLATFORM ?= offscreen

.PHONY: deps demo test lint typecheck pytest bench clean

deps:
	@tools/bootstrap.sh

demo: deps
	$(PY) -m mock_card.demo

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: deps
	$(VENV)/bin/mypy

pytest: deps
	$(PY) -m pytest -q

test: lint typecheck pytest

bench: deps
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
