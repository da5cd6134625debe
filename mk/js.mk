# npm package `polycache`: the core in WebAssembly for Node, browsers, workerd and Deno.
# Installs what it needs when missing: the wasm32 target, wasm-bindgen-cli (pinned to the
# crate's version, cached in $(TOOLS): ~7 min the first time), the npm dev tools, Chromium.
# `make test-js` takes 1-2 minutes once those are there.
TEST_TARGETS += test-js
DEMO_TARGETS += demo-js

WASM_BINDGEN_VERSION := 0.2.130
WASM_BINDGEN := $(TOOLS)/wasm-bindgen-$(WASM_BINDGEN_VERSION)/bin/wasm-bindgen
NPM_STAMP := node_modules/.package-lock.json

.PHONY: js-tools js-build test-js demo-js size-js chromium
$(WASM_BINDGEN):
	cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --root $(TOOLS)/wasm-bindgen-$(WASM_BINDGEN_VERSION)

# `npm install`, not `npm ci`: the lock file cannot list the deno/workerd binaries of
# other platforms (this registry has only linux-x64's), and `npm ci` refuses it for that.
# Installing from the lock file still pins every version.
$(NPM_STAMP): package.json package-lock.json
	npm install --no-audit --no-fund
	@touch $@

chromium: ## Install Debian's Chromium if missing (for the browser tests)
	@test -x /usr/bin/chromium || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; }

js-tools: rust-toolchain $(WASM_BINDGEN) $(NPM_STAMP) chromium ## Everything the JS package needs to build and test

js-build: js-tools ## Build the npm package's wasm and glue into dist/
	WASM_BINDGEN=$(WASM_BINDGEN) npm run build

test-js: js-build ## JS tests: Node ESM+CJS, types, workerd, Deno, Chromium; binding unit tests
	cargo test -p polycache-wasm --release
	npm test

demo-js: js-build ## The npm package at work in Node
	node bindings-js/demo.mjs

size-js: js-build ## Measure the package (wasm and JS, raw and gzip) into bindings-js/README.md
	npm run size
