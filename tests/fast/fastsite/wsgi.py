"""The WSGI entry point bench/fast_bench.py runs under gunicorn: Django alone, Django
behind FastPathWSGI (POLYCACHE_FAST=1), or a bare WSGI app returning fixed bytes: a short
body and two headers (POLYCACHE_FAST=bare), or exactly the status, headers and body of
a fast hit on /books/?page=1, captured at start (POLYCACHE_FAST=bare-same): the server's
own ceiling for that answer."""
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

if os.environ.get("POLYCACHE_FAST") == "1":
    from polycache.fast import FastPathWSGI

    # POLYCACHE_FAST_HEADER=0: without X-Polycache (bench/fast_server_instructions.py)
    application = FastPathWSGI(application, header=os.environ.get("POLYCACHE_FAST_HEADER") != "0")
elif os.environ.get("POLYCACHE_FAST") == "bare":
    _BODY = b'{"page": "books", "run": 1, "query": "page=1", "titles": ["A book title"]}'

    def application(environ, start_response):  # type: ignore[no-redef]  # noqa: F811
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(_BODY)))])
        return [_BODY]
elif os.environ.get("POLYCACHE_FAST") == "bare-same":
    from polycache.fast import FastPathWSGI

    from fastsite.wsgi_client import call

    _fast = FastPathWSGI(application, header=True)
    call(_fast, "/books/?page=1", headers={"Host": "127.0.0.1"})
    _hit = call(_fast, "/books/?page=1", headers={"Host": "127.0.0.1"})
    assert _hit.header("X-Polycache") == "fast", _hit.headers

    def application(environ, start_response):  # type: ignore[no-redef]  # noqa: F811
        start_response(_hit.status, list(_hit.headers))
        return [_hit.body]
