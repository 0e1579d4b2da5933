# The compendium's commands. Every target sets up .venv from the pinned lock
# file first, so each one works on a fresh clone with only Python 3.11+ and git.
#
#   make report   full reanalysis of the bundled example data -> reports/
#   make test     unit tests, docstring examples, strict nbval over notebooks/
#   make lab      JupyterLab for class (no news prompt, no update check)
#   make slides   write the teaching route's slide metadata into the notebooks
#   make data     regenerate the synthetic example data (byte-identical)
#   make lint     ruff check and format check, notebooks included
#   make bench    benchmarks -> benchmarks/RESULTS.md
#   make simulate type I error and coverage of every test -> docs/simulation.md (~10 min)
#   make report DATA=my.csv OUT=my-report   the analysis on your own file

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab settings for class: no news prompt, no update check (jupyter-settings/overrides.json)
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.json
DATA   ?=
OUT    ?= reports
# deterministic outputs: hash order, headless matplotlib, no stray user config
export PYTHONHASHSEED := 0
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: setup report test unit nbval lint format lab slides data bench simulate lock clean

setup: $(STAMP) $(LAB_SETTINGS)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

$(LAB_SETTINGS): jupyter-settings/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp jupyter-settings/overrides.json $@

report: $(STAMP)
ifeq ($(strip $(DATA)),)
	$(BIN)/cramp-reanalysis report --all-notebooks --out $(OUT) --force
else
	$(BIN)/cramp-reanalysis report $(DATA) --out $(OUT)
endif

test: $(STAMP)
	sh tests/ensure_chromium.sh
	$(BIN)/python -m pytest -n 2 --dist loadscope -p no:randomly \
	    tests src/analysis \
	    --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg notebooks

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

lab: $(STAMP) $(LAB_SETTINGS)
	$(BIN)/jupyter lab notebooks/

# docs/teaching-route.md as RISE slide metadata (metadata only; rerun after editing a notebook)
slides: $(STAMP)
	$(BIN)/python -m analysis.slides

data: $(STAMP)  # the cohorts first, then the example built from them, then its manifest entry
	$(BIN)/python -m analysis.synthetic
	$(BIN)/python data/examples/make_messy_example.py
	$(BIN)/python -m analysis.synthetic

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

simulate: $(STAMP)
	$(BIN)/python benchmarks/simulate_level.py

# Re-resolve the pins from requirements.in (needs the network); review the diff.
lock:
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet -r requirements.in
	.venv-lock/bin/pip freeze --exclude-editable > requirements.lock
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) reports .pytest_cache
