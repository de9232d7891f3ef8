# Set-up and everyday commands. `make demo` and `make test` are the README's Quick start.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
# python3.12 may be a pyenv shim that refuses to run unless selected; find a real 3.12 interpreter.
PYTHON312 := $(shell for c in python3.12 $$HOME/.pyenv/versions/3.12*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	$$c -c 'import sys; assert sys.version_info[:2] == (3, 12)' >/dev/null 2>&1 && { echo $$c; break; }; done)

.PHONY: setup demo test test-fast lint dev docs clean

$(BIN)/.installed: pyproject.toml
	@test -n "$(PYTHON312)" || { echo "Python 3.12 not found (python3.12)"; exit 1; }
	$(PYTHON312) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

dbt_project/target/manifest.json: $(BIN)/.installed $(shell find dbt_project/models dbt_project/macros dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir .
	@touch $@

setup: $(BIN)/.installed dbt_project/target/manifest.json

demo: setup
	$(BIN)/treem demo

# The whole suite, slow tests included (soak, competing runs, rebuild, bench, PostgreSQL), on two worker
# processes: the slow tests mostly wait on subprocesses (dbt, the Dagster daemon), so the other worker runs
# the rest meanwhile. Each worker builds its own fixture warehouse; `-n 0` runs everything in one process.
PYTEST_WORKERS ?= 2
test: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder

# While iterating: everything but the tests marked `slow`.
test-fast: setup
	$(BIN)/ruff check .
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist loadgroup --no-loadscope-reorder -m "not slow"

lint: setup
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

dev: setup
	$(BIN)/treem dev

clean:
	rm -rf warehouse/*.duckdb* dbt_project/target .dagster_home

# The docs site fetches manifest.json and catalog.json over HTTP, so a file:// open shows nothing: serve it.
DOCS_PORT ?= 8080
docs: setup
	cd dbt_project && ../$(BIN)/dbt docs generate --quiet --profiles-dir . --target-path ../warehouse/dbt-docs
	@echo "dbt docs on http://127.0.0.1:$(DOCS_PORT) (Ctrl-C stops)"
	cd dbt_project && ../$(BIN)/dbt docs serve --profiles-dir . --target-path ../warehouse/dbt-docs \
		--host 127.0.0.1 --port $(DOCS_PORT) --no-browser
