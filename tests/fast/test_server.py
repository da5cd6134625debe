"""The fast path through real servers: gunicorn (gthread, 4 threads; and the same with
polycache.fast_gunicorn.Worker, which writes hits itself) serving the fastsite
project behind FastPathWSGI, and uvicorn behind FastPathASGI; requests over HTTP from
this process."""

import json
import os
import shutil
import tempfile
import urllib.error
import urllib.request

import pytest

from fastsite import serve


@pytest.fixture(scope="module", params=["gunicorn", "gunicorn-worker", "uvicorn"])
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


def test_a_token_copy_reaches_its_token_only_and_not_once_deleted(server):
    alice = {"Authorization": "Token " + fetch(server + "/token_for/?user=alice", method="POST")[2].decode()}
    bob = {"Authorization": "Token " + fetch(server + "/token_for/?user=bob", method="POST")[2].decode()}
    fetch(server + "/api_me/", headers=alice)
    _, headers, body = fetch(server + "/api_me/", headers=alice)
    assert headers["X-Polycache"] == "fast" and json.loads(body)["user"] == "alice"
    for _ in range(2):
        _, headers, body = fetch(server + "/api_me/", headers=bob)
        assert json.loads(body)["user"] == "bob"
    assert headers["X-Polycache"] == "fast"  # bob's own copy
    assert fetch(server + "/drop_token/?user=alice", method="POST")[0] == 204
    with pytest.raises(urllib.error.HTTPError) as denied:
        fetch(server + "/api_me/", headers=alice)
    assert denied.value.code == 401 and denied.value.headers["X-Polycache"] == "django"
    assert fetch(server + "/api_me/", headers=bob)[1]["X-Polycache"] == "fast"  # bob's is untouched


def test_a_logged_out_session_misses(server):
    session = json.loads(fetch(server + "/login_as/?user=carol", method="POST")[2])["session"]
    carol = {"Cookie": f"sessionid={session}"}
    fetch(server + "/me/", headers=carol)
    _, headers, body = fetch(server + "/me/", headers=carol)
    assert headers["X-Polycache"] == "fast" and json.loads(body)["user"] == "carol"
    _, headers, body = fetch(server + "/me/", headers={"Cookie": "sessionid=someone-else"})
    assert json.loads(body)["user"] is None
    assert fetch(server + "/logout_now/", method="POST", headers=carol)[0] == 204
    _, headers, body = fetch(server + "/me/", headers=carol)  # the old cookie, replayed
    assert headers["X-Polycache"] == "django" and json.loads(body)["user"] is None


def status_of(url, headers=None):
    try:
        _, h, _ = fetch(url, headers=headers)
        return 200, h["X-Polycache"]
    except urllib.error.HTTPError as e:
        return e.code, e.headers["X-Polycache"]


def test_drf_copies_public_fast_per_user_by_token_throttled_never(server):
    fetch(server + "/api/public/?s=9")
    _, headers, body = fetch(server + "/api/public/?s=9")
    assert headers["X-Polycache"] == "fast" and json.loads(body)["view"] == "public"
    erin = {"Authorization": "Token " + fetch(server + "/token_for/?user=erin", method="POST")[2].decode()}
    frank = {"Authorization": "Token " + fetch(server + "/token_for/?user=frank", method="POST")[2].decode()}
    fetch(server + "/api/mine/", headers=erin)
    _, headers, body = fetch(server + "/api/mine/", headers=erin)
    assert headers["X-Polycache"] == "fast" and json.loads(body)["user"] == "erin"
    assert json.loads(fetch(server + "/api/mine/", headers=frank)[2])["user"] == "frank"
    assert status_of(server + "/api/mine/") in ((401, "django"), (403, "django"))
    client = {"X-Forwarded-For": "10.1.2.3"}
    seen = [status_of(server + "/api/throttled/", client) for _ in range(5)]
    assert seen == [(200, "django")] * 3 + [(429, "django")] * 2


def test_concurrent_users_never_get_each_others_copies(server):
    """8 client threads against the server's 4 (or its event loop), alternating three
    tokens, two sessions and no credential on the per-user pages: every answer must be
    the requester's."""
    from concurrent.futures import ThreadPoolExecutor

    who = {}
    for name in ("ann", "ben", "cat"):
        who[name] = {"Authorization": "Token " + fetch(server + f"/token_for/?user={name}", method="POST")[2].decode()}
    for name in ("dan", "eve"):
        session = json.loads(fetch(server + f"/login_as/?user={name}", method="POST")[2])["session"]
        who[name] = {"Cookie": f"sessionid={session}"}
    who[None] = {}
    # /api/mine/: DRF, tokens or sessions; /me/: a Django view, sessions (or nobody)
    plan = [("/api/mine/", n) for n in ("ann", "ben", "cat", "dan", "eve")] + [("/me/", n) for n in ("dan", "eve", None)]

    def one(i):
        path, name = plan[i % len(plan)]
        _, headers, body = fetch(server + path, headers=who[name])
        return name, json.loads(body)["user"], headers["X-Polycache"]

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(one, range(240)))
    wrong = [(asked, got) for asked, got, _ in answers if asked != got]
    assert not wrong, wrong[:5]
    assert sum(1 for *_, path in answers if path == "fast") > 150  # most were fast hits
