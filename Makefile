# The project's front door: `make help` lists every target.
SHELL := bash
.DEFAULT_GOAL := help
.PHONY: help venv node_modules chromium wrk postgres postgres-start postgres-stop test-postgres gate check lint format typecheck unit generated test validate generate docs bench-suite bench-mock bench-remote bench-proxy mock proxy lock clean

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# Redocly CLI asks the network for telemetry and for a newer release; neither is reachable here.
QUIET_NODE := REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
SPEC ?= spec/openapi.yaml
MOCK_PORT ?= 8000
UPSTREAM ?= http://127.0.0.1:$(MOCK_PORT)/v1
PROFILE ?= default
BASE ?= origin/main
PACKAGES := spec generators contract_tests mock_server gate docs_site hopdrive proxy testbeds
CHROMIUM := /usr/bin/chromium
# The load generator of bench-mock: Debian bookworm's build, pinned.
WRK := /usr/bin/wrk
WRK_VERSION := 4.1.0-3+b2
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
# PostgreSQL for the shared-sandbox tests: Debian's server, a throw-away cluster on loopback.
PG_PORT ?= 55432
PG_DATA := /tmp/hopdrive-postgres-$(PG_PORT)
PG_URL := postgresql://hopdrive@127.0.0.1:$(PG_PORT)
PG_BIN = $(patsubst %/initdb,%,$(lastword $(sort $(wildcard /usr/lib/postgresql/*/bin/initdb))))
# initdb refuses to run as root; as root the cluster belongs to Debian's postgres user.
PG_AS := $(if $(filter 0,$(shell id -u)),runuser -u postgres --,)

help: ## list every target, one line each
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z_-]*:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

venv: $(STAMP) ## create .venv and install the project with its pinned dependencies

check: lint typecheck generated unit ## the project's own tests: ruff, Spectral, Redocly, mypy, fresh generated/, pytest (CI)

lint: $(STAMP) $(NODE_STAMP) ## ruff (lint rules, formatting); Spectral and Redocly on the spec, no warning
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/spectral lint --fail-severity=warn --display-only-failures $(SPEC)
	$(QUIET_NODE) node_modules/.bin/redocly lint $(SPEC)

format: $(STAMP) ## rewrite the code in ruff's format and apply its safe fixes
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: $(STAMP) ## mypy --strict on the packages, their tests and the benchmarks
	$(BIN)/mypy $(PACKAGES) tests bench

generated: $(STAMP) $(NODE_STAMP) ## fail, naming the file, when generated/ differs from a fresh generation
	$(BIN)/hopdrive-generate --check

generate: $(STAMP) $(NODE_STAMP) ## write generated/ (JSON Schemas, Python stubs, TypeScript) from the spec
	$(BIN)/hopdrive-generate

node_modules: $(NODE_STAMP) ## install the pinned npm tools (openapi-typescript, typescript, redocly, spectral, mermaid, prism)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium: $(CHROMIUM) ## install Debian's chromium (apt-get) for the docs browser test

# Debian's archive keeps only the current security build, so the release pins it, not a version.
$(CHROMIUM):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q chromium

wrk: $(WRK) ## install Debian's wrk (apt-get, pinned) for make bench-mock

$(WRK):
	$(SUDO) apt-get update -q
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q wrk=$(WRK_VERSION)

postgres: ## install (apt-get, once) and start PostgreSQL on 127.0.0.1:$(PG_PORT) for the tests
	@test -n "$(PG_BIN)" || { $(SUDO) apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q postgresql; }
	@$(MAKE) --no-print-directory postgres-start

postgres-start:
	@mkdir -p $(PG_DATA) && $(if $(PG_AS),chown postgres $(PG_DATA),true)
	@test -f $(PG_DATA)/PG_VERSION || $(PG_AS) $(PG_BIN)/initdb -D $(PG_DATA) -U hopdrive \
		--auth=trust -E UTF8 >/dev/null
	@$(PG_AS) $(PG_BIN)/pg_ctl -D $(PG_DATA) status >/dev/null || $(PG_AS) $(PG_BIN)/pg_ctl \
		-D $(PG_DATA) -l $(PG_DATA)/server.log -w -o "-p $(PG_PORT) -k $(PG_DATA) \
		-c listen_addresses=127.0.0.1" start >/dev/null
	@echo "postgres: $(PG_URL)/postgres"

postgres-stop: ## stop the tests' PostgreSQL (make postgres starts it)
	@test ! -f $(PG_DATA)/postmaster.pid || $(PG_AS) $(PG_BIN)/pg_ctl -D $(PG_DATA) stop -m fast

unit: $(STAMP) $(NODE_STAMP) $(CHROMIUM) postgres ## pytest over tests/ (PostgreSQL started first)
	HOPDRIVE_TEST_POSTGRES=$(PG_URL)/postgres $(BIN)/pytest -n auto

test: $(STAMP) ## the contract suite against BASE_URL, or the bundled mock; PROFILE=quick|default|deep
	$(BIN)/hopdrive-contract $(if $(BASE_URL),--base-url $(BASE_URL)) --profile $(PROFILE) \
		$(if $(WORKERS),--workers $(WORKERS)) $(if $(RATE_LIMIT),--rate-limit $(RATE_LIMIT)) \
		$(if $(MIN_COVERAGE),--min-coverage $(MIN_COVERAGE)) \
		$(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(REQUIRE),--require $(REQUIRE)) \
		$(if $(MOCK_DB),--mock-db $(MOCK_DB)) $(if $(MOCK_WORKERS),--mock-workers $(MOCK_WORKERS)) \
		$(PYTEST_ARGS)

test-postgres: $(STAMP) postgres ## make test against the bundled mock on PostgreSQL, two workers
	psql -q -h 127.0.0.1 -p $(PG_PORT) -U hopdrive -d postgres \
		-c "DROP DATABASE IF EXISTS hopdrive_contract" -c "CREATE DATABASE hopdrive_contract"
	$(MAKE) --no-print-directory test MOCK_DB=$(PG_URL)/hopdrive_contract MOCK_WORKERS=2

docs: $(STAMP) $(NODE_STAMP) ## build the docs site into site/: the API reference and the lifecycle page
	$(BIN)/hopdrive-docs --out site

bench-suite: $(STAMP) ## faults caught by our suite vs plain schemathesis run, one fault at a time (~60 min)
	$(BIN)/python bench/suite_sharpness.py $(BENCH_ARGS)

bench-remote: $(STAMP) ## the default profile across a WAN on loopback (50 ms, then a 20 req/s limit) vs loopback (~10 min)
	$(BIN)/python bench/remote.py $(BENCH_ARGS)

bench-mock: $(STAMP) $(NODE_STAMP) $(WRK) ## the mock under a mixed load (wrk) vs Prism on the same spec: req/s, p50, p99
	$(BIN)/python bench/mock_load.py $(BENCH_ARGS)

bench-proxy: $(STAMP) ## latency hopdrive-proxy adds before the mock on loopback vs direct: p50, p99 (~15 s)
	$(BIN)/python bench/proxy_latency.py $(BENCH_ARGS)

validate: $(STAMP) ## validate the spec (SPEC=path to choose another): OpenAPI 3.1, $refs, lifecycle
	$(BIN)/hopdrive-spec validate $(SPEC)

gate: $(STAMP) ## spec changes since BASE=<git ref or file> (default origin/main) by oasdiff's rules; fail on unacknowledged breaks
	$(BIN)/hopdrive-gate --base $(BASE) $(GATE_ARGS)

mock: $(STAMP) ## serve the reference mock on 127.0.0.1:8000 under /v1, state in .mock/ (MOCK_PORT, MOCK_ARGS)
	@mkdir -p .mock
	$(BIN)/hopdrive-mock --port $(MOCK_PORT) --db .mock/hopdrive.db $(MOCK_ARGS)

proxy: $(STAMP) ## judge a client's traffic: the proxy on 127.0.0.1:8090 in front of UPSTREAM (default the mock on MOCK_PORT; PROXY_ARGS)
	$(BIN)/hopdrive-proxy --upstream $(UPSTREAM) $(PROXY_ARGS)

lock: ## re-pin the whole dependency tree into constraints.txt from pyproject.toml
	rm -rf $(VENV)-lock
	$(PYTHON) -m venv $(VENV)-lock
	$(VENV)-lock/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	$(VENV)-lock/bin/pip freeze --exclude-editable | sort -f > constraints.txt
	rm -rf $(VENV)-lock

clean: ## remove the virtual environment and the tools' caches
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache reports site *.egg-info .mock
