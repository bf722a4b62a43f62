# The few commands a newcomer needs; the logic lives in bin/ so it can be read.

.DEFAULT_GOAL := help
.PHONY: help run test lint format bench loadtest faults cluster

help: ## List the commands
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

run: ## Set up (venv, database, starter library) and serve on http://127.0.0.1:8000
	@bin/run

test: ## Run the whole test suite; ARGS="-k admin" passes options to pytest
	@bin/test $(ARGS)

lint: ## ruff check and ruff format --check, as CI runs them
	@bin/lint

format: ## Let ruff fix and format the code
	@bin/format

bench: ## Benchmark latency and throughput at 1,000 and 10,000 exercises (PostgreSQL)
	@bench/run $(ARGS)

loadtest: ## 50 clients for 60 s against gunicorn + PostgreSQL on 127.0.0.1; ARGS="--seconds 10"
	@bin/setup && .venv/bin/python -m bench.load $(ARGS)

faults: ## Fault scenarios: Redis restored, paused or down, login flood, cache busting; ARGS="--list"
	@bin/setup && .venv/bin/python -m bench.faults $(ARGS)

cluster: ## nginx + two gunicorns sharing PostgreSQL and Redis: scale-out, edits, failover; ARGS="--seconds 10"
	@bin/setup && .venv/bin/python -m bench.cluster $(ARGS)
