# stagecraft: `make up` sets everything up and deploys the dev stack; `make test` runs the whole test suite.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
STACK ?= dev
PULUMI_FLAGS ?=
# Only the dev stack may use the documented passphrase; every other stack needs the user's own.
ifeq ($(STACK),dev)
export PULUMI_CONFIG_PASSPHRASE ?= stagecraft-dev
endif
ENV := . bootstrap/env.sh

.PHONY: help setup python engine postgres up preview destroy test bench system-packages actionlint login-team

help:
	@echo "make up                  set everything up, then pulumi up -s dev (local state, local PostgreSQL)"
	@echo "make test                run the whole test suite"
	@echo "make preview STACK=uat   pulumi preview of a stack (PREVIEW_FLAGS='--policy-pack policies' for the PR check)"
	@echo "make destroy             pulumi destroy -s dev"
	@echo "make bench               print the engine benchmarks"
	@echo "make login-team          pulumi login to the team's state bucket (STAGECRAFT_STATE_BUCKET/ENDPOINT, AWS_*)"

python:
	@bash bootstrap/python.sh

engine:
	@bash bootstrap/engine.sh >/dev/null

postgres: python
	@.venv/bin/python bootstrap/postgres.py ensure $$(.venv/bin/python bootstrap/dev_postgres_args.py)

setup: python engine postgres

up: setup
	@$(ENV) && pulumi stack select --create dev --non-interactive >/dev/null && \
	  pulumi up -s dev --yes --non-interactive $(PULUMI_FLAGS)

preview: python engine
	@if [ "$(STACK)" = dev ]; then $(MAKE) --no-print-directory postgres; fi
	@$(ENV) && pulumi preview -s $(STACK) --non-interactive $(PREVIEW_FLAGS)

# The dev destroy writes the state once instead of twice per resource: bootstrap/dev-destroy.env says why that is safe.
destroy: python engine postgres
	@$(ENV) && set -a && . bootstrap/dev-destroy.env && set +a && \
	  pulumi destroy -s dev --yes --skip-preview --non-interactive $(PULUMI_FLAGS)

# Debian programs the operations tests drive for real (installed only when missing); shellcheck is what
# actionlint runs on the workflows' scripts.
system-packages:
	@bash bootstrap/system_packages.sh nginx chromium fonts-dejavu-core shellcheck

# The workflow linter, built from the Go module proxy into the cache (tests/delivery/test_workflows.py runs it).
actionlint:
	@bash bootstrap/actionlint.sh >/dev/null

# The team's state backend (README: "State for teams"): an S3-compatible bucket with stack locking.
login-team: engine
	@$(ENV) && bash bootstrap/login_team.sh

test: setup system-packages actionlint
	@$(ENV) && python -m pytest $(PYTEST_FLAGS)

# BENCH_FLAGS goes to every benchmark (e.g. --rounds 1), BENCH_SCALING_FLAGS to app_scaling (e.g. --sizes 6 12 24).
bench: setup
	@$(ENV) && python benchmarks/preview_floor.py $(BENCH_FLAGS) && \
	  python benchmarks/app_scaling.py $(BENCH_FLAGS) $(BENCH_SCALING_FLAGS) && \
	  python benchmarks/uat_emulated.py $(BENCH_FLAGS) && python benchmarks/compare_probe.py
