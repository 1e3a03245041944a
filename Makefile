# Innboks: every target sets up its own virtual environment first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench schemas install clean

# The venv's own pip and setuptools come from the Python that made it (setuptools 65.5 from ensurepip
# has known advisories): both upgraded before anything else is installed.
SETUPTOOLS := setuptools>=78.1.1

$(STAMP): pyproject.toml package.json package-lock.json .ci/system-packages Makefile
	bash .ci/system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip '$(SETUPTOOLS)'
	$(BIN)/python -m pip install --quiet -e '.[test]'
	npm ci --no-audit --no-fund --silent  # axe-core for the browser tests, into node_modules/
	touch $@

install: $(STAMP)

## make demo [ARGS="--duration 60 --metrics-port 6066"]: the whole system on the embedded broker
demo: $(STAMP)
	$(BIN)/innboks demo $(ARGS)

## make test [PYTEST_ARGS=...] [TEST_WORKERS=N]: lint, types, then unit and integration tests (the integration
## tests start Tansu, PostgreSQL, RabbitMQ, Chromium). Four pytest-xdist workers, one test file each at a time:
## the integration tests mostly wait on their processes, so four share two cores well.
TEST_WORKERS ?= 4
test: lint
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

## make lint: ruff, mypy (strict on schemas/, innboks/config/ and the mappings), the import layers
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## make bench: throughput and latency numbers
bench: $(STAMP)
	$(BIN)/python -m benchmarks

## make schemas: regenerate schemas/jsonschema/*.json from the pydantic models
schemas: $(STAMP)
	$(BIN)/python -m schemas.generate

clean:
	rm -rf $(VENV) innboks-data .pytest_cache node_modules
