# Two entry points for a newcomer (see README):
#   make demo  — install the package and run the main job on the bundled example county
#   make test  — install system and Python test dependencies (says which and why), lint, run the tests
#                (the fast set only: .venv/bin/python -m pytest -m "not slow")
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
	@echo "make test: 安装 sandao 及测试依赖到 $(VENV)（pytest、hypothesis、openpyxl、ruff、selenium、frictionless；"
	@echo "           province 可选依赖 pyarrow、duckdb —— 测试覆盖 sandao export / rollup）"
	$(BIN)/pip install -q -e '.[test,province]'
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

bench: venv
	$(BIN)/pip install -q .
	$(BIN)/sandao bench
