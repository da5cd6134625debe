# polycache.fast (a cached page answered before Django runs): tests/fast, each rule checked
# side by side against Django's own WSGI application, on PolyCache and again on
# LocMemCache and on django-redis (a throwaway redis-server; test_redis.py: one MGET per
# hit, another process's writes; test_redis_reply.py: its own read's failures, again with
# hiredis importable) (expiry moves PolyCache's clock, so that one test runs
# on PolyCache only), plus mypy; test_server.py runs the project under gunicorn and uvicorn (pinned below);
# test_tiered.py runs two gunicorn processes on TieredCache sharing a real redis-server
# (started and stopped by the test, tests/tiered/redisctl.py).
# Reuses the DRF venv (.venv-drf) and the wheel of mk/python.mk.
# `make bench-fast` (gunicorn, uvicorn, wrk from apt, django-redis on a throwaway
# redis-server) is not part of make test.
TEST_TARGETS += test-fast

FAST_DEPS := "gunicorn==23.0.0" "uvicorn==0.54.0" "redis==8.1.0" "django-redis==7.0.0"
# hiredis (redis-py parses replies with it when it can import it): in a folder of its own,
# put on PYTHONPATH only by the *-hiredis rows of bench-fast and a second run of the
# django-redis read's tests (polycache never needs it).
HIREDIS_DIR := $(DRF_VENV)/hiredis

.PHONY: test-fast bench-fast bench-fast-instructions bench-fast-server-instructions

test-fast: $(DRF_VENV)/.fast-stamp $(HIREDIS_DIR)/.stamp redis-server-installed ## polycache.fast: the fast path vs Django itself, rule by rule
	@mkdir -p $(DRF_DB_DIR)
	cd $(ROOT)/tests/fast && POLYCACHE_DRF_DB_DIR=$(DRF_DB_DIR) $(DRF_PY) -m pytest -q
	cd $(ROOT)/tests/fast && POLYCACHE_DRF_DB_DIR=$(DRF_DB_DIR) \
		POLYCACHE_FAST_BACKEND=django.core.cache.backends.locmem.LocMemCache \
		$(DRF_PY) -m pytest -q -k "not expired" --ignore=test_tiered.py
	@dir=$$(mktemp -d /tmp/polycache-fast-redis.XXXXXX); \
	trap '$(DRF_PY) $(ROOT)/tests/tiered/redisctl.py stop "$$dir"; rm -rf "$$dir"' EXIT; \
	port=$$($(DRF_PY) $(ROOT)/tests/tiered/redisctl.py start "$$dir") || exit 1; \
	cd $(ROOT)/tests/fast && POLYCACHE_DRF_DB_DIR=$(DRF_DB_DIR) POLYCACHE_FAST_DJANGO_REDIS_URL=redis://127.0.0.1:$$port/0 \
		$(DRF_PY) -m pytest -q -k "not expired" --ignore=test_tiered.py && \
		POLYCACHE_DRF_DB_DIR=$(DRF_DB_DIR) POLYCACHE_FAST_DJANGO_REDIS_URL=redis://127.0.0.1:$$port/0 \
		POLYCACHE_FAST_HIREDIS=1 PYTHONPATH=$(HIREDIS_DIR) $(DRF_PY) -m pytest -q test_redis.py test_redis_reply.py
	cd $(ROOT) && $(DRF_PY) -m mypy --no-incremental --ignore-missing-imports --warn-unused-ignores \
		--disallow-untyped-defs -m polycache.fast -m polycache.fast_rules -m polycache.fast_keys -m polycache.fast_users -m polycache.fast_answer -m polycache.fast_store -m polycache.fast_resp -m polycache.fast_gunicorn

$(DRF_VENV)/.fast-stamp: $(DRF_VENV)/.polycache-stamp mk/fast.mk
	$(DRF_PY) -m pip install $(PIP_FLAGS) $(FAST_DEPS)
	@touch $@

$(HIREDIS_DIR)/.stamp: $(DRF_VENV)/.fast-stamp mk/fast.mk
	$(DRF_PY) -m pip install $(PIP_FLAGS) --target $(HIREDIS_DIR) "hiredis==3.5.0"
	@touch $@

bench-fast: $(DRF_VENV)/.fast-stamp $(HIREDIS_DIR)/.stamp redis-server-installed ## Requests/s under gunicorn and uvicorn with and without polycache.fast (docs/fast-bench.md)
	$(call apt-install,wrk,wrk,bench-fast)
	cd $(ROOT) && $(DRF_PY) bench/fast_bench.py --seconds 4 --rounds 3 --hiredis $(HIREDIS_DIR) --out docs/fast-bench.md

bench-fast-instructions: $(DRF_VENV)/.fast-stamp ## Instructions per cached-page hit (valgrind): FastPathWSGI vs Django's own, in one process
	$(call apt-install,valgrind,valgrind,bench-fast-instructions)
	cd $(ROOT) && $(DRF_PY) bench/fast_instructions.py

FAST_SERVER_MODES := django-locmem,fast-polycache,fast-locmem,worker-polycache,worker-locmem,worker-redis,bare-same-answer,bare-wsgi,django-redis,fast-redis,django-redis-hiredis,fast-redis-hiredis,fast-tiered,asgi-django-redis,asgi-fast-redis,asgi-fast-redis-thread

bench-fast-server-instructions: $(DRF_VENV)/.fast-stamp $(HIREDIS_DIR)/.stamp redis-server-installed ## Instructions per request of the whole server (valgrind; gunicorn, and uvicorn on django-redis): Django's hit, the fast path, a bare app with the same answer
	$(call apt-install,valgrind,valgrind,bench-fast-server-instructions)
	cd $(ROOT) && $(DRF_PY) bench/fast_server_instructions.py --hiredis $(HIREDIS_DIR) --modes $(FAST_SERVER_MODES)
