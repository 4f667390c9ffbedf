# Everything runs inside .venv, created and filled on first use from a machine with only python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test unit lint format bench mutate clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/linkcheck seeds/

lint: $(STAMP)
	$(BIN)/ruff check src tests bench mutation
	$(BIN)/ruff format --check src tests bench mutation
	$(BIN)/mypy src

# The whole suite, one worker per core.
test: lint
	$(BIN)/pytest -q -n auto

# The fast loop: unit tests only (no real command line, no servers), a few seconds.
unit: $(STAMP)
	$(BIN)/pytest -q -n auto -m "not e2e and not slow"

format: $(STAMP)
	$(BIN)/ruff check --fix src tests bench mutation
	$(BIN)/ruff format src tests bench mutation

bench: $(STAMP)
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/extract_corpus.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/fragments.py
	$(BIN)/python bench/robustness.py
	$(BIN)/python bench/formats.py
	$(BIN)/python bench/polite.py
	$(BIN)/python bench/identifiers.py
	$(BIN)/python bench/titles.py
	$(BIN)/python bench/html_report.py

# Mutation testing of the modules that hold verdicts (not part of test or CI; tens of minutes):
# every target, or one: make mutate MODULE=check/classify.py
mutate: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[mutate]'
	$(BIN)/python mutation/run.py $(MODULE)

clean:
	rm -rf $(VENV) .linkcheck .mutation build dist src/*.egg-info
