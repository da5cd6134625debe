# TieredCache (polycache in-process in front of Redis): Django's own BaseCacheTests (also on a
# Redis Cluster), our API, Redis Cluster and Sentinel failover/resharding tests (test_cluster,
# test_sentinel: 3+3 cluster nodes, primary + replica + 3 sentinels, started by the tests),
# multi-process and fault tests, django-redis habits side by side with django-redis and
# django-redis's own test suite (from its sdist, cached in $(TOOLS)/django-redis) on
# PolyCache and TieredCache, and the hot-read benchmark against django-redis, all on a
# real redis-server. redis-server is installed with apt-get if missing, started on 127.0.0.1
# (a free port, a temp folder, daemonized, pidfile) and always stopped afterwards, even when
# the tests fail. Own venvs (gitignored): .venv-tiered (Python 3.11, Django 5.2: everything)
# and .venv-tiered312 (Python 3.12, Django 6.1: Django's suite and the API tests), each with
# `pip install .` of this tree plus pinned redis-py, django-redis and mypy (run on the
# tiered modules); polycache is
# reinstalled only when its sources change.
TEST_TARGETS += test-tiered
BENCH_TARGETS += bench-tiered

TIERED_VENV := $(ROOT)/.venv-tiered
TIERED_PY := $(TIERED_VENV)/bin/python
TIERED_PYTHON ?= $(PY311)
TIERED_DJANGO := 5.2.19
TIERED_SDIST := $(TOOLS)/django/django-$(TIERED_DJANGO).tar.gz
TIERED_VENV312 := $(ROOT)/.venv-tiered312
TIERED_PY312 := $(TIERED_VENV312)/bin/python
TIERED_PYTHON312 ?= $(PY312)
TIERED_DJANGO312 := 6.1.3
TIERED_SDIST312 := $(TOOLS)/django/django-$(TIERED_DJANGO312).tar.gz
TIERED_REDIS_DEPS := "redis==8.1.0" "django-redis==7.0.0"
# django-redis's own tests/test_backend.py runs on polycache too (tests/tiered/habits_suite.py):
# pytest runs it, and it imports msgpack at module level.
TIERED_SUITE_DEPS := "pytest==8.4.2" "msgpack==1.1.1"
DJANGO_REDIS_VERSION := 7.0.0
DJANGO_REDIS_SDIST := $(TOOLS)/django-redis/django_redis-$(DJANGO_REDIS_VERSION).tar.gz
TIERED_MYPY := "mypy==2.4.1"
TIERED_MODULES := $(patsubst %,-m polycache.%,tiered tiered_tier tiered_journal tiered_protocol tiered_options tiered_namespace tiered_extras \
	tiered_writes tiered_many tiered_topology redis_compat locks)
TIERED_PIP := -q --disable-pip-version-check
TIERED_POLYCACHE_SRC := $(wildcard $(ROOT)/pyproject.toml $(ROOT)/Cargo.toml $(ROOT)/Cargo.lock) \
	$(shell find $(ROOT)/core/src $(ROOT)/core/Cargo.toml $(ROOT)/bindings-python -type f \
		\( -name '*.rs' -o -name '*.py' -o -name '*.pyi' -o -name 'py.typed' -o -name Cargo.toml \) \
		-not -path '*/target/*' 2>/dev/null)
# Runs $(1) with POLYCACHE_REDIS_URL set to a fresh redis-server, stopped on any exit; the
# Redis Clusters and Sentinel setups the tests start (tests/tiered/topoctl.py) live under
# POLYCACHE_TOPOLOGY_DIR, and every server there is killed on any exit too.
define with-redis
	@dir=$$(mktemp -d /tmp/polycache-redis.XXXXXX); \
	trap '$(TIERED_PY) $(ROOT)/tests/tiered/topoctl.py stop-all "$$dir/topologies"; \
		$(TIERED_PY) $(ROOT)/tests/tiered/redisctl.py stop "$$dir"; rm -rf "$$dir"' EXIT; \
	export POLYCACHE_TOPOLOGY_DIR="$$dir/topologies"; \
	port=$$($(TIERED_PY) $(ROOT)/tests/tiered/redisctl.py start "$$dir") || exit 1; \
	echo "redis-server on 127.0.0.1:$$port (pid $$(cat $$dir/redis.pid), folder $$dir)"; \
	export POLYCACHE_REDIS_URL=redis://127.0.0.1:$$port/0; cd $(ROOT) && $(1)
endef

.PHONY: tiered-env redis-server-installed test-tiered bench-tiered

# tiered-venv-rule VENV PYTHON DJANGO_VERSION SDIST
define tiered-venv-rule
$(1)/.deps-stamp: mk/tiered.mk
	@test -n "$(2)" || { echo "mk/tiered.mk: no interpreter for $(1)"; exit 1; }
	@test -x $(1)/bin/python || $(2) -m venv $(1)
	$(1)/bin/python -m pip install $(TIERED_PIP) "Django==$(3)" $(TIERED_REDIS_DEPS) $(TIERED_SUITE_DEPS) $(TIERED_MYPY)
	@touch $$@

$(1)/.polycache-stamp: $(1)/.deps-stamp $(TIERED_POLYCACHE_SRC)
	$(1)/bin/python -m pip install $(TIERED_PIP) --force-reinstall --no-deps $(ROOT)
	@touch $$@

# (The same sdist file as mk/python.mk's: fetched in a recipe, not a second rule for it.)
$(1)/.sdist-stamp: $(1)/.deps-stamp
	@test -f $(4) || { mkdir -p $(dir $(4)) && \
		$(1)/bin/python -m pip download $(TIERED_PIP) --no-deps --no-binary :all: "Django==$(3)" -d $(dir $(4)) && \
		test -f $(4); }
	@touch $$@
endef
$(eval $(call tiered-venv-rule,$(TIERED_VENV),$(TIERED_PYTHON),$(TIERED_DJANGO),$(TIERED_SDIST)))
$(eval $(call tiered-venv-rule,$(TIERED_VENV312),$(TIERED_PYTHON312),$(TIERED_DJANGO312),$(TIERED_SDIST312)))

tiered-env: $(TIERED_VENV)/.polycache-stamp $(TIERED_VENV312)/.polycache-stamp ## venv for TieredCache: polycache from this tree, Django, redis-py, django-redis

redis-server-installed: ## apt-get install redis-server if it is missing
	$(call apt-install,redis-server redis-cli,redis-server,the TieredCache and session tests (test-tiered; test-sessions; bench-tiered))

$(DJANGO_REDIS_SDIST): | $(TIERED_VENV)/.deps-stamp
	mkdir -p $(dir $@)
	$(TIERED_PY) -m pip download $(TIERED_PIP) --no-deps --no-binary :all: "django-redis==$(DJANGO_REDIS_VERSION)" -d $(dir $@)
	@test -f $@

test-tiered: tiered-env redis-server-installed $(TIERED_VENV)/.sdist-stamp $(TIERED_VENV312)/.sdist-stamp $(DJANGO_REDIS_SDIST) ## TieredCache: Django 5.2 + 6.1 BaseCacheTests, API, multi-process, fault and django-redis-habit tests on a real redis-server; django-redis's own suite on PolyCache and TieredCache
	$(call with-redis,$(TIERED_PY) tests/tiered/run.py $(TIERED_SDIST) && $(TIERED_PY312) tests/tiered/run.py $(TIERED_SDIST312) django test_api test_habits && $(TIERED_PY) tests/tiered/habits_suite.py $(DJANGO_REDIS_SDIST) \
		&& $(TIERED_PY) tests/tiered/topoctl.py with-cluster "$$POLYCACHE_TOPOLOGY_DIR" $(TIERED_PY) tests/tiered/run.py $(TIERED_SDIST) django)
	cd $(ROOT) && $(TIERED_PY) -m mypy --no-incremental --ignore-missing-imports --warn-unused-ignores \
		--disallow-untyped-defs $(TIERED_MODULES)

bench-tiered: $(TIERED_VENV)/.polycache-stamp redis-server-installed ## Hot reads: TieredCache vs django-redis on a local redis-server; on a Redis Cluster beside django-redis and redis-py client-side caching, classic vs sharded pub/sub -> docs/bench-tiered.md
	$(call with-redis,$(TIERED_PY) bench/tiered_bench.py --out docs/bench-tiered.md && \
		$(TIERED_PY) bench/tiered_cluster_bench.py --append docs/bench-tiered.md)
