"""The fast path across processes: two gunicorn servers (each its own process, its own
TieredCache tier 1) sharing one real redis-server and one database. A write or a logout
made in one process must stop fast-path hits in the other within TieredCache's
INVALIDATION_BOUND; every answer after that bound is checked, so a stale copy served
fast after it fails the test."""

import json
import os
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

from fastsite import serve

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tiered"))
import redisctl  # noqa: E402  (tests/tiered: a throwaway redis-server)

REDIS = {}
BOUND = 0.5
SLACK = 1.0  # scheduling on a shared 2-core machine, two servers and this process


@pytest.fixture(scope="module")
def servers():
    folder = tempfile.mkdtemp(prefix="polycache-fast-redis-")
    port = redisctl.start(folder)
    REDIS["folder"] = folder
    db = tempfile.mkdtemp(prefix="polycache-fast-tiered-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", POLYCACHE_DRF_DB_DIR=db, POLYCACHE_FAST="1",
               POLYCACHE_FAST_BENCH="1", POLYCACHE_FAST_REDIS_URL=f"redis://127.0.0.1:{port}/0",
               POLYCACHE_FAST_BOUND=str(BOUND))
    processes = []
    try:
        serve.prepare_db(env, books=2)
        # a (read fast by the tests) writes its hits itself (polycache.fast_gunicorn), b is gthread
        for kind in ("gunicorn-worker", "gunicorn"):
            web = serve.free_port()
            processes.append(serve.start(env, web, kind))
            processes[-1].url = f"http://127.0.0.1:{web}"
        yield [p.url for p in processes]
    finally:
        for p in processes:
            serve.stop(p)
        redisctl.stop(folder)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(db, ignore_errors=True)


def fetch(url, method="GET", headers=None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    with urllib.request.urlopen(request) as r:
        return r.headers["X-Polycache"], r.read()


def fast_in(url, path, headers=None):
    fetch(url + path, headers=headers)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        path_taken, body = fetch(url + path, headers=headers)
        if path_taken == "fast":
            return body
    raise AssertionError(f"{path} never answered by the fast path")


def watch(url, path, done, headers=None):
    """Requests `path` until done(body); then keeps requesting for one more bound and
    requires every answer to satisfy done. The seconds it took."""
    start = time.monotonic()
    while True:
        path_taken, body = fetch(url + path, headers=headers)
        if done(body):
            break
        assert time.monotonic() - start < BOUND + SLACK, f"still stale after {time.monotonic() - start:.2f}s"
    took = time.monotonic() - start
    end = time.monotonic() + BOUND
    while time.monotonic() < end:
        assert done(fetch(url + path, headers=headers)[1])
    return took


def test_a_write_in_one_process_stops_fast_hits_in_the_other(servers):
    a, b = servers
    before = json.loads(fast_in(a, "/books/?x=1"))
    assert "Excession" not in before["titles"]
    fast_in(b, "/books/?x=1")  # b serves it fast too (from its tier 1)
    with urllib.request.urlopen(urllib.request.Request(b + "/add_book/?title=Excession", method="POST")) as r:
        assert r.status == 201
    took = watch(a, "/books/?x=1", lambda body: "Excession" in json.loads(body)["titles"])
    print(f"write in b reached a's fast path after {took:.3f}s (bound {BOUND}s)")
    assert "Excession" in json.loads(fast_in(a, "/books/?x=1"))["titles"]  # and a serves the new copy fast
    with urllib.request.urlopen(a + "/fast_stats/") as r:
        assert json.loads(r.read())["server_hits"] > 0  # written by a's gunicorn worker itself


def test_a_logout_in_one_process_stops_the_sessions_copies_in_the_other(servers):
    a, b = servers
    with urllib.request.urlopen(urllib.request.Request(a + "/login_as/?user=dana", method="POST")) as r:
        cookie = {"Cookie": f"sessionid={json.loads(r.read())['session']}"}
    assert json.loads(fast_in(a, "/me/", cookie))["user"] == "dana"
    with urllib.request.urlopen(urllib.request.Request(b + "/logout_now/", method="POST", headers=cookie)) as r:
        assert r.status == 204
    took = watch(a, "/me/", lambda body: json.loads(body)["user"] is None, cookie)
    print(f"logout in b reached a's fast path after {took:.3f}s (bound {BOUND}s)")


def test_with_redis_gone_nothing_is_served_fast(servers):
    """Last in this module: it stops the redis-server. A copy whose namespaces cannot be
    read is not served; Django answers as it does with its cache down."""
    a, _ = servers
    fast_in(a, "/books/?gone=1")
    redisctl.stop(REDIS["folder"])
    for _ in range(5):
        try:
            path_taken = fetch(a + "/books/?gone=1")[0]
        except urllib.error.HTTPError as e:  # Django's cache_page raises: a 500 from Django
            path_taken = e.headers["X-Polycache"]
        assert path_taken == "django"
