"""One process, no server: microseconds per hit of FastPathWSGI and of Django's own
WSGI application on the same cached page (tests/fast, ``/books/?page=1``,
``cache_page`` + ``fast.eligible``), and the functions a fast hit spends its time in
(cProfile, top entries by own time). Run by bench/fast_bench.py for each cache backend;
prints one JSON object.

    POLYCACHE_FAST_BACKEND=... python bench/fast_hit.py DB_DIR

With ``--calls N --app fast|django`` it only makes N hits after the warm-up, untimed:
bench/fast_instructions.py runs that under valgrind to count instructions per hit.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fast"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
os.environ["POLYCACHE_FAST_BENCH"] = "1"
_parser = argparse.ArgumentParser()
_parser.add_argument("db_dir")
_parser.add_argument("--calls", type=int, default=None, help="only make this many hits (no timing, no profile)")
_parser.add_argument("--app", choices=("fast", "django"), default="fast")
ARGS = _parser.parse_args()
os.environ["POLYCACHE_DRF_DB_DIR"] = ARGS.db_dir

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

from polycache.fast import FastPathWSGI  # noqa: E402

PATH, QUERY = "/books/", "page=1"


def environ():
    return {"REQUEST_METHOD": "GET", "PATH_INFO": PATH, "QUERY_STRING": QUERY, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000", "HTTP_HOST": "127.0.0.1:8000", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(),
            "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_USER_AGENT": "wrk", "REMOTE_ADDR": "127.0.0.1"}


def start_response(status, headers, exc_info=None):
    return None


def per_call(app, n):
    best = float("inf")
    for _ in range(3):  # the best of three: the least disturbed by other work on the machine
        t = time.perf_counter()
        for _ in range(n):
            b"".join(app(environ(), start_response))
        best = min(best, (time.perf_counter() - t) / n)
    return best * 1e6


def main():
    django_app = get_wsgi_application()
    caches["default"].clear()  # a Redis this process did not start fresh may hold the page already
    fast_app = FastPathWSGI(django_app)
    for _ in range(2):
        b"".join(fast_app(environ(), start_response))
    assert fast_app.stats()["hits"] == 1, fast_app.stats()
    if ARGS.calls is not None:
        app = fast_app if ARGS.app == "fast" else django_app
        for _ in range(ARGS.calls):
            b"".join(app(environ(), start_response))
        return
    fast_us, django_us = per_call(fast_app, 5000), per_call(django_app, 500)
    profile = cProfile.Profile()
    profile.runcall(lambda: [fast_app(environ(), start_response) for _ in range(5000)])
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out).sort_stats("tottime")
    top = []
    for (filename, line, name), (_, calls, own, _, _) in sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:8]:
        where = f"{os.path.basename(filename)}:{name}" if filename != "~" else name
        top.append({"function": where, "calls_per_hit": calls / 5000, "own_us_per_hit": own / 5000 * 1e6})
    print(json.dumps({"fast_us": fast_us, "django_us": django_us, "top": top}))


if __name__ == "__main__":
    main()
