"""The fast path through real servers: gunicorn (gthread, 4 threads) serving the fastsite
project behind FastPathWSGI, and uvicorn behind FastPathASGI; requests over HTTP from
this process."""

import json
import os
import shutil
import tempfile
import urllib.request

import pytest

from fastsite import serve


@pytest.fixture(scope="module", params=["gunicorn", "uvicorn"])
def server(request):
    tmp = tempfile.mkdtemp(prefix="polycache-fast-server-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", POLYCACHE_DRF_DB_DIR=tmp, POLYCACHE_FAST="1", POLYCACHE_FAST_BENCH="1")
    serve.prepare_db(env, books=2)
    port = serve.free_port()
    process = serve.start(env, port, request.param)
    yield f"http://127.0.0.1:{port}"
    serve.stop(process)
    shutil.rmtree(tmp, ignore_errors=True)


def fetch(url, method="GET", headers=None):
    request = urllib.request.Request(url, method=method, headers=headers or {})
    with urllib.request.urlopen(request) as r:
        return r.status, r.headers, r.read()


def test_hits_are_fast_and_a_write_in_the_server_reaches_them(server):
    first = fetch(server + "/books/?s=1")
    assert first[1]["X-Polycache"] == "django"
    hit = fetch(server + "/books/?s=1")
    assert hit[1]["X-Polycache"] == "fast" and hit[2] == first[2]
    assert hit[1]["Content-Language"] == first[1]["Content-Language"] == "en"
    assert fetch(server + "/add_book/?title=Excession", method="POST")[0] == 201
    after = fetch(server + "/books/?s=1")
    assert after[1]["X-Polycache"] == "django"
    assert "Excession" in json.loads(after[2])["titles"]
    again = fetch(server + "/books/?s=1")
    assert again[1]["X-Polycache"] == "fast" and again[2] == after[2]


def test_head_is_fast_and_has_no_body(server):
    fetch(server + "/books/?s=2")
    status, headers, body = fetch(server + "/books/?s=2", method="HEAD")
    assert status == 200 and headers["X-Polycache"] == "fast" and body == b""


def test_per_user_and_cookie_copies_never_go_fast(server):
    for path in ("/per_user/", "/cookie/"):
        for _ in range(3):
            _, headers, _ = fetch(server + path, headers={"Cookie": "sessionid=alice"})
            assert headers["X-Polycache"] == "django"
    _, headers, body = fetch(server + "/per_user/", headers={"Cookie": "sessionid=bob"})
    assert headers["X-Polycache"] == "django" and "bob" in json.loads(body)["cookie"]
