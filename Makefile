# The verbs a user types. Each one first sets up whatever is missing, from the
# lock files only (Pipfile.lock, package-lock.json), so a fresh clone works.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.SUFFIXES:

ENV ?= dev
# ACCOUNT=<name> points the stack verbs (plan, review, drift, verify, destroy, ...) at the account's
# baseline stack, baseline-<name>, instead of ENV.
STACK := $(if $(ACCOUNT),baseline-$(ACCOUNT),$(ENV))
PIPENV_VERSION := 2026.10.3
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_IGNORE_VIRTUALENVS := 1
export CHECKPOINT_DISABLE := 1
PYTHON := .venv/bin/python

.PHONY: help setup synth validate test test-update-snapshots lint docs clean bench bench-loop plan-all \
        deploy baseline plan apply comment review destroy drift verify smoke bootstrap unlock state-versions restore-state \
        recovery-points restore-database restore-table \
        emulator-start emulator-stop policy

help: ## List the verbs
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-24s %s\n", $$1, $$2}'

.venv/.synced: Pipfile.lock
	@command -v python3 >/dev/null || { echo "error: python3 is not installed; install Python 3.11" >&2; exit 1; }
	@python3 -m pipenv --version >/dev/null 2>&1 || python3 -m pip install --quiet "pipenv==$(PIPENV_VERSION)"
	python3 -m pipenv sync --dev
	@echo "compiling optimized bytecode for 'python -O' synth (once per lock)"
	@.venv/bin/python -O -m compileall -q -j 0 .venv/lib/python3*/site-packages >/dev/null || true
	@touch $@

node_modules/.installed: package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is not installed; install Node.js 20 or newer with npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: ## Install the Python env and the npm tools from the lock files (both at once, each one's output kept together)
	@$(MAKE) --no-print-directory -j2 --output-sync=target .venv/.synced node_modules/.installed

synth: setup ## Synthesize every environment into cdktf.out/stacks/<env>/
	$(PYTHON) -O main.py

validate: setup ## Synthesize, then terraform init + validate every environment and account baseline
	$(PYTHON) -m ops validate

deploy: setup ## Deploy ENV (default dev), its account's baseline first: plan, review, apply, outputs, verify
	$(PYTHON) -m ops deploy $(STACK)

baseline: setup ## Plan, review, apply and verify the baseline of ACCOUNT (default: default) on its own
	$(PYTHON) -m ops deploy baseline-$(or $(ACCOUNT),default)

plan: setup ## Plan ENV (or ACCOUNT's baseline) and write plans/<stack>.md; exit 3 if destructive, unless ALLOW_DESTRUCTIVE=1
	$(PYTHON) -m ops plan $(STACK)

apply: setup ## Apply exactly the saved, reviewed plan of ENV (or ACCOUNT's baseline) from make plan; exit 3 if destructive
	$(PYTHON) -m ops apply $(STACK)

comment: setup ## Write plans/<stack>.comment.md from the saved review (a PR comment), also to GITHUB_STEP_SUMMARY if set
	$(PYTHON) -m ops comment $(STACK)

plan-all: setup ## Plan every environment and baseline, PLAN_JOBS (2) at once -> plans/summary.md; exit 3 if one is destructive
	$(PYTHON) -m ops plan-all

review: setup ## Review the saved plan of ENV (or ACCOUNT's baseline) again; exit 3 if destructive
	$(PYTHON) -m ops review $(STACK)

destroy: setup ## Destroy ENV (refused for production); ACCOUNT=<a> CONFIRM=<a> destroys a baseline no environment uses
	$(PYTHON) -m ops destroy $(STACK)

drift: setup ## Did anything change outside Terraform in ENV or ACCOUNT's baseline? (exit 4 drift, 5 pending)
	$(PYTHON) -m ops drift $(STACK)

verify: setup ## Check the deployed ENV (or ACCOUNT's baseline) through boto3
	$(PYTHON) -m ops verify $(STACK)

