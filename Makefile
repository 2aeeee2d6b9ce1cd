# Two commands from a fresh clone: `make reproduce` (the main job) and `make test` (the whole suite).
# Each makes its own virtual environment in .venv on first use; only Python 3.11+ is needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: reproduce test lint notebooks validate audit lab app bench clean site

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

reproduce: $(BIN)/.installed
	$(BIN)/grading reproduce

validate: $(BIN)/.installed
	$(BIN)/grading validate

audit: $(BIN)/.installed
	$(BIN)/grading audit

test: $(BIN)/.installed
	$(BIN)/python -m pytest tests notebooks --nbval --nbval-sanitize-with notebooks/sanitize.cfg

# The habits that keep the package in shape: lint and import order (ruff), types (mypy over src/).
lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

# Re-execute every notebook in place (after a change to what they show), without saved widget state.
notebooks: $(BIN)/.installed
	cd notebooks && for n in *.ipynb; do ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace $$n || exit 1; done
	$(BIN)/python notebooks/strip_widgets.py notebooks/*.ipynb

lab: $(BIN)/.installed
	$(BIN)/jupyter lab notebooks/

SIZE ?= bundled
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py --size $(SIZE) --runs 3
	$(BIN)/python bench/site.py --size $(SIZE) --runs 3
	if [ "$(SIZE)" = bundled ]; then $(BIN)/python bench/floor.py --runs 21; fi

# The guideline as a static website in site/ (open site/index.html in a browser; it needs no server).
site: $(BIN)/.installed
	$(BIN)/grading site site

# The Revise notebook as an app, through the package's Voilà template (it loads nothing from outside the machine).
app: $(BIN)/.installed
	$(BIN)/python -m grading.ui.app notebooks/3-revise.ipynb

clean:
	rm -rf $(VENV)
