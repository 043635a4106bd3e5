# Pinpoint: `make run` serves the seeds, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INDEX ?= var/index
SOURCES ?= seeds
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 2
PYTEST_ARGS ?=

.PHONY: run index serve test bench clean

$(VENV)/.installed-run: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@ $(VENV)/.installed-run

# Indexing is incremental: unchanged sources (by content hash) cost nothing,
# so running it before every start is how a stale index gets rebuilt.
index: $(VENV)/.installed-run
	$(BIN)/pinpoint index $(SOURCES) --index $(INDEX)

run: index
	$(BIN)/pinpoint serve --index $(INDEX) --host $(HOST) --port $(PORT) --workers $(WORKERS)

serve: run

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(BIN)/python -m tests.benchmarks

clean:
	rm -rf var .pytest_cache
