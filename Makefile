# Build, serve and test the site. Each target creates .venv on first use; a stamp file per
# requirements file re-runs pip only when that file changed. `clean` keeps .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test fuzz mutants bench clean

# Built aside and moved into place only when the gate passes: a failed build leaves site/ as it was.
site: $(VENV)/.stamp-site
	rm -rf .site-build
	$(BIN)/mkdocs build --strict -d .site-build
	rm -rf site && mv .site-build site

serve: $(VENV)/.stamp-site
	$(BIN)/mkdocs serve

test: $(VENV)/.stamp-test
	$(BIN)/ruff check hooks tests
	PYTHONPATH=hooks $(BIN)/python -m matrixcheck check --strict docs
	$(BIN)/python -m pytest -q tests

# The property tests with fresh random examples, ten rounds (`make test` runs them derandomized).
fuzz: $(VENV)/.stamp-test
	for round in 1 2 3 4 5 6 7 8 9 10; do \
		HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q -x \
			tests/test_parser.py tests/test_author_errors.py tests/test_elementwise_kronecker.py \
			|| exit 1; \
	done

mutants: $(VENV)/.stamp-site
	PYTHONPATH=hooks $(BIN)/python -m matrixcheck mutants docs

# Timings of plain, cold, warm and one-edit builds at N = 50, 200, 1000 identities (see tests/bench.py).
bench: $(VENV)/.stamp-test
	$(BIN)/python tests/bench.py

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.stamp-site: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.stamp-test: requirements-test.txt requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -q -r requirements-test.txt
	touch $@

clean:
	rm -rf site .site-build .cache .pytest_cache .ruff_cache .hypothesis
	find hooks tests -name __pycache__ -type d -prune -exec rm -rf {} +
