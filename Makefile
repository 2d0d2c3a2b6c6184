# Two commands matter: `make run` starts the app, `make test` runs the whole suite.
# Both set up everything they need (virtualenv, pinned packages, Debian chromium for browser tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Loopback by default; `make run ADDRESS=<this host's address>` serves the network. (With no address,
# or 0.0.0.0, Streamlit would look up the machine's external IP at checkip.amazonaws.com on start.)
ADDRESS ?= 127.0.0.1
STAMP := $(VENV)/.installed

.PHONY: run test bench load data install browser clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m dashboard.serve --server.address $(ADDRESS) --server.port $(PORT)

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$(command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

test: $(STAMP) browser
	$(BIN)/python -m pytest -q

bench: $(STAMP) browser
	$(BIN)/python -m benchmarks

load: $(STAMP) browser
	$(BIN)/python -m benchmarks.load

data: $(STAMP)
	$(BIN)/python scripts/generate_illustrative.py

clean:
	rm -rf $(VENV) store tests/screenshots
