# Two commands do everything on a fresh machine:
#   make report   set up .venv from the lock, clean the bundled data, build reports/site
#   make test     same set-up, then library tests and nbval on the notebooks
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# make report FORCE=1: redo clean, analyse and every report even if nothing changed.
FORCE_FLAG := $(if $(filter 1,$(FORCE)),--force)

.PHONY: setup data report test golden benchmark clean-outputs browser-deps lab

setup: $(STAMP)

# Reinstall whenever the lock or the package metadata changes. The lock is installed by uv, a
# pinned copy that pip puts into the venv first: several times faster than pip on the ~190
# packages (benchmarks/README.md; byte code is compiled as modules are first imported, not all of
# it up front). `make setup INSTALLER=pip` installs with pip alone.
INSTALLER ?= uv
UV_VERSION := 0.13.8
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
UV := UV_LINK_MODE=copy $(BIN)/uv pip install --quiet --python $(BIN)/python
$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
ifeq ($(INSTALLER),pip)
	$(PIP) -r requirements.lock
	$(PIP) --no-deps -e .
else
	$(PIP) uv==$(UV_VERSION)
	$(UV) -r requirements.lock
	$(UV) --no-deps -e .
endif
	touch $(STAMP)

data: setup
	$(BIN)/evalkit clean $(FORCE_FLAG)
	$(BIN)/evalkit analyse $(FORCE_FLAG)

report: data
	$(BIN)/evalkit build $(FORCE_FLAG)

# Open the district report in JupyterLab on the project's environment (README: the notebook route).
# The project root is Jupyter's root, so notebooks/ and reports/notebooks/ are both in its file
# browser; no browser is started (open the printed URL). Jupyter refuses root without a word of
# why: say it, and let `make lab ALLOW_ROOT=1` (a container) pass --allow-root.
lab: setup
	@if [ "$$(id -u)" = 0 ] && [ -z "$(ALLOW_ROOT)" ]; then \
	  echo "make lab: JupyterLab startar inte som root (den som når sidan kan köra kod som root). Kör som vanlig användare, eller i en container: make lab ALLOW_ROOT=1" >&2; exit 2; fi
	$(BIN)/jupyter lab --no-browser --ServerApp.root_dir="$(CURDIR)" $(if $(ALLOW_ROOT),--allow-root) notebooks/district.ipynb

browser-deps:
	./scripts/ensure_browser_deps.sh

# The tests work on a temporary copy of the project (tests/conftest.py). What they must leave as it
# was is checked here, around both pytest runs (the second does not load tests/conftest.py): the
# checkout's `git status` and the content of reports/ and data/processed (both git-ignored).
CHECKOUT_STATE = { git status --porcelain --untracked-files=all 2>/dev/null; \
	find reports data/processed -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort; }

# Both runs are spread over one pytest-xdist worker per core (TEST_WORKERS=0: one process, no workers);
# a file is never split (--dist loadfile), so a module's build or clean runs once, and the slow
# tests (marker `slow`: full clean, build, browser) are run too, first.
TEST_WORKERS ?= auto
XDIST = -n $(TEST_WORKERS) --dist loadfile

test: data browser-deps
	@before="$$($(CHECKOUT_STATE))"; status=0; \
	$(BIN)/python -m pytest tests --nbval --nbval-current-env -p no:cacheprovider $(XDIST) --durations=25 || status=$$?; \
	if [ $$status = 0 ]; then \
	  $(BIN)/python -m pytest notebooks --nbval-lax --nbval-current-env -p no:cacheprovider $(XDIST) || status=$$?; \
	fi; \
	after="$$($(CHECKOUT_STATE))"; \
	if [ "$$before" != "$$after" ]; then \
	  echo "make test changed the checkout (git status, reports/ or data/processed):" >&2; \
	  diff <(echo "$$before") <(echo "$$after") >&2; exit 1; \
	fi; \
	echo "checkout unchanged: git status, reports/ and data/processed as before the tests"; exit $$status

# Refresh the nbval reference notebooks after an intended change of reported numbers.
golden: data
	$(BIN)/evalkit build --force --district sd-tensta --district sdo-skarholmen --out build/golden
	cp build/golden/notebooks/sd-tensta.ipynb tests/golden/district_sd-tensta.ipynb
	cp build/golden/notebooks/sdo-skarholmen.ipynb tests/golden/district_sdo-skarholmen.ipynb
	$(BIN)/evalkit build --force --report city --report projects --out build/golden
	cp build/golden/notebooks/hela-staden.ipynb tests/golden/city.ipynb
	cp build/golden/notebooks/projekt.ipynb tests/golden/projects.ipynb
	$(BIN)/python scripts/strip_images.py tests/golden/*.ipynb

# Figures for the README (not part of the tests): build engine and clean-step throughput.
benchmark: data
	$(BIN)/python benchmarks/build_benchmark.py
	$(BIN)/python benchmarks/clean_benchmark.py

clean-outputs:
	rm -rf reports/site reports/notebooks reports/failed reports/.cache data/processed/*.parquet data/processed/*.csv data/processed/*.json data/processed/*.txt build
