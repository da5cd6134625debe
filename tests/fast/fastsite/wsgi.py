"""The WSGI entry point bench/fast_bench.py runs under gunicorn: Django alone, Django
behind FastPathWSGI (POLYCACHE_FAST=1), or a bare WSGI app returning the same kind of
bytes (POLYCACHE_FAST=bare: the server's own ceiling)."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

if os.environ.get("POLYCACHE_FAST") == "1":
    from polycache.fast import FastPathWSGI

    application = FastPathWSGI(application, header=True)
elif os.environ.get("POLYCACHE_FAST") == "bare":
    _BODY = b'{"page": "books", "run": 1, "query": "page=1", "titles": ["A book title"]}'

    def application(environ, start_response):  # type: ignore[no-redef]  # noqa: F811
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(_BODY)))])
        return [_BODY]
