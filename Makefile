# make run  — a local MomoFlow on http://127.0.0.1:5000 (SQLite, local directory, demo data)
# make test — the test suite (PostgreSQL when TEST_DATABASE_URL is set, SQLite otherwise)

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
LOCAL := MOMOFLOW_ENV=development
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test migrate seed clean

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt tests/flows/examples/package-lock.json tests/sso/provider/package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@# axios, for the seed's Node.js example test (skipped, or failed in strict mode, without Node)
	@# and oidc-provider, the real OpenID provider the single sign-on tests start (tests/sso)
	if command -v npm >/dev/null; then npm ci --prefix tests/flows/examples --no-audit --no-fund --silent \
		&& npm ci --prefix tests/sso/provider --no-audit --no-fund --silent; \
	else echo "npm not found: the Node.js example and single sign-on tests cannot run"; fi
	touch $@

migrate: install
	$(LOCAL) $(FLASK) db upgrade

seed: migrate
	$(LOCAL) $(FLASK) seed-demo

run: seed
	@echo
	@echo "  MomoFlow is starting on http://$(HOST):$(PORT)"
	@echo "  Sign in as employee@company.com, manager@royalenfield.com or admin@company.com"
	@echo "  with the password momoflow-demo (or DEMO_PASSWORD if you set it)."
	@echo
	$(LOCAL) HOST=$(HOST) PORT=$(PORT) $(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance/momoflow.db* test-artifacts

# make bench — fill PostgreSQL database momoflow_bench (BENCH_DATABASE_URL) and time the read side (bench/README.md)
.PHONY: bench
bench: install
	$(BIN)/python -m bench.workflows.generate
	$(BIN)/python -m bench.workflows

# make bench-assign — seed PostgreSQL database momoflow_bench_assign (BENCH_ASSIGN_DATABASE_URL), then load
# POST /v1/flows/assign under gunicorn next to a bare Flask endpoint (bench/README.md, "Assign endpoint")
.PHONY: bench-assign
bench-assign: install
	$(BIN)/python -m bench.assign.generate
	$(BIN)/python -m bench.assign

# make bench-reports — fill PostgreSQL database momoflow_bench_reports (BENCH_REPORTS_DATABASE_URL), then time
# POST /v1/flows/report, a 100k-row CSV export and the approval dashboard (on momoflow_bench: run make bench first)
.PHONY: bench-reports
bench-reports: install
	$(BIN)/python -m bench.reports.generate
	$(BIN)/python -m bench.reports

# make bench-deliver — events outbox → RQ (two AppWorker processes) → signed webhooks to a loopback receiver,
# in PostgreSQL database momoflow_bench_deliver (emptied) and Redis database 6 (flushed) (bench/README.md)
.PHONY: bench-deliver
bench-deliver: install
	$(BIN)/python -m bench.deliver
