# The verbs a user types. Each one first sets up whatever is missing, from the
# lock files only (Pipfile.lock, package-lock.json), so a fresh clone works.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.SUFFIXES:

ENV ?= dev
PIPENV_VERSION := 2026.10.3
export PIPENV_VENV_IN_PROJECT := 1
export PIPENV_VERBOSITY := -1
export PIPENV_IGNORE_VIRTUALENVS := 1
export CHECKPOINT_DISABLE := 1
PYTHON := .venv/bin/python

.PHONY: help setup synth validate test test-update-snapshots lint clean

help: ## List the verbs
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-24s %s\n", $$1, $$2}'

.venv/.synced: Pipfile.lock
	@command -v python3 >/dev/null || { echo "error: python3 is not installed; install Python 3.11" >&2; exit 1; }
	@python3 -m pipenv --version >/dev/null 2>&1 || python3 -m pip install --quiet "pipenv==$(PIPENV_VERSION)"
	python3 -m pipenv sync --dev
	@touch $@

node_modules/.installed: package-lock.json
	@command -v npm >/dev/null || { echo "error: npm is not installed; install Node.js 20 or newer with npm" >&2; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

setup: .venv/.synced node_modules/.installed ## Install the Python env and the npm tools from the lock files

synth: setup ## Synthesize every environment into cdktf.out/stacks/<env>/
	$(PYTHON) main.py

validate: setup ## Synthesize, then terraform init + validate every environment
	$(PYTHON) -m ops validate

test: setup ## Run the whole test suite (what CI runs)
	$(PYTHON) -m pytest

test-update-snapshots: setup ## Accept intended changes to the synthesized JSON
	$(PYTHON) -m pytest tests/snapshots --snapshot-update

lint: setup ## ruff over the project
	$(PYTHON) -m ruff check .

clean: ## Remove synthesized output and Terraform working files (not the emulator)
	rm -rf cdktf.out plans .pytest_cache
