# LeadPulse: `make demo` serves the demo site, `make test` runs every test layer; both set up
# the machine first (scripts/setup.sh, quiet when everything is installed). CI: .ci/run.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

# `cargo install` puts wasm-bindgen here; a fresh shell may not have it on PATH yet.
export PATH := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin:$(PATH)

# The wasm tests (tests/web.rs) run in Node by default, in Chromium with WASM_BINDGEN_USE_BROWSER
# (the runner itself passes --headless and --no-sandbox to chromedriver).
WASM_TEST := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	cargo test -p leadpulse-wasm --target wasm32-unknown-unknown --test web

.PHONY: setup pkg native-test warehouse-test serve-test-postgres fuzz-seeds wasm-lint wasm-test-node wasm-test-chrome js-test tracker-test dashboard-test e2e-test quickstart-test edge-test bad-inputs size size-ceiling test demo edge bench

setup:
	@scripts/setup.sh

# The package is rebuilt only when something it is built from changed (the stamp pkg/.built is
# written last), and never deleted under a running server (scripts/build-pkg.sh says how).
PKG_INPUTS := $(shell find src crates/leadpulse-wasm pkg-template -type f) Cargo.toml Cargo.lock package-lock.json \
	scripts/build-pkg.sh scripts/size-report.mjs
pkg: setup pkg/.built
pkg/.built: $(PKG_INPUTS) | setup
	scripts/build-pkg.sh

native-test: setup
	cargo fmt --check
	cargo clippy --workspace --all-targets -- -D warnings
	cargo test --workspace

# Warehouse histories (docs/warehouse.md): the `warehouse` feature (DataFusion) linted, its
# JSONL-vs-Parquet tests and the command's unit tests (the column mapping's property tests among
# them). Its own cargo invocations, so the default build never compiles DataFusion.
warehouse-test: setup
	cargo clippy -p leadpulse-cli --all-targets --features warehouse -- -D warnings
	cargo test -p leadpulse-cli --features warehouse --test warehouse --bin leadpulse

# The collector's suite again with every store in PostgreSQL (docs/collector.md, "Two instances
# on PostgreSQL"): a throwaway cluster on loopback, a database per test, the tests of two
# collectors on one database. `native-test` ran it on SQLite.
serve-test-postgres: setup
	LEADPULSE_TEST_DB=postgres cargo test -p leadpulse-cli --test serve

