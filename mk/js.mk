# npm package `polycache`: the core in WebAssembly for Node, browsers, workerd and Deno.
# Installs what it needs when missing: the wasm32 target, wasm-bindgen-cli (pinned to the
# crate's version, cached in $(TOOLS): ~7 min the first time), the npm dev tools, and
# Chromium for the tests that drive a browser (not for demo-js).
# `make test-js` takes 1-2 minutes once those are there.
TEST_TARGETS += test-js
DEMO_TARGETS += demo-js

WASM_BINDGEN_VERSION := 0.2.130
WASM_BINDGEN := $(TOOLS)/wasm-bindgen-$(WASM_BINDGEN_VERSION)/bin/wasm-bindgen
NPM_STAMP := node_modules/.package-lock.json

.PHONY: js-tools js-build test-js demo-js size-js chromium
$(WASM_BINDGEN):
	$(call install-tool,$@,cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --root $(TOOLS)/wasm-bindgen-$(WASM_BINDGEN_VERSION))

# `npm ci`: installs exactly the lock file and never rewrites it, so a test run leaves
# `git status` clean. The lock lists deno's, workerd's and esbuild's binaries for every
# platform, as `npm install` writes it on any machine; only this machine's get installed.
# Their install scripts must run (package.json's allowScripts approves these three, as npm
# 11 asks): workerd's puts the binary itself at bin/workerd, where the tests start it (and
# stop it: without the script they would stop only a Node wrapper, and leak workerd).
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

chromium: ## Install Debian's Chromium if missing (the browser tests drive it)
	$(call apt-install,/usr/bin/chromium,chromium,the browser tests (test-js; test-e2e and demo-e2e))

js-tools: rust-toolchain $(WASM_BINDGEN) $(NPM_STAMP) ## Everything the JS package needs to build

js-build: js-tools ## Build the npm package's wasm and glue into dist/
	WASM_BINDGEN=$(WASM_BINDGEN) npm run build

# Node 22 and 24, the LTS lines (~100 MB from the npm registry; tests/nodes/package.json):
# the Node suite runs again under each (tests/js/run.mjs), and make bench-js measures on them.
LTS_NODES_STAMP := tests/nodes/node_modules/.package-lock.json
$(LTS_NODES_STAMP): tests/nodes/package.json tests/nodes/package-lock.json
	cd tests/nodes && npm ci --no-audit --no-fund
	@touch $@

test-js: js-build chromium $(LTS_NODES_STAMP) ## JS tests: Node 20 (ESM+CJS), 22 and 24, types, workerd, Deno, Chromium; binding unit tests
	cargo test -p polycache-wasm --release
	npm test
	@# (npm installs optional packages where it can: a Node it did not install is said, as a skip.)
	@mkdir -p $(dir $(SKIPPED)) && for n in $$(node tests/nodes/nodes.mjs --missing); do \
		echo "SKIPPED test-js $$n: npm installed none in tests/nodes (a platform other than Linux x64, or its download failed): the Node suite did not run under it" | tee -a $(SKIPPED); done

DEMO_BUILDS += js-build
demo-js: $(call demo-needs,js-build) ## The npm package at work in Node
	$(call demo-heading,JavaScript: the npm package in Node (bindings-js/demo.mjs))
	@node bindings-js/demo.mjs

size-js: js-build ## Measure the package (wasm and JS, raw and gzip) into bindings-js/README.md
	npm run size

# What the wasm module carries, biggest first (twiggy, cached in $(TOOLS)).
TWIGGY_VERSION := 0.8.0
TWIGGY := $(TOOLS)/twiggy-$(TWIGGY_VERSION)/bin/twiggy
$(TWIGGY):
	$(call install-tool,$@,cargo install twiggy --version $(TWIGGY_VERSION) --locked --root $(TOOLS)/twiggy-$(TWIGGY_VERSION))

# It reads the modules as they ship but with their function names (wasm-named.mjs): the
# store's, which every import loads, the LRUCache's store's and the snapshot and key module
# (build.mjs).
WASM_RAW := target/wasm32-unknown-unknown/release/js-modules
.PHONY: size-js-wasm
size-js-wasm: js-build $(TWIGGY) ## The wasm modules' biggest items and what retains them (twiggy)
	@for m in store lru codec; do \
	  echo "== $$m"; \
	  node bindings-js/wasm-named.mjs $$m $(WASM_RAW)/$$m.named.wasm && \
	  $(TWIGGY) top -n 40 $(WASM_RAW)/$$m.named.wasm && \
	  $(TWIGGY) dominators -d 2 -r 60 $(WASM_RAW)/$$m.named.wasm || exit 1; \
	done
