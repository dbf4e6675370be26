# secaudit — the commands a person types.
#   make demo          audit an emulated AWS account end to end (installs what it needs)
#   make emulator      the demo account on a local emulator, kept running to try secaudit by hand
#   make install       put secaudit on your PATH (release build; PROFILE=debug reuses make demo's)
#   make test          the whole test suite: unit, emulator integration, CLI, the Lambda under
#                      cargo lambda watch, the HTML report in headless Chromium, and the SAM
#                      template linted
#   make lint          rustfmt and clippy, warnings as errors
#   make build         the secaudit CLI (release)
#   make lambda        the Lambda bootstrap for arm64 (cargo lambda build --release --arm64)
#   make deploy        sam build + sam deploy of infra/template.yaml (guided the first time)
#   make generate      write every generated file (check reference, coverage tables, the
#                      templates' EventBridge patterns); make lint fails while one is stale
#   make invoke-local  the function under cargo lambda watch against the local emulator
#   make bench         release binaries against synthetic accounts of 100 and 1,000 units and
#                      an organization of 50 small accounts; writes bench/results.md (not part
#                      of make test: a release build is long; BENCH_COMPARE=PATH adds an
#                      earlier build's figures from the same run)

SHELL := bash
PYTHON ?= python3
VENV := .venv
TOOLS := .venv-tools
# Builds are slow (the AWS SDK crates); keep the cache outside the clone so every checkout
# and CI run reuses it. Override to taste.
export CARGO_TARGET_DIR ?= /var/tmp/secaudit-target
# The emulator the tests start (tests/support/moto_server.py).
export SECAUDIT_MOTO_PYTHON := $(CURDIR)/$(VENV)/bin/python
# Template tools work offline; keep them from phoning home.
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: all demo demo-build emulator install test test-browser browser test-rust test-lambda lint lint-infra generate check-generated update-aws build lambda deploy invoke-local bench venv tools

all: test

# A virtualenv from requirements, created with venv (or virtualenv where venv is missing).
define make-venv
	@$(PYTHON) -m venv $(1) || { $(PYTHON) -m pip install --user --quiet virtualenv && $(PYTHON) -m virtualenv $(1); }
	$(1)/bin/pip install --quiet --disable-pip-version-check -r $(2)
	@touch $@
endef

$(VENV)/.installed: tests/requirements.txt
	$(call make-venv,$(VENV),tests/requirements.txt)

$(TOOLS)/.installed: infra/requirements.txt
	$(call make-venv,$(TOOLS),infra/requirements.txt)

venv: $(VENV)/.installed
tools: $(TOOLS)/.installed

# The demo's two programs: examples bring the dev-dependencies' features, so this build of the
# SDK crates is the one the tests and the other binaries share.
demo-build:
	cargo build --bin secaudit --example demo

# The virtualenv (downloads) and the first build (compiling) overlap.
demo:
	$(MAKE) --no-print-directory -j2 venv demo-build
	$(CARGO_TARGET_DIR)/debug/examples/demo $(CARGO_TARGET_DIR)/debug/secaudit demo-report.json

emulator:
	$(MAKE) --no-print-directory -j2 venv demo-build
	$(CARGO_TARGET_DIR)/debug/examples/demo --serve

# Copies the binary rather than `cargo install`: that would build without the dev-dependencies'
# features, and so compile the SDK crates once more. BINDIR is on PATH for rustup users.
PROFILE ?= release
BINDIR ?= $(HOME)/.cargo/bin
install:
ifeq ($(PROFILE),debug)
	cargo build --bins --examples
else
	cargo build --release --bin secaudit
endif
	install -D -m 0755 $(CARGO_TARGET_DIR)/$(PROFILE)/secaudit $(BINDIR)/secaudit
	@echo "installed $(BINDIR)/secaudit ($(PROFILE) build)"

test: test-rust test-lambda test-browser lint-infra

# The HTML report in headless Chromium: Debian's chromium and chromedriver, installed when
# missing (as root, or through sudo).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; }

test-browser: venv browser
	cargo build --bins --examples
	@mkdir -p $(CARGO_TARGET_DIR)/browser
	$(CARGO_TARGET_DIR)/debug/examples/demo $(CARGO_TARGET_DIR)/debug/secaudit $(CARGO_TARGET_DIR)/browser/report.json > /dev/null
	$(VENV)/bin/python tests/e2e/html_browser.py $(CARGO_TARGET_DIR)/debug/secaudit \
		$(CARGO_TARGET_DIR)/browser/report.json $(CARGO_TARGET_DIR)/browser/report.html \
		$(CARGO_TARGET_DIR)/browser/report.png

# The examples first: the integration tests run `examples/demo --serve` (make emulator).
test-rust: venv
	cargo build --bins --examples
	cargo test --all-targets

# `--bins --examples`, not `--bin secaudit-lambda`: the examples bring the dev-dependencies'
# features into the build, so the binary shares the test build's SDK crates instead of
# compiling them all a second time with a different feature set.
test-lambda: venv tools
	cargo build --bins --examples
	$(VENV)/bin/python tests/e2e/lambda_local.py $(CURDIR)/$(TOOLS)/bin/cargo-lambda

lint: check-generated
	cargo fmt --all -- --check
	cargo clippy --all-targets -- -D warnings

