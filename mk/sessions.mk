# Django's own session tests (tests/sessions/run.py: sessions_tests from the Django sdist,
# the `cache` and `cached_db` engines) with the session cache on PolyCache (Django 5.2 on
# Python 3.11, 6.1 on 3.12, the venvs of mk/python.mk) and on TieredCache in front of a
# real redis-server (the venvs and the redis-server of mk/tiered.mk).
TEST_TARGETS += test-sessions

SESSIONS_RUN := tests/sessions/run.py
SDIST_52 := $(DJANGO_SDISTS)/django-$(DJANGO_52).tar.gz
SDIST_61 := $(DJANGO_SDISTS)/django-$(DJANGO_61).tar.gz

.PHONY: test-sessions
test-sessions: python-env tiered-env redis-server-installed $(SDIST_52) $(SDIST_61) ## Django's own session tests (cache, cached_db) on PolyCache and TieredCache
	cd $(ROOT) && .venv311/bin/python $(SESSIONS_RUN) $(SDIST_52) polycache.django.PolyCache
	cd $(ROOT) && .venv312/bin/python $(SESSIONS_RUN) $(SDIST_61) polycache.django.PolyCache
	$(call with-redis,$(TIERED_PY) $(SESSIONS_RUN) $(SDIST_52) polycache.tiered.TieredCache && \
		$(TIERED_PY312) $(SESSIONS_RUN) $(SDIST_61) polycache.tiered.TieredCache)