smoke: setup ## Real requests through the deployed ENV's API, then the table and the logs bucket (deploy runs it after verify)
	$(PYTHON) -m ops smoke $(STACK)

bootstrap: setup ## Create or adopt the state bucket of ENV (or ACCOUNT's baseline)
	$(PYTHON) -m ops bootstrap $(STACK)

unlock: setup ## Release a dead run's state lock: make unlock ENV=dev LOCK_ID=<id>
	@test -n "$(LOCK_ID)" || { echo "error: give the lock id from the lock error: make unlock ENV=$(ENV) LOCK_ID=<id>" >&2; exit 2; }
	$(PYTHON) -m ops unlock $(STACK) $(LOCK_ID)

state-versions: setup ## List the versions of the state object of ENV or ACCOUNT's baseline (docs/runbooks/restore-state.md)
	$(PYTHON) -m ops state-versions $(STACK)

restore-state: setup ## Make an earlier state version current: make restore-state ENV=dev VERSION_ID=<id>
	@test -n "$(VERSION_ID)" || { echo "error: give the version id from make state-versions: make restore-state ENV=$(ENV) VERSION_ID=<id>" >&2; exit 2; }
	$(PYTHON) -m ops restore-state $(STACK) $(VERSION_ID)

recovery-points: setup ## List what ENV's database and table can be restored from, each with its FROM (docs/runbooks/restore-database.md)
	$(PYTHON) -m ops recovery-points $(ENV)

restore-database: setup ## Restore ENV's database into a new instance: make restore-database ENV=dev FROM=<snapshot | recovery point | time> [TO=<id>]
	@test -n "$(FROM)" || { echo "error: say what to restore from: make restore-database ENV=$(ENV) FROM=<snapshot | recovery point ARN | 2026-12-03T09:30:00Z | latest> (make recovery-points ENV=$(ENV) lists them)" >&2; exit 2; }
	$(PYTHON) -m ops restore-database $(ENV) --from "$(FROM)" $(if $(TO),--to "$(TO)")

restore-table: setup ## Restore ENV's table into a new table: make restore-table ENV=dev FROM=<backup | recovery point | time> [TO=<name>]
	@test -n "$(FROM)" || { echo "error: say what to restore from: make restore-table ENV=$(ENV) FROM=<backup ARN | recovery point ARN | 2026-12-03T09:30:00Z | latest> (make recovery-points ENV=$(ENV) lists them)" >&2; exit 2; }
	$(PYTHON) -m ops restore-table $(ENV) --from "$(FROM)" $(if $(TO),--to "$(TO)")

policy: setup ## checkov over every stack (or STACKS="dev baseline-default") and its last reviewed plan, with the suppressions
	$(PYTHON) -m ops policy $(STACKS)

emulator-start: setup ## Start the local AWS emulator (moto) on 127.0.0.1:EMULATOR_PORT (4566)
	$(PYTHON) -m ops emulator-start

emulator-stop: setup ## Stop the local AWS emulator; everything in it is forgotten
	$(PYTHON) -m ops emulator-stop

test: setup ## Run the whole test suite (what CI runs): the end-to-end module on one worker, the rest beside it
	$(PYTHON) -m pytest -n 2 --dist loadgroup

test-update-snapshots: setup ## Accept intended changes to the synthesized JSON
	$(PYTHON) -m pytest tests/snapshots --snapshot-update

bench: setup ## Synth benchmark (ratios in one run) -> bench/results.md
	$(PYTHON) -m bench.synth_bench

bench-loop: setup ## Inner-loop benchmark on dev deployed onto its own emulator: make plan, drift, one change vs bare terraform -> bench/results.md
	$(PYTHON) -m bench.loop_bench

lint: setup ## ruff, and the import contracts between the layers (import-linter)
	$(PYTHON) -m ruff check .
	.venv/bin/lint-imports --no-cache --no-logo

docs: setup ## Regenerate the README's environment-file reference from the schema
	$(PYTHON) -m environments.reference --write README.md

clean: ## Remove synthesized output and Terraform working files (not the emulator)
	rm -rf cdktf.out plans .pytest_cache
