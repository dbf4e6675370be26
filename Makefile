# secaudit — the commands a person types.
#   make demo   audit an emulated AWS account end to end (installs what it needs)
#   make test   the whole test suite (unit, emulator integration, CLI)
#   make lint   rustfmt and clippy, warnings as errors
#   make build  the secaudit CLI (release)

SHELL := bash
PYTHON ?= python3
VENV := .venv
# Builds are slow (the AWS SDK crates); keep the cache outside the clone so every checkout
# and CI run reuses it. Override to taste.
export CARGO_TARGET_DIR ?= /var/tmp/secaudit-target
# The emulator the tests start (tests/support/moto_server.py).
export SECAUDIT_MOTO_PYTHON := $(CURDIR)/$(VENV)/bin/python

.PHONY: all demo test lint build venv clean-venv

all: test

$(VENV)/.installed: tests/requirements.txt
	@$(PYTHON) -m venv $(VENV) || { $(PYTHON) -m pip install --user --quiet virtualenv && $(PYTHON) -m virtualenv $(VENV); }
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	@touch $@

venv: $(VENV)/.installed

# Dev-dependency features apply to every target built here, so tests, examples and binaries
# share one build of the SDK crates.
demo: venv
	cargo build --bins --examples
	$(CARGO_TARGET_DIR)/debug/examples/demo $(CARGO_TARGET_DIR)/debug/secaudit demo-report.json

test: venv
	cargo test --all-targets

lint:
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

build:
	cargo build --release --bin secaudit
	@echo "built $(CARGO_TARGET_DIR)/release/secaudit"

clean-venv:
	rm -rf $(VENV)
