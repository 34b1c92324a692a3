PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck unit schema bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve http://127.0.0.1:8000/graphql (GraphiQL). No sources configured = the in-process sandbox.
run: $(STAMP)
	$(BIN)/customer-gateway serve --host 127.0.0.1 --port 8000

## ruff, mypy --strict, pytest
test: lint typecheck unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -q

## Rewrite schema.graphql from the live schema (review the diff before committing)
schema: $(STAMP)
	$(BIN)/customer-gateway export-schema > schema.graphql

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