# Every committed fuzz seed (fuzz/corpus/, incl. the inputs fuzzing once crashed on) run once
# through its target's checks: the fuzz targets built on stable without instrumentation (a
# libFuzzer binary given files runs each once). Fuzzing itself is `make fuzz`, below.
FUZZ_BINS := model_read event_apply state_decode summary_check request_check mapping_read glob_match
fuzz-seeds: setup
	cd fuzz && cargo build --quiet --bins --target-dir ../target/fuzz-seeds
	@for target in $(FUZZ_BINS); do \
		log=target/fuzz-seeds/$$target.log; \
		target/fuzz-seeds/debug/$$target fuzz/corpus/$$target/* >"$$log" 2>&1 \
			|| { tail -n 30 "$$log"; echo "fuzz-seeds: $$target failed on a seed ($$log)"; exit 1; }; \
		echo "fuzz-seeds: $$target, $$(grep -c '^Executed' "$$log") seeds ok"; \
	done

# What ships is linted too: the binding exists only for wasm32, in both builds and in the
# serde-wasm-bindgen input variant that benches/boundary.sh measures against the default.
WASM_LINT := cargo clippy -p leadpulse -p leadpulse-wasm --lib --tests --target wasm32-unknown-unknown
wasm-lint: setup
	$(WASM_LINT) -- -D warnings
	$(WASM_LINT) --features leadpulse-wasm/author -- -D warnings
	$(WASM_LINT) --features leadpulse-wasm/swb-input -- -D warnings

# Both builds in Node: the browser build (compiled models) and the author build (documents);
# and the browser build with serde-wasm-bindgen inputs (benches/boundary.sh's other variant).
wasm-test-node: setup
	$(WASM_TEST)
	$(WASM_TEST) --features author
	$(WASM_TEST) --features swb-input

wasm-test-chrome: setup
	WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver $(WASM_TEST) --features author

js-test: pkg
	node --test tests/js/

# The browser tracker's logic in Node, and its JSDoc types against the built package.
tracker-test: pkg
	node --test tests/tracker/
	node_modules/.bin/tsc -p tests/tracker
	node_modules/.bin/tsc -p tests/tracker/tsconfig.pkg.json

# The dashboard's pure logic in Node (its reading of pushed events, a revision's changes).
dashboard-test:
	node --test tests/dashboard/

# The demo site in real headless Chromium against `leadpulse serve` on loopback.
e2e-test: pkg
	tests/e2e/run.sh

# Every quick start of README.md, docs/tracker.md and docs/edge.md, as a site owner runs it: the
# packed package in scratch projects, a plain static server, Chromium, workerd, the collector.
quickstart-test: pkg
	tests/quickstart/run.sh

# The example worker in real workerd (and the package under Deno) against `leadpulse serve`.
edge-test: pkg
	tests/edge/run.sh

# Hostile inputs against the real collector, replay, validate, wasm API and edge: fails on a
# panic, a hang, an uncaught trap or a forged lead listed (prints the table).
bad-inputs: pkg
	cargo build --release -p leadpulse-cli --quiet
	node scripts/bad-input-table.mjs | tail -n 1

# Fails when wasm + glue + tracker (minified + gzip) exceed the DESIGN.md budget. Not part of
# `test` while the budget is not met (benches/README.md); `size-ceiling` is: it fails when the
# embed grows past the weight reached so far (scripts/size-report.mjs, CEILING).
size: pkg
	node scripts/size-report.mjs pkg --check | tail -n 3

size-ceiling: pkg
	node scripts/size-report.mjs pkg --ceiling | tail -n 2

test: setup pkg size-ceiling native-test warehouse-test serve-test-postgres fuzz-seeds wasm-lint wasm-test-node wasm-test-chrome js-test tracker-test dashboard-test e2e-test quickstart-test edge-test bad-inputs

demo: setup pkg
	cargo build --release -p leadpulse-cli
	target/release/leadpulse serve

edge: pkg
	scripts/edge.sh

# Every performance row against its peers in the same run, then one summary table
# (benches/README.md). Reports timings, asserts none; fails on wrong results or a missing build.
bench: pkg
	benches/run.sh

# Fuzzing (docs/fuzzing.md): each cargo-fuzz target in turn for FUZZ_SECONDS (default 600),
# one job, on nightly; new inputs go to fuzz/work/<target>, crashes to fuzz/artifacts/<target>,
# logs and the executions table to fuzz/logs/. Not part of `test`. `FUZZ_SECONDS=30 make fuzz`
# is a smoke run; FUZZ_TARGETS="glob_match" picks targets.
FUZZ_SECONDS ?= 600
FUZZ_TARGETS ?= model_read event_apply state_decode summary_check request_check mapping_read glob_match

.PHONY: fuzz
fuzz:
	@cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
	@rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
	cd fuzz && cargo +nightly fuzz build
	@mkdir -p fuzz/logs; failed=""; \
	for target in $(FUZZ_TARGETS); do \
		mkdir -p fuzz/work/$$target; \
		echo "fuzz: $$target for $(FUZZ_SECONDS) s (log: fuzz/logs/$$target.log)"; \
		if (cd fuzz && cargo +nightly fuzz run $$target work/$$target corpus/$$target -- \
			-max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-print_final_stats=1) > fuzz/logs/$$target.log 2>&1; \
		then result=ok; else result=CRASH; failed="$$failed $$target"; fi; \
		runs=$$(sed -n 's/^stat::number_of_executed_units: *//p' fuzz/logs/$$target.log | tail -n 1); \
		printf '%-14s %6s s %12s executions  %s\n' "$$target" "$(FUZZ_SECONDS)" "$${runs:-?}" \
			"$$result" | tee -a fuzz/logs/summary.txt; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: crashes in$$failed (fuzz/artifacts/, fuzz/logs/)"; exit 1; fi
