# QC Portal — the two set-up commands of the README, and a few helpers.
#   make demo   create .venv, install, migrate the SQLite default, load the demo, serve on 127.0.0.1:8000
#   make test   the whole test suite in parallel (uses DATABASE_URL/REDIS_URL when set, otherwise throwaway servers)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# make test runs the suite on every core (pytest-xdist); `--dist load` hands each worker its
# tests in pytest-django's order, transactional ones last (see tests/conftest.py), one at a
# time (--maxschedchunk 1) so that the slow browser tests at the end spread over the workers.
# PYTEST_XDIST= (empty) runs it in one process.
PYTEST_XDIST ?= -n auto --dist load --maxschedchunk 1

.PHONY: demo test venv lint format serve worker beat bench clean

$(BIN)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[test]"
	touch $@

venv: $(BIN)/.installed

demo: venv
	scripts/system-deps.sh fonts
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver $(HOST)

test: venv
	scripts/system-deps.sh all
	scripts/with-services.sh $(BIN)/python -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: venv
	$(BIN)/celery -A qcportal worker -Q celery,exports,notifications,statistics --loglevel=info

beat: venv
	$(BIN)/celery -A qcportal beat --loglevel=info --schedule=/tmp/qcportal-celerybeat-schedule

bench: venv
	scripts/with-services.sh sh -c '$(BIN)/python benchmarks/annex3_scale.py && $(BIN)/python benchmarks/lists_scale.py && $(BIN)/python benchmarks/national_scale.py --circles 200000 --audit-rows 1000000'

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache
