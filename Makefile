# Subterra: one command to set up and run, one to set up and test (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
XVFB   := xvfb-run -a -s "-screen 0 1600x1000x24"
VALIDATOR := $(VENV)/gdal-utils/osgeo_utils/samples/validate_gpkg.py

.PHONY: run test bench bundle system-deps setup clean

system-deps:
	@bash .ci/system-deps.sh

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"
	touch $@

# GDAL's GeoPackage validator (pure Python, run with Debian's python3-gdal).
$(VALIDATOR): | $(BIN)/python
	rm -rf $(VENV)/gdal-utils /tmp/subterra-gdal-utils && mkdir -p /tmp/subterra-gdal-utils
	$(BIN)/pip download -q --no-deps -d /tmp/subterra-gdal-utils "gdal-utils==3.13.*"
	$(BIN)/python -m zipfile -e /tmp/subterra-gdal-utils/*.whl $(VENV)/gdal-utils

setup: system-deps $(VENV)/.installed $(VALIDATOR)

run: setup
	@if [ -n "$$DISPLAY" ]; then $(BIN)/subterra; else $(XVFB) $(BIN)/subterra; fi

test: setup
	$(XVFB) $(BIN)/python -m pytest -q tests --ignore=tests/benchmarks

bench: setup
	$(XVFB) $(BIN)/python -m tests.benchmarks

bundle: setup
	$(BIN)/pip install -q -e ".[build]"
	$(BIN)/pyinstaller --noconfirm installer.spec
	rm -rf build/bundle-smoke && mkdir -p build/bundle-smoke
	dist/subterra/subterra demo build/bundle-smoke/demo.gpkg --size small
	dist/subterra/subterra info build/bundle-smoke/demo.gpkg
	dist/subterra/subterra render build/bundle-smoke/demo.gpkg --view 3d --out build/bundle-smoke/demo.png
	SUBTERRA_SETTINGS=build/bundle-smoke/settings.ini $(XVFB) dist/subterra/subterra gui --smoke-test build/bundle-smoke/demo.gpkg

clean:
	rm -rf build dist *.egg-info
