# Rust core: unit, doc, vector, property and trace tests; wasm32 build check.
TEST_TARGETS += test-rust
DEMO_TARGETS += demo-rust
BENCH_TARGETS += bench-rust

.PHONY: rust-toolchain test-rust demo-rust bench-rust
rust-toolchain: ## Install the wasm32 target if missing
	@rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

test-rust: rust-toolchain ## Rust core tests (x86_64) + wasm32 build check
	cargo test -p polycache --release
	cargo build -p polycache --target wasm32-unknown-unknown --release

demo-rust: ## The Rust core in a small example
	cargo run -p polycache --release --example demo

bench-rust: ## Criterion: polycache vs lru, quick_cache, moka, schnellru
	cargo bench -p polycache --bench store
