# Python/Django benchmarks beside their peers, the hit-ratio table, and the report that
# renders docs/benchmarks.md. `bench-smoke` (part of make test) runs all of it with tiny
# counts and writes only to bench/results/.
TEST_TARGETS += bench-smoke
BENCH_TARGETS += bench-python bench-hit-ratio bench-calls

BENCH_VENV := $(ROOT)/.venv-bench
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_PEERS := "Django==$(DJANGO_52)" theine==2.0.0 cachebox==6.2.10 cachetools==8.0.1 lru-dict==1.4.1 \
	moka-py==0.5.0 django-redis==7.0.0 redis==8.1.0 pymemcache==4.0.0 matplotlib==3.11.2 libcachesim==0.3.5

.PHONY: bench-calls bench-services bench-env bench-python bench-hit-ratio bench-hit-ratio-ours bench-report bench-report-js bench-report-hit-ratio bench-report-python bench-smoke

bench-services: ## Install redis-server and memcached if missing (started per run by the bench)
	$(call apt-install,redis-server memcached,redis-server memcached,the benchmarks (bench-smoke; bench-python))

$(BENCH_VENV)/.deps-stamp: mk/bench.mk
	@test -x $(BENCH_PY) || $(PY311) -m venv $(BENCH_VENV)
	$(BENCH_PY) -m pip install $(PIP_FLAGS) $(BENCH_PEERS)
	@touch $@

$(BENCH_VENV)/.polycache-stamp: $(BENCH_VENV)/.deps-stamp $(PY_WHEEL_DIR)/.stamp
	$(BENCH_PY) -m pip install $(PIP_FLAGS) --force-reinstall --no-deps $(PY_WHEEL)
	@touch $@

bench-env: bench-services $(BENCH_VENV)/.polycache-stamp

bench-python: bench-env ## Django API, plain Python and memory benchmarks vs peers
	$(BENCH_PY) bench/python_bench.py

bench-calls: $(BENCH_VENV)/.polycache-stamp ## Instructions (callgrind) and ns per Cache.get vs cachebox, the cp310-abi3 wheel
	$(call apt-install,valgrind,valgrind,bench-calls (instruction counts))
	$(BENCH_PY) bench/get_calls.py

bench-hit-ratio-ours: ## polycache LRU and adaptive on OLTP + synthetic traces (bench/results/hit_ratio.json)
	@mkdir -p bench/results
	cargo run -q -p polycache --release --example hit_ratio -- --dump bench/results/traces > bench/results/hit_ratio.json.tmp && mv bench/results/hit_ratio.json.tmp bench/results/hit_ratio.json

bench-hit-ratio: bench-env bench-hit-ratio-ours ## ... beside libCacheSim ARC/2Q/S3-FIFO/SIEVE/W-TinyLFU, theine, moka
	$(BENCH_PY) bench/hit_ratio_peers.py bench/results/traces bench/results/hit_ratio.json > bench/results/hit_ratio_peers.json.tmp
	mv bench/results/hit_ratio_peers.json.tmp bench/results/hit_ratio_peers.json

bench-report: bench-env ## Render docs/benchmarks.md and charts from bench/results
	$(BENCH_PY) bench/report.py

bench-report-js: ## Re-render only docs/benchmarks.md's JavaScript section (after make bench-js)
	python3 bench/report.py --js-only

bench-report-hit-ratio: bench-env ## Re-render only docs/benchmarks.md's Hit ratio section and chart (after make bench-hit-ratio)
	$(BENCH_PY) bench/report.py --hit-ratio-only

bench-report-python: bench-env ## Re-render only docs/benchmarks.md's Python sections (after make bench-python)
	$(BENCH_PY) bench/report.py --python-only

bench-smoke: bench-env bench-hit-ratio-ours ## Every benchmark with tiny counts (results stay in bench/results)
	$(BENCH_PY) bench/python_bench.py --quick > bench/results/python-quick.log
	$(BENCH_PY) bench/report.py --quick
	@grep -q '| polycache |' bench/results/benchmarks.md || { echo "bench smoke: no polycache row in the report"; exit 1; }
	@# One section re-rendered in place (what make bench-report-hit-ratio does to docs/): once, the rest kept.
	$(BENCH_PY) bench/report.py --quick --hit-ratio-only
	@test "$$(grep -c '^## Hit ratio$$' bench/results/benchmarks.md)" = 1 && grep -q '^## Rust$$' bench/results/benchmarks.md \
	  && grep -q '| \*\*polycache adaptive\*\* |' bench/results/benchmarks.md || { echo "bench smoke: --hit-ratio-only did not re-render its section alone"; exit 1; }
