# propdesk: two commands. `make run` sets up and starts everything; `make test` runs every test.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
PG_URL  ?= postgres://postgres@127.0.0.1:5432/propdesk

.PHONY: run test test-sqlite test-postgres lint lock bench clean

$(BIN)/.installed: requirements.lock requirements-dev.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock -r requirements-dev.lock
	touch $@

.env:
	@echo "SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env with a new SECRET_KEY"

## Set up (venv, database, demo data on first start) and start the web server and the worker.
run: $(BIN)/.installed .env
	bin/run

## Every test: lint, migrations and schema drift, the suite on SQLite and on PostgreSQL.
test: $(BIN)/.installed
	bin/test

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Re-pin the dependencies after editing requirements*.in.
lock:
	uv pip compile --python-version 3.11 --generate-hashes -q requirements.in -o requirements.lock
	uv pip compile --python-version 3.11 --generate-hashes -q requirements-dev.in -o requirements-dev.lock

bench: $(BIN)/.installed
	bench/run-all

clean:
	rm -rf $(VENV) var db.sqlite3* .pytest_cache
