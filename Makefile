# Kotan's two commands: `make run` (everything for a local trial) and `make test`.
SHELL := /bin/bash
VENV ?= .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
MANAGE := $(PYTHON) manage.py

.PHONY: run setup serve test lint typecheck pytest bench messages worker lock lock-upgrade \
	build-static

# Locked dependencies (hashes for the whole tree), generated from pyproject.toml by `make lock`:
# LOCK is what the image installs, LOCK_DEV adds the dev extra for tests and tools.
LOCK := .ci/requirements.txt
LOCK_DEV := .ci/requirements-dev.txt
UV_PIN := $(shell grep -o '"uv==[^"]*"' pyproject.toml | tr -d '"')
# Deterministic: uv keeps the versions already in the output file unless pyproject.toml needs
# another; `make lock-upgrade` moves every unpinned (transitive) dependency to its newest.
UV_COMPILE = $(VENV)/bin/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command "make lock" $(UV_FLAGS)

$(INSTALLED): $(LOCK_DEV)
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet --require-hashes --no-deps -r $(LOCK_DEV)
	$(PYTHON) -m pip install --quiet --no-deps -e .
	touch $(INSTALLED)

# Run after changing a dependency in pyproject.toml (tests/test_lock.py checks the pins agree).
lock:
	test -x $(PYTHON) || python3 -m venv $(VENV)
	test -x $(VENV)/bin/uv || $(PYTHON) -m pip install --quiet "$(UV_PIN)"
	$(UV_COMPILE) -o $(LOCK)
	$(UV_COMPILE) --extra dev -o $(LOCK_DEV)

lock-upgrade: UV_FLAGS := --upgrade
lock-upgrade: lock

# The image's static files: collectstatic with DEBUG=0, hashed names and staticfiles.json.
build-static: $(INSTALLED)
	PATH="$(abspath $(VENV))/bin:$$PATH" .ci/build static

# Local trial: SQLite and in-process tasks unless DATABASE_URL / REDIS_URL say otherwise.
run: export DEBUG ?= 1
run: setup serve

setup: export DEBUG ?= 1
setup: $(INSTALLED)
	mkdir -p var
	$(MANAGE) migrate --noinput
	$(MANAGE) load_city
	$(MANAGE) seed_framework
	$(MANAGE) create_demo_users
	$(MANAGE) seed_demo_meetings
	$(MANAGE) seed_demo_scores
	$(MANAGE) seed_demo_recommendations

serve: export DEBUG ?= 1
serve: $(INSTALLED)
	$(MANAGE) runserver 127.0.0.1:8000

worker: $(INSTALLED)
	$(VENV)/bin/celery -A kotan worker --loglevel=INFO --concurrency=2

# The whole suite runs against PostgreSQL and Redis (see .ci/run to start them).
test: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kotan
test: export REDIS_URL ?= redis://127.0.0.1:6379/0
test: export DEBUG := 1
test: export SECRET_KEY ?= test-only-secret-key
test: lint typecheck pytest

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	# Checking for missing migrations needs no database server.
	DEBUG=1 DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

typecheck: $(INSTALLED)
	DEBUG=1 $(VENV)/bin/mypy .

pytest: $(INSTALLED)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/kotan_bench
bench: export REDIS_URL ?= redis://127.0.0.1:6379/2
bench: export DEBUG := 1
bench: $(INSTALLED)
	$(PYTHON) bench/run.py

# Regenerate the English translation catalogue after changing Indonesian source strings.
messages: $(INSTALLED)
	DEBUG=1 $(MANAGE) makemessages -l en --ignore ".venv/*" --ignore "var/*"
	DEBUG=1 $(MANAGE) compilemessages -l en --ignore ".venv/*"
