# SAC — two commands: `make up` runs the platform, `make test` runs every test.
SHELL := /bin/bash
PY := .venv/bin/python
PYTEST_ARGS ?=

.PHONY: up down test setup prepare lock bench bench-queries clean

up: setup ## run every service and the gateway with demo data (Ctrl-C or `make down` stops)
	$(PY) deploy/local/runner.py up

down: ## stop what `make up` started
	$(PY) deploy/local/runner.py down

prepare: setup ## databases, migrations, topology, demo data; nothing started
	$(PY) deploy/local/runner.py prepare

test: setup ## every test: unit, integration, contract, end-to-end, reliability, deploy
	$(PY) -m pytest $(PYTEST_ARGS)

setup:
	@bash deploy/local/setup.sh

lock: ## regenerate requirements.lock from requirements.in
	rm -rf /tmp/sac-lock && python3 -m venv /tmp/sac-lock && /tmp/sac-lock/bin/pip install -q -r requirements.in
	/tmp/sac-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > requirements.lock

bench: setup ## benchmarks (the platform must be up: `make up` in another terminal)
	$(PY) bench/intake.py --seconds 20

bench-queries: setup ## Asuntos del día / Consultas over 1,000,000 reports (PostgreSQL only; own database)
	$(PY) bench/queries.py

clean:
	rm -rf .run
