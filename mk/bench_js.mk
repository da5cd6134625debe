# JS benchmarks: polycache vs lru-cache, lru.min, mnemonist, tiny-lru and quick-lru
# (bench/js, peers pinned in bench/js/package-lock.json). `bench-js` writes
# bench/results/js.json for bench/report.py; `bench-js-smoke` (part of make test) runs every
# implementation briefly and fails if one of them breaks or answers wrongly.
TEST_TARGETS += bench-js-smoke
BENCH_TARGETS += bench-js

BENCH_JS_STAMP := bench/js/node_modules/.package-lock.json

$(BENCH_JS_STAMP): bench/js/package.json bench/js/package-lock.json
	cd bench/js && npm ci --no-audit --no-fund
	@touch $@

.PHONY: bench-js-env bench-js bench-js-smoke
bench-js-env: js-build $(BENCH_JS_STAMP)

# (Node 22 and 24 for the start-up table: tests/nodes, whose rule is in js.mk.)
bench-js-env: tests/nodes/node_modules/.package-lock.json
bench-js: bench-js-env ## JS: five-phase throughput, cold start (Node 20, 22, 24, workerd) and size vs lru-cache & co (bench/results/js.json)
	node bench/js/run.mjs

bench-js-smoke: bench-js-env ## JS bench, every implementation once with tiny counts (bench/results/js-quick.json)
	node bench/js/run.mjs --smoke
