# Two commands on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON_VERSION := 3.10
VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export ACTION_SERVER_PORT ?= 5055
export RASA_PORT ?= 5005
export TRACKER_STORE_URL ?= sqlite:///$(CURDIR)/var/tracker.db

.PHONY: run test setup venv db devices model shell test-core test-actions test-conversations test-e2e lint clean

$(VENV)/.installed: requirements.lock pyproject.toml
	@scripts/make-venv.sh $(PYTHON_VERSION) $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps -r requirements.lock
	@touch $@

venv: $(VENV)/.installed

db: venv
	$(PY) -m bot db upgrade

devices: db
	$(PY) -m bot devices import data/devices/sample_registry.csv

# Trains only when config, domain or training data changed (fingerprint = model name).
model: venv
	@scripts/train-if-changed.sh

setup: venv db devices model

run: setup
	@scripts/run.sh

shell: setup
	@scripts/run.sh --shell

# Every test stage. The fast core stages first; the trained-model stages after.
test: setup test-core test-actions test-conversations test-e2e

test-core: venv
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/mypy
	$(PY) -m pytest -q tests/unit --doctest-modules bot --ignore=bot/store/migrations --ignore=bot/channels

test-actions: venv
	$(PY) -m pytest -q tests/actions

test-conversations: model
	@scripts/validate-data.sh
	$(RASA) test core --stories tests/conversations --model $$(cat models/.current) \
	    --fail-on-prediction-errors --out results/core

test-e2e: model
	$(PY) -m pytest -q tests/e2e

lint: venv
	$(VENV)/bin/ruff check bot actions tests
	$(VENV)/bin/ruff format --check bot actions tests

clean:
	rm -rf results var .pytest_cache
