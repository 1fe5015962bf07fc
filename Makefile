# QC Portal — the two set-up commands of the README, and a few helpers.
#   make demo   create .venv, install, migrate the SQLite default, load the demo, serve on 127.0.0.1:8000
#   make test   the whole test suite (uses DATABASE_URL/REDIS_URL when set, otherwise throwaway servers)

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1:8000
PYTEST_ARGS ?=

.PHONY: demo test venv lint format serve worker bench clean

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
	scripts/with-services.sh $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

worker: venv
	$(BIN)/celery -A qcportal worker --loglevel=info

bench: venv
	scripts/with-services.sh $(BIN)/python benchmarks/annex3_scale.py

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles .pytest_cache .ruff_cache
