# respond: the two commands a fresh machine needs are `make run` and `make test`.
# Each creates .venv and installs respond with everything it needs first.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.respond-installed

CORE_VENV ?= .venv-core
CORE_STAMP := $(CORE_VENV)/.respond-installed

.PHONY: help install tools desktop run test test-core lint bench reliability fuzz interop-tools interop clean

help:
	@echo "make run    set up .venv (and the desktop's system libraries) and start respond"
	@echo "make test   set up .venv and run the whole test suite (offscreen)"
	@echo "make test-core  the unit and CLI tests without Qt installed"
	@echo "make lint   formatting, lint, import contracts, mypy strict"
	@echo "make bench  benchmarks (ratios against in-run baselines)"
	@echo "make reliability  hostile files, database faults, kill -9, two readers (docs/reliability.md)"
	@echo "make fuzz   10,000 damaged copies of the shared DICOM files (build/fuzz, docs/dicom.md)"
	@echo "make interop  OHIF Viewer (headless Chromium) draws respond's SR calipers from a real Orthanc (interop/README.md)"
	@echo "make clean  remove .venv and caches"

$(STAMP): pyproject.toml Makefile
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e . --group dev
	touch $@

install: $(STAMP)

# Qt's xcb platform (the desktop on X11) needs system libraries a bare Debian
# lacks (libxcb-icccm4, libxcb-keysyms1, ...): installed when possible (root or
# sudo without a password), otherwise named with the command to install them.
desktop: $(STAMP)
	@sh tools/desktop-libs $(VENV)

run: $(STAMP) desktop
	$(BIN)/respond

# Debian tools the tests use: dciodvfy (dicom3tools) validates the DICOM SR,
# pdftotext/pdftoppm (poppler-utils) read the PDF back, Xvfb and xwininfo
# (xvfb, x11-utils) start the real desktop app on a virtual screen; Orthanc with
# its DICOMweb plugin (orthanc, orthanc-dicomweb; gcc builds the shim that keeps
# it on 127.0.0.1) is the PACS the PACS tests start. Installed when missing and
# possible; otherwise those tests skip and say why.
REPORT_TOOLS := dciodvfy pdftotext pdftoppm Xvfb xwininfo
tools: desktop
	@missing=""; for t in $(REPORT_TOOLS); do command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing dicom3tools poppler-utils xvfb x11-utils (missing:$$missing)"; \
	    $$SUDO apt-get install -y -qq dicom3tools poppler-utils xvfb x11-utils >/dev/null 2>&1 || \
	    { $$SUDO apt-get update -qq >/dev/null 2>&1 && $$SUDO apt-get install -y -qq dicom3tools poppler-utils xvfb x11-utils >/dev/null 2>&1; } || \
	    echo "could not install dicom3tools/poppler-utils/xvfb/x11-utils: the tests that need them will skip"; \
	  else echo "missing$$missing and no apt-get as root: the tests that need them will skip"; fi; \
	fi
	@if [ ! -x /usr/sbin/Orthanc ] || [ ! -f /usr/share/orthanc/plugins/libOrthancDicomWeb.so ] || ! command -v cc >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else SUDO=none; fi; \
	  if [ "$$SUDO" != none ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing orthanc orthanc-dicomweb gcc (the PACS tests' real Orthanc)"; \
	    $$SUDO apt-get install -y -qq --no-install-recommends orthanc orthanc-dicomweb gcc >/dev/null 2>&1 || \
	    { $$SUDO apt-get update -qq >/dev/null 2>&1 && $$SUDO apt-get install -y -qq --no-install-recommends orthanc orthanc-dicomweb gcc >/dev/null 2>&1; } || \
	    echo "could not install orthanc/orthanc-dicomweb: the PACS tests will skip"; \
	  else echo "Orthanc is missing and no apt-get as root: the PACS tests will skip"; fi; \
	fi

test: $(STAMP) tools
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

$(CORE_STAMP): pyproject.toml Makefile
	test -x $(CORE_VENV)/bin/python || $(PYTHON) -m venv $(CORE_VENV)
	$(CORE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(CORE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(CORE_VENV)/bin/python -m pip install --quiet --disable-pip-version-check jsonschema psygnal platformdirs pytest hypothesis
	touch $@

test-core: $(CORE_STAMP)
	$(CORE_VENV)/bin/python -m pytest -c tests/core.ini --rootdir .
	@! $(CORE_VENV)/bin/python -c "import PySide6" 2>/dev/null || (echo "PySide6 must not be installed in $(CORE_VENV)"; exit 1)

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench fuzz interop
	$(BIN)/ruff check src tests bench fuzz interop
	$(BIN)/lint-imports
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m bench.run

# Not part of `make test`: respond run as a separate process a few thousand times
# (7 to 15 minutes on 2 cores); writes docs/reliability.md. See reliability/README.md.
reliability: $(STAMP)
	$(BIN)/python -m reliability

# Not part of `make test`: 10,000 damaged copies of the shared DICOM files, each
# scanned and loaded in a forked child with time and memory limits (12 to 25
# minutes on 2 cores); results and reproducers in build/fuzz. See fuzz/README.md.
fuzz: $(STAMP)
	$(BIN)/python -m fuzz --cases 10000 --workers 2 --out build/fuzz

# Not part of `make test`: Orthanc, OHIF Viewer 3.13 and Chromium (installed by
# interop-tools, Debian packages and npm into build/interop/node); OHIF opens
# respond's SRs of the demo by DICOMweb and must draw every caliper (about 2
# minutes on 2 cores; screenshots in docs/screenshots). See interop/README.md.
interop-tools:
	@sh interop/install-tools build/interop

interop: $(STAMP) interop-tools
	$(BIN)/python -m interop

clean:
	rm -rf $(VENV) $(CORE_VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build dist
