# The course's two commands (see README.md):
#   make lab    set up (first time only) and open the course in JupyterLab
#   make test   set up (first time only) and run the whole test suite, notebooks included
# Set-up creates a virtual environment in .venv with `python3 -m venv`; choose another
# interpreter with, for example, `make lab PYTHON=python3.11`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)

.PHONY: setup lab test notebooks clean-venv

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 10) else "The course needs Python 3.10 or newer (3.10-3.12 are tested); run make with PYTHON=python3.11, for example.")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

setup: $(STAMP)

# The course's JupyterLab defaults (no "official Jupyter news?" pop-up, no update check) live in
# jupyterlab-settings/overrides.json: `make lab` points JupyterLab's application settings there,
# so the learner's own settings (~/.jupyter/lab/user-settings) are neither changed nor overridden.
LAB_SETTINGS := $(CURDIR)/jupyterlab-settings

lab: $(STAMP)
	$(BIN)/python -m jupyter lab --LabApp.app_settings_dir="$(LAB_SETTINGS)" $(if $(filter 0,$(shell id -u)),--allow-root) notebooks/00_welcome.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadscope --durations=25

notebooks: $(STAMP)
	$(BIN)/python -m course_lib build-notebooks

clean-venv:
	rm -rf $(VENV)
