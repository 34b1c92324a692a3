PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test lint typecheck docs unit schema bench clean test-evershop check system-deps \
	system-present

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Serve http://127.0.0.1:8000/graphql (GraphiQL). No sources configured = the in-process sandbox.
run: $(STAMP)
	$(BIN)/customer-gateway serve --host 127.0.0.1 --port 8000

## ruff, import contracts, mypy --strict, the docs site (links and anchors), pytest with a 90 %
## branch-coverage floor
test: lint typecheck docs unit

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

## docs/ built with MkDocs into a temporary directory (removed): --strict fails on a broken link,
## anchor or a page missing from mkdocs.yml's nav
docs: $(STAMP)
	@site=$$(mktemp -d) && trap 'rm -rf "$$site"' EXIT && \
		$(BIN)/mkdocs build --strict --quiet --site-dir "$$site" && echo "docs: mkdocs build --strict ok"

# The 10,000 generated documents of the executor's differential test run in a pytest of their own,
# without the coverage tracer (several times slower under it); every other test is covered.
GENERATED_DIFFERENTIAL := tests/api/test_executor_differential.py::test_generated_documents_answer_the_same_bytes

unit: $(STAMP)
	$(BIN)/pytest -q --cov --cov-report=term --deselect $(GENERATED_DIFFERENTIAL)
	$(BIN)/pytest -q -p no:cacheprovider $(GENERATED_DIFFERENTIAL)

## A real EverShop 2.2.1 on the local PostgreSQL 15 and the parity suite (tools/evershop/harness.py)
test-evershop: $(STAMP)
	$(BIN)/python tools/evershop/harness.py

## Rewrite schema.graphql from the live schema (review the diff before committing)
schema: $(STAMP)
	$(BIN)/customer-gateway export-schema > schema.graphql

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache site

## Real clients and a real browser (not part of `make test`): the Python gql client, Apollo
## Client on Node (persisted queries too), graphql-ws and graphql-sse (live updates), GraphiQL
## in headless Chromium, and a supergraph of
## the gateway and an orders subgraph under Hive Gateway, against processes on 127.0.0.1.
## Needs Debian's chromium (`make system-deps`); installs the pinned node packages (`npm ci`).
CLIENTS_NODE := tests/clients/node
# Hive Gateway and its compose-cli (pinned): the benchmarks' peer and the federation test's router.
BENCH_PEER := bench/peer
BENCH_STAMP := $(BENCH_PEER)/node_modules/.bench-installed

$(BENCH_STAMP): $(BENCH_PEER)/package.json $(BENCH_PEER)/package-lock.json
	cd $(BENCH_PEER) && npm ci --no-audit --no-fund --loglevel=error
	touch $@

CLIENTS_STAMP := $(CLIENTS_NODE)/node_modules/.installed

$(CLIENTS_STAMP): $(CLIENTS_NODE)/package.json $(CLIENTS_NODE)/package-lock.json
	cd $(CLIENTS_NODE) && npm ci --no-audit --no-fund
	touch $@

.PHONY: test-clients
test-clients: $(STAMP) $(CLIENTS_STAMP) $(BENCH_STAMP) system-present
	$(BIN)/pytest -q tests/clients tests/browser

## Performance table beside Hive Gateway (bench/README.md): emulators, gateway, bare Starlette and
## Hive Gateway as separate processes on 127.0.0.1, Debian's wrk as load, closed loop and fixed rate (a few
## minutes; a 1,000,000-customer export). `make bench-quick`: short windows, 100,000 customers.
## BENCH_ARGS adds options, e.g. `make bench BENCH_ARGS="--soak 600"` for the 10-minute soak.

## `make bench-instructions`: instructions per request under callgrind (Q1, Q2 N = 50), the
## working tree beside BENCH_BASELINE (default main), in one run (needs valgrind and cc).
BENCH_BASELINE ?= main

.PHONY: bench-quick bench-instructions
bench: $(STAMP) $(BENCH_STAMP) system-present
	$(BIN)/python -m bench $(BENCH_ARGS)
	$(BIN)/python -m bench.instructions --baseline $(BENCH_BASELINE)
	$(BIN)/python -m bench.mirror $(MIRROR_BENCH_ARGS)
	$(BIN)/python -m bench.identity $(IDENTITY_BENCH_ARGS)

bench-quick: $(STAMP) $(BENCH_STAMP) system-present
	$(BIN)/python -m bench --quick $(BENCH_ARGS)
	$(BIN)/python -m bench.instructions --baseline $(BENCH_BASELINE) --requests 10
	$(BIN)/python -m bench.mirror --quick $(MIRROR_BENCH_ARGS)
	$(BIN)/python -m bench.identity --customers 100000 $(IDENTITY_BENCH_ARGS)

bench-instructions: $(STAMP)
	$(BIN)/python -m bench.instructions --baseline $(BENCH_BASELINE)

## The system packages the browser test and the benchmarks use, from Debian (needs root):
## chromium (GraphiQL in a real browser), wrk (load), valgrind and gcc (instruction counts:
## bench/instructions.py). Make never installs them on its own.
SYSTEM_PACKAGES := chromium wrk valgrind gcc

system-deps:
	@echo "installing Debian packages: $(SYSTEM_PACKAGES)"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q $(SYSTEM_PACKAGES)

system-present:
	@for program in chromium wrk; do \
		command -v $$program >/dev/null || { echo "$$program is missing: run \`make system-deps\`"; exit 1; }; \
	done

## Everything CI runs (.ci/run starts PostgreSQL and Redis, installs the system packages, then
## runs this): the unit suite, the real EverShop's parity suite and the real clients.
check: test test-evershop test-clients
