# fieldservice: `make run` to try it, `make test` to check it. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run setup test test-sqlite test-pg db demo translations clean

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed requirements-test.txt
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $@

translations: $(VENV)/.installed
	$(FLASK) compile-translations

db: translations
	$(FLASK) init-db

demo: db
	$(FLASK) demo-data --if-empty

setup: demo

run: setup
	@echo ""
	@echo "  fieldservice is at http://$(HOST):$(PORT)"
	@echo "  demo logins (password: demo): agent, agent2 (call centre), tech01 … tech12 (technicians),"
	@echo "                                manager (dispatch, reports), admin (users, catalogue)"
	@echo ""
	$(FLASK) run --host $(HOST) --port $(PORT)

# The whole suite on SQLite, then the database and browser tests again on PostgreSQL when TEST_DATABASE_URL is
# set (the first run clears it: conftest takes any TEST_DATABASE_URL it sees). In CI (CI=true) PostgreSQL is
# mandatory.
test: $(VENV)/.installed-test translations
	@echo "== the whole suite on SQLite"
	TEST_DATABASE_URL= $(BIN)/python -m pytest -q tests
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL: $$TEST_DATABASE_URL"; \
		$(BIN)/python -m pytest -q tests/integration tests/web tests/e2e; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI requires the PostgreSQL run: TEST_DATABASE_URL is not set" >&2; exit 1; \
	else \
		echo "== PostgreSQL run skipped (set TEST_DATABASE_URL, or: make test-pg)"; \
	fi

test-pg: $(VENV)/.installed-test translations
	TEST_DATABASE_URL=$$(tools/pg-test-server start) $(BIN)/python -m pytest -q tests/integration tests/web tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache
