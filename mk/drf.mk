# polycache.drf (DRF response caching, model invalidation) and polycache.stampede: the
# tests in tests/drf (pytest + pytest-django, their own small project `catalog`), run on
# polycache.django.PolyCache and again on Django's LocMemCache (the generic path: namespace
# generations kept as counters in any Django cache), plus mypy of the three modules.
# Own venv in .venv-drf; polycache goes in from the abi3 wheel mk/python.mk builds.
TEST_TARGETS += test-drf

DRF_VENV := $(ROOT)/.venv-drf
DRF_PY := $(DRF_VENV)/bin/python
DRF_DEPS := "pytest>=8" "pytest-django>=4.9" "mypy>=1.18"
DRF_DB_DIR := $(ROOT)/.cache/drf-db

.PHONY: drf-env test-drf

$(DRF_VENV)/.deps-stamp: mk/drf.mk $(ROOT)/examples/drf_books/requirements.txt
	@test -x $(DRF_PY) || $(PY311) -m venv $(DRF_VENV)
	$(DRF_PY) -m pip install $(PIP_FLAGS) -r $(ROOT)/examples/drf_books/requirements.txt $(DRF_DEPS)
	@touch $@

$(DRF_VENV)/.polycache-stamp: $(DRF_VENV)/.deps-stamp $(PY_WHEEL_DIR)/.stamp
	$(DRF_PY) -m pip install $(PIP_FLAGS) --force-reinstall --no-deps $(PY_WHEEL)
	@touch $@

drf-env: $(DRF_VENV)/.polycache-stamp ## venv for the DRF caching tests (.venv-drf)

test-drf: drf-env ## polycache.drf + stampede: DRF views, invalidation, concurrency (PolyCache and LocMemCache)
	@mkdir -p $(DRF_DB_DIR)
	cd $(ROOT)/tests/drf && POLYCACHE_DRF_DB_DIR=$(DRF_DB_DIR) $(DRF_PY) -m pytest -q
	cd $(ROOT)/tests/drf && POLYCACHE_DRF_DB_DIR=$(DRF_DB_DIR) \
		POLYCACHE_DRF_BACKEND=django.core.cache.backends.locmem.LocMemCache \
		$(DRF_PY) -m pytest -q test_views.py test_concurrency.py
	cd $(ROOT) && $(DRF_PY) -m mypy --no-incremental --ignore-missing-imports --warn-unused-ignores \
		--disallow-untyped-defs -m polycache.drf -m polycache.drf_registry -m polycache.drf_keys -m polycache.drf_options -m polycache.drf_fast -m polycache.stampede -m polycache.singleflight -m polycache.namespace