# Generated files, all from the registry through the binary: the check reference
# (docs/checks.md), the compliance coverage tables (docs/coverage-<framework>.md) and the
# templates' EventBridge patterns (what the checks' triggers add up to). `make generate` writes
# them all after a change; `make lint` (check-generated) fails while one is stale.
EVENTS_PATTERN := $(CARGO_TARGET_DIR)/events-pattern.json
EVENT_TEMPLATES := infra/template.yaml infra/member-role.yaml
FRAMEWORKS := cis-aws-3.0 cis-aws-7.0 fsbp
SECAUDIT_DEBUG := $(CARGO_TARGET_DIR)/debug/secaudit
GENERATED := $(CARGO_TARGET_DIR)/generated

generate: tools
	cargo build --bins --examples
	$(SECAUDIT_DEBUG) checks --format markdown > docs/checks.md
	for framework in $(FRAMEWORKS); do \
		$(SECAUDIT_DEBUG) compliance --coverage --framework $$framework > docs/coverage-$$framework.md || exit 1; done
	$(SECAUDIT_DEBUG) events --format eventbridge > $(EVENTS_PATTERN)
	$(TOOLS)/bin/python tests/e2e/template_events.py $(EVENT_TEMPLATES) $(EVENTS_PATTERN) --write

check-generated: tools
	cargo build --bins --examples
	@mkdir -p $(GENERATED)
	$(SECAUDIT_DEBUG) checks --format markdown > $(GENERATED)/checks.md
	@diff -q docs/checks.md $(GENERATED)/checks.md >/dev/null || { echo "docs/checks.md is stale: run make generate"; exit 1; }
	@for framework in $(FRAMEWORKS); do \
		$(SECAUDIT_DEBUG) compliance --coverage --framework $$framework > $(GENERATED)/coverage-$$framework.md || exit 1; \
		diff -q docs/coverage-$$framework.md $(GENERATED)/coverage-$$framework.md >/dev/null || \
			{ echo "docs/coverage-$$framework.md is stale: run make generate"; exit 1; }; done
	$(SECAUDIT_DEBUG) events --format eventbridge > $(EVENTS_PATTERN)
	$(TOOLS)/bin/python tests/e2e/template_events.py $(EVENT_TEMPLATES) $(EVENTS_PATTERN)

lint-infra: tools
	cargo build --bins --examples
	$(CARGO_TARGET_DIR)/debug/secaudit events --format eventbridge > $(EVENTS_PATTERN)
	$(TOOLS)/bin/python tests/e2e/template_events.py $(EVENT_TEMPLATES) $(EVENTS_PATTERN)
	$(TOOLS)/bin/python tests/e2e/template_policy.py infra/template.yaml
	$(TOOLS)/bin/python tests/e2e/state_machine.py infra/template.yaml src/function
	$(TOOLS)/bin/cfn-lint infra/template.yaml infra/member-role.yaml
	$(TOOLS)/bin/python tests/e2e/member_role.py infra/member-role.yaml
	cd infra && ../$(TOOLS)/bin/sam validate --lint --template template.yaml


# After adding an SDK crate: the whole aws family moves to the versions it needs, so no smithy
# runtime crate is compiled twice (a test fails while one is locked at two versions).
update-aws:
	cargo update $$(sed -n 's/^name = "\(aws[^"]*\)"/\1/p' Cargo.lock | sort -u)

build:
	cargo build --release --bin secaudit
	@echo "built $(CARGO_TARGET_DIR)/release/secaudit"

lambda: tools
	PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" cargo lambda build --release --arm64 --bin secaudit-lambda
	@ls -l $(CARGO_TARGET_DIR)/lambda/secaudit-lambda/bootstrap

# Uses the standard AWS credentials (AWS_PROFILE, SSO, ...). ALERT_EMAIL=you@example.com
# subscribes an address to the alerts.
deploy: tools
	cd infra && PATH="$(CURDIR)/$(TOOLS)/bin:$$PATH" ../$(TOOLS)/bin/sam build
	cd infra && ../$(TOOLS)/bin/sam deploy $(if $(ALERT_EMAIL),--parameter-overrides AlertEmail=$(ALERT_EMAIL))

invoke-local: venv tools
	cargo build --bins --examples
	$(VENV)/bin/python tests/e2e/lambda_local.py $(CURDIR)/$(TOOLS)/bin/cargo-lambda --show

# The audited binaries are release builds with symbols (the `profiling` profile, so `perf`
# names functions); the harness (seeding, measuring) shares the test build.
# BENCH_UNITS=100,1000 and BENCH_LATENCY_MS=50 by default; BENCH_COMPARE=PATH audits an
# earlier `secaudit` build beside this one in the same run.
BENCH_UNITS ?= 100,1000
BENCH_LATENCY_MS ?= 50
BENCH_COMPARE ?=
bench: venv
	cargo build --profile profiling --bins
	cargo build --example bench
	$(CARGO_TARGET_DIR)/debug/examples/bench $(CARGO_TARGET_DIR)/profiling/secaudit \
		$(CARGO_TARGET_DIR)/profiling/secaudit-lambda --units $(BENCH_UNITS) \
		--latency-ms $(BENCH_LATENCY_MS) --results bench/results.md \
		$(if $(BENCH_COMPARE),--compare $(BENCH_COMPARE))
	cargo build --profile profiling --example escalation
	{ echo; $(CARGO_TARGET_DIR)/profiling/examples/escalation; } >> bench/results.md
