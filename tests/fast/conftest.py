import io
import os
import sys
from wsgiref.util import setup_testing_defaults

import pytest

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    from django.core import signals
    from django.core.cache import caches
    from django.db import close_old_connections

    from fastsite import clock, views

    caches["default"].clear()
    views.CALLS.clear()
    clock.OFFSET[0] = 0.0
    # As Django's test client does: a request must not close the test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        values = [v for k, v in self.headers if k.lower() == name.lower()]
        return values[0] if values else None

    def comparable(self):
        """What a client sees, less the headers only one path can add."""
        skip = {"x-polycache", "age", "date", "server"}
        return self.status, sorted((k.lower(), v) for k, v in self.headers if k.lower() not in skip), self.body


def call(app, path, method="GET", headers=None):
    """One request through a WSGI application, as a WSGI server makes it."""
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(b"")}
    environ["HTTP_HOST"] = "testserver"
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, list(headers)

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        getattr(chunks, "close", lambda: None)()
    return Answer(seen["status"], seen["headers"], body)


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
