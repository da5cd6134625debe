# Rust core: unit, doc, vector, property and trace tests; wasm32 build check.
TEST_TARGETS += test-rust fuzz-smoke
DEMO_TARGETS += demo-rust
BENCH_TARGETS += bench-rust

.PHONY: rust-toolchain test-rust demo-rust bench-rust
rust-toolchain: ## Install the wasm32 target if missing
	@rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

test-rust: rust-toolchain ## Rust core tests (x86_64) + wasm32 build check
	cargo test -p polycache --release
	cargo build -p polycache --target wasm32-unknown-unknown --release
	# Without the default `adaptive` feature (as the LRUCache's wasm store builds it).
	cargo test -p polycache --no-default-features --lib without_adaptive

DEMO_BUILDS += demo-rust-build
.PHONY: demo-rust-build
demo-rust-build:
	cargo build -p polycache --release --example demo

demo-rust: $(call demo-needs,demo-rust-build) ## The Rust core in a small example
	$(call demo-heading,Rust: the core crate (core/examples/demo.rs))
	@cargo run -q -p polycache --release --example demo

bench-rust: ## Criterion: polycache vs lru, quick_cache, moka, schnellru
	cargo bench -p polycache-bench --bench store
	python3 bench/rust_report.py

FUZZ_BIN := $(TOOLS)/cargo-fuzz/bin/cargo-fuzz
$(FUZZ_BIN):
	$(call install-tool,$@,cargo install cargo-fuzz --version 0.13.2 --root $(TOOLS)/cargo-fuzz)

.PHONY: fuzz fuzz-smoke
FUZZ_TARGET ?= store_ops
fuzz: $(FUZZ_BIN) ## Fuzz FUZZ_TARGET (store_ops or snapshot_decode) until stopped, or FUZZ_SECONDS
	cd core/fuzz && RUSTC_BOOTSTRAP=1 $(FUZZ_BIN) fuzz run $(FUZZ_TARGET) -- $(if $(FUZZ_SECONDS),-max_total_time=$(FUZZ_SECONDS))

# One line a target; libFuzzer's full output goes to a log, whose tail is shown on failure.
FUZZ_LOGS := $(ROOT)/.cache/fuzz
fuzz-smoke: $(FUZZ_BIN) ## 20-second fuzz runs of each target (part of make test)
	@mkdir -p $(FUZZ_LOGS) && echo "fuzz-smoke: building the fuzz targets, then 20 s of each (logs in $(FUZZ_LOGS))"
	@for t in store_ops snapshot_decode; do \
		log=$(FUZZ_LOGS)/$$t.log; \
		if $(MAKE) -s --no-print-directory fuzz FUZZ_TARGET=$$t FUZZ_SECONDS=20 > $$log 2>&1; then \
			echo "fuzz $$t: $$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' $$log)," \
				"$$(sed -n 's/.*DONE *\(cov: [0-9]*\).*\(corp: [0-9]*\).*/\1, \2/p' $$log), no failure (log: $$log)"; \
		else echo "fuzz $$t: FAILED; the end of $$log:"; tail -n 40 $$log; exit 1; fi; \
	done
