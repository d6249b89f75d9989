# Two entry points for a newcomer (see README):
#   make demo  — install the package and run the main job on the bundled example county
#   make test  — install system and Python test dependencies, lint, and run the test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test venv system-deps bench lint

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

venv: $(BIN)/python

demo: venv
	$(BIN)/pip install -q .
	$(BIN)/sandao demo --out sandao-demo

system-deps:
	sh .ci/system-deps.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: system-deps venv
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/pip install -q .
	$(BIN)/sandao bench
