# TieredCache (polycache in-process in front of Redis): Django's own BaseCacheTests, our API,
# multi-process and fault tests, and the hot-read benchmark against django-redis, all on a
# real redis-server. redis-server is installed with apt-get if missing, started on 127.0.0.1
# (a free port, a temp folder, daemonized, pidfile) and always stopped afterwards, even when
# the tests fail. Own venv in .venv-tiered (gitignored): `pip install .` of this tree plus
# pinned Django, redis-py and django-redis; rebuilt only when polycache's sources change.
TEST_TARGETS += test-tiered
BENCH_TARGETS += bench-tiered

TIERED_VENV := $(ROOT)/.venv-tiered
TIERED_PY := $(TIERED_VENV)/bin/python
TIERED_PYTHON ?= python3
TIERED_DJANGO := 5.2.19
TIERED_DEPS := "Django==$(TIERED_DJANGO)" "redis==8.1.0" "django-redis==7.0.0"
TIERED_SDIST := $(TOOLS)/django/django-$(TIERED_DJANGO).tar.gz
TIERED_PIP := -q --disable-pip-version-check
TIERED_POLYCACHE_SRC := $(wildcard $(ROOT)/pyproject.toml $(ROOT)/Cargo.toml $(ROOT)/Cargo.lock) \
	$(shell find $(ROOT)/core/src $(ROOT)/core/Cargo.toml $(ROOT)/bindings-python -type f \
		\( -name '*.rs' -o -name '*.py' -o -name '*.pyi' -o -name 'py.typed' -o -name Cargo.toml \) \
		-not -path '*/target/*' 2>/dev/null)
# Runs $(1) with POLYCACHE_REDIS_URL set to a fresh redis-server, stopped on any exit.
define with-redis
	@dir=$$(mktemp -d /tmp/polycache-redis.XXXXXX); \
	trap '$(TIERED_PY) $(ROOT)/tests/tiered/redisctl.py stop "$$dir"; rm -rf "$$dir"' EXIT; \
	port=$$($(TIERED_PY) $(ROOT)/tests/tiered/redisctl.py start "$$dir") || exit 1; \
	echo "redis-server on 127.0.0.1:$$port (pid $$(cat $$dir/redis.pid), folder $$dir)"; \
	cd $(ROOT) && POLYCACHE_REDIS_URL=redis://127.0.0.1:$$port/0 $(1)
endef

.PHONY: tiered-env tiered-sdist redis-server-installed test-tiered bench-tiered

$(TIERED_VENV)/.deps-stamp: mk/tiered.mk
	@test -x $(TIERED_PY) || $(TIERED_PYTHON) -m venv $(TIERED_VENV)
	$(TIERED_PY) -m pip install $(TIERED_PIP) $(TIERED_DEPS)
	@touch $@

$(TIERED_VENV)/.polycache-stamp: $(TIERED_VENV)/.deps-stamp $(TIERED_POLYCACHE_SRC)
	$(TIERED_PY) -m pip install $(TIERED_PIP) --force-reinstall --no-deps $(ROOT)
	@touch $@

# (The same file as mk/python.mk's; fetched here in a recipe, not a second rule for it.)
tiered-sdist: $(TIERED_VENV)/.deps-stamp
	@test -f $(TIERED_SDIST) || { mkdir -p $(dir $(TIERED_SDIST)) && \
		$(TIERED_PY) -m pip download $(TIERED_PIP) --no-deps --no-binary :all: "Django==$(TIERED_DJANGO)" -d $(dir $(TIERED_SDIST)) && \
		test -f $(TIERED_SDIST); }

tiered-env: $(TIERED_VENV)/.polycache-stamp ## venv for TieredCache: polycache from this tree, Django, redis-py, django-redis

redis-server-installed: ## apt-get install redis-server if it is missing
	@command -v redis-server >/dev/null || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get install -y redis-server || { $$sudo apt-get update && $$sudo apt-get install -y redis-server; }; }

test-tiered: tiered-env redis-server-installed tiered-sdist ## TieredCache: Django's BaseCacheTests, API, multi-process and fault tests on a real redis-server
	$(call with-redis,$(TIERED_PY) tests/tiered/run.py $(TIERED_SDIST))

bench-tiered: tiered-env redis-server-installed ## Hot reads: TieredCache vs django-redis on a local redis-server -> docs/bench-tiered.md
	$(call with-redis,$(TIERED_PY) bench/tiered_bench.py --out docs/bench-tiered.md)
