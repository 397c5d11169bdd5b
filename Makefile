# Two commands on a fresh machine: `make demo` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app csr_hub
PYTEST_ARGS ?=

.PHONY: demo serve prod worker scheduler install install-test db test test-fast lint audit bench bench-quick translations clean

$(BIN)/python:
	$(PY) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: setup.cfg pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

install: $(VENV)/.installed
	$(BIN)/pybabel compile -d csr_hub/translations || true

install-test: $(VENV)/.installed-test install

db: install
	$(FLASK) db upgrade
	$(FLASK) seed-reference

demo: db
	$(FLASK) seed-demo
	@echo ""
	@echo "Serving CSR Hub on http://127.0.0.1:5000 (Ctrl-C to stop)"
	$(FLASK) run --host 127.0.0.1 --port 5000

serve: install
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production: gunicorn with gunicorn.conf.py (GUNICORN_WORKERS, GUNICORN_THREADS, GUNICORN_TIMEOUT, PORT …).
# Needs CSR_ENV=production, SECRET_KEY, DATABASE_URL and (for the queue and shared caches) REDIS_URL.
prod: install
	CSR_ENV=$${CSR_ENV:-production} $(BIN)/gunicorn -c gunicorn.conf.py 'csr_hub:create_app()'

worker: install
	CSR_ENV=$${CSR_ENV:-production} $(FLASK) jobs worker

scheduler: install
	CSR_ENV=$${CSR_ENV:-production} $(FLASK) jobs scheduler

test: install-test
	$(BIN)/python -m pytest -p no:cacheprovider -n 3 $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check csr_hub tests bench
	$(BIN)/ruff format --check csr_hub tests bench

test-fast: install-test
	$(BIN)/python -m pytest -p no:cacheprovider -x -q -m "not browser and not slow" $(PYTEST_ARGS)

audit: install-test
	$(BIN)/bandit -q -r csr_hub -ll
	$(BIN)/python bench/schemathesis_run.py --examples 25
	bash bench/sqlmap_scan.sh

# The national data set in a fresh PostgreSQL database, gunicorn, locust headless with the floor route.
# BENCH_SCALE (1.0 = 100,000 needs; default 0.25), BENCH_SECONDS, BENCH_RUNS, BENCH_REDIS: see bench/bench_http.py.
bench: install-test
	$(BIN)/python bench/bench_http.py --each

bench-quick: install-test
	$(BIN)/python bench/bench_matching.py --quick
	$(BIN)/python bench/bench_lists.py

translations: install-test
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs ".*" -k _l -k lazy_gettext -k _ -k gettext -k ngettext:1,2 -k _p:1c,2 -o csr_hub/translations/messages.pot .
	$(BIN)/pybabel update -i csr_hub/translations/messages.pot -d csr_hub/translations -l th --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) instance/*.sqlite3* *.egg-info
