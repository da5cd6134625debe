import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

#: The suite runs on django-redis (a real redis-server, ``make test-fast``): a cache over
#: the network, read with one MGET per hit (polycache.fast_store).
NETWORK = bool(os.environ.get("POLYCACHE_FAST_DJANGO_REDIS_URL"))


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    from django.core import signals
    from django.core.cache import caches
    from django.db import close_old_connections

    from fastsite import api, clock, users, views

    caches["default"].clear()
    views.CALLS.clear()
    users.CALLS.clear()
    users.DURING.clear()
    api.CALLS.clear()
    clock.OFFSET[0] = 0.0
    # As Django's test client does: a request must not close the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=["own-keys", "django-keys"])
def apps(request):
    """Django's own WSGI application, and the same one behind the fast path: with the
    fast path's key builder, and with Django's functions (its fallback)."""
    from django.core.wsgi import get_wsgi_application

    from polycache.fast import FastPathWSGI

    django_app = get_wsgi_application()
    fast_app = FastPathWSGI(django_app, header=True)
    assert fast_app._keys is not None  # this Django's key format is the one fast_keys makes
    if request.param == "django-keys":
        fast_app._keys = None
    return django_app, fast_app
