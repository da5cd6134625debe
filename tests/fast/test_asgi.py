"""FastPathASGI against Django's own ASGI application, side by side (the rules
themselves are shared with the WSGI path and tested rule by rule in test_wsgi.py)."""

import asyncio
import json

import pytest
from fastsite.wsgi_client import call

from catalog.models import Author, Book

pytestmark = pytest.mark.django_db(transaction=True)  # views run in asgiref's thread


def acall(app, path, method="GET", headers=None):
    path, _, query = path.partition("?")
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method, "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": [(b"host", b"testserver"), *((k.lower().encode(), v.encode()) for k, v in (headers or {}).items())],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }
    sent, received = [], []

    async def receive():
        if not received:  # the body, then no disconnect until the answer is sent
            received.append(1)
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.get_running_loop().create_future()

    async def send(message):
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = [(k.decode("latin1"), v.decode("latin1")) for k, v in start["headers"]]
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, body


def header(answer, name):
    return next((v for k, v in answer[1] if k.lower() == name.lower()), None)


def comparable(answer):
    skip = {"x-polycache", "age"}
    return answer[0], sorted((k.lower(), v) for k, v in answer[1] if k.lower() not in skip), answer[2]


@pytest.fixture
def asgi_apps():
    from django.core.asgi import get_asgi_application

    from polycache.fast import FastPathASGI

    django_app = get_asgi_application()
    return django_app, FastPathASGI(django_app, header=True)


@pytest.mark.parametrize("path", ["/by_accept/", "/by_accept/?q=%C3%A9t%C3%A9&q=2", "/lang/"])
def test_hit_matches_django(asgi_apps, path):
    django_app, fast_app = asgi_apps
    first = acall(fast_app, path, headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert header(first, "X-Polycache") == "django"
    hit = acall(fast_app, path, headers={"Accept": "text/html", "Accept-Language": "fr"})
    assert header(hit, "X-Polycache") == "fast"
    assert comparable(hit) == comparable(acall(django_app, path, headers={"Accept": "text/html", "Accept-Language": "fr"})) == comparable(first)
    other = acall(fast_app, path, headers={"Accept": "application/json", "Accept-Language": "en"})
    assert header(other, "X-Polycache") == "django"


def test_each_query_string_has_its_own_copy(asgi_apps):
    _, fast_app = asgi_apps
    stored = {q: acall(fast_app, f"/by_accept/?page={q}") for q in ("1", "2")}
    for q in ("2", "1", "2"):
        hit = acall(fast_app, f"/by_accept/?page={q}")
        assert header(hit, "X-Polycache") == "fast" and hit[2] == stored[q][2]
        assert json.loads(hit[2])["query"] == f"page={q}"


def test_a_copy_stored_through_wsgi_is_found_through_asgi(asgi_apps):
    """Same keys whichever protocol stored the page."""
    from django.core.wsgi import get_wsgi_application

    _, fast_app = asgi_apps
    stored = call(get_wsgi_application(), "/by_accept/?q=1", headers={"Accept": "text/csv"})
    hit = acall(fast_app, "/by_accept/?q=1", headers={"Accept": "text/csv"})
    assert header(hit, "X-Polycache") == "fast" and hit[2] == stored.body


@pytest.mark.parametrize("path,method,reason", [("/books/", "POST", "method"), ("/per_user/", "GET", "per-user-vary"), ("/plain/", "GET", "not-eligible")])
def test_refusals_go_to_django(asgi_apps, path, method, reason):
    django_app, fast_app = asgi_apps
    acall(fast_app, path, headers={"Cookie": "sessionid=alice"})
    answer = acall(fast_app, path, method=method, headers={"Cookie": "sessionid=alice"})
    assert header(answer, "X-Polycache") == "django"
    by_django = acall(django_app, path, method=method, headers={"Cookie": "sessionid=alice"})
    runs = (json.loads(answer[2]).pop("run"), json.loads(by_django[2]).pop("run"))
    assert runs == ((2, 3) if method == "POST" else (1, 1))  # POST runs the view each time
    assert {**json.loads(answer[2]), "run": 0} == {**json.loads(by_django[2]), "run": 0}
    assert fast_app.stats()["refusals"] == {reason: 1}


def test_model_write_reaches_the_asgi_fast_path(asgi_apps):
    _, fast_app = asgi_apps
    banks = Author.objects.create(name="Banks")
    Book.objects.create(title="Excession", author=banks, year=1996)
    acall(fast_app, "/books/")
    assert header(acall(fast_app, "/books/"), "X-Polycache") == "fast"
    Book.objects.create(title="Look to Windward", author=banks, year=2000)
    after = acall(fast_app, "/books/")
    assert header(after, "X-Polycache") == "django"
    assert json.loads(after[2])["titles"] == ["Excession", "Look to Windward"]


def test_other_scopes_pass_through():
    from polycache.fast import FastPathASGI

    seen = []

    async def app(scope, receive, send):
        seen.append(scope["type"])

    fast_app = FastPathASGI(app)
    asyncio.run(fast_app({"type": "lifespan"}, None, None))
    assert seen == ["lifespan"] and fast_app.stats() == {"hits": 0, "misses": 0, "refusals": {}, "server_hits": 0}


def test_async_view_is_stamped_and_invalidated(asgi_apps):
    from polycache import drf

    django_app, fast_app = asgi_apps
    first = acall(fast_app, "/async_page/")
    hit = acall(fast_app, "/async_page/")
    assert header(first, "X-Polycache") == "django" and header(hit, "X-Polycache") == "fast"
    assert comparable(hit) == comparable(acall(django_app, "/async_page/")) == comparable(first)
    drf.invalidate("catalog.book")
    after = acall(fast_app, "/async_page/")
    assert header(after, "X-Polycache") == "django" and json.loads(after[2])["run"] == 2


def test_drf_copies_through_asgi_public_and_per_token(asgi_apps):
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    django_app, fast_app = asgi_apps
    acall(fast_app, "/api/public/?a=1")
    hit = acall(fast_app, "/api/public/?a=1")
    assert header(hit, "X-Polycache") == "fast"
    by_django = acall(django_app, "/api/public/?a=1")
    assert hit[0] == by_django[0] and hit[2] == by_django[2]
    keys = {u: {"Authorization": f"Token {Token.objects.create(user=User.objects.create(username=u)).key}"} for u in ("ida", "jo")}
    acall(fast_app, "/api/mine/", headers=keys["ida"])
    hit = acall(fast_app, "/api/mine/", headers=keys["ida"])
    assert header(hit, "X-Polycache") == "fast" and json.loads(hit[2])["user"] == "ida"
    assert hit[2] == acall(django_app, "/api/mine/", headers=keys["ida"])[2]
    other = acall(fast_app, "/api/mine/", headers=keys["jo"])
    assert header(other, "X-Polycache") == "django" and json.loads(other[2])["user"] == "jo"
    Token.objects.filter(user__username="ida").delete()
    gone = acall(fast_app, "/api/mine/", headers=keys["ida"])
    assert gone[0] == 401 and header(gone, "X-Polycache") == "django"


def test_a_network_cache_is_read_off_the_event_loop(asgi_apps):
    """With a cache that may wait on the network with no bound (FastPathASGI.blocking:
    django-redis without a SOCKET_TIMEOUT, ...) the lookup runs in a worker thread,
    never on the loop's."""
    import threading

    from conftest import NETWORK

    _, fast_app = asgi_apps
    assert fast_app.blocking is NETWORK  # PolyCache / LocMemCache: on the loop
    acall(fast_app, "/by_accept/?t=1")
    fast_app.blocking = True
    loop_threads, lookup_threads = set(), set()
    real_answer = fast_app._answer

    def answer(*args):
        lookup_threads.add(threading.get_ident())
        return real_answer(*args)

    async def on_loop():
        loop_threads.add(threading.get_ident())

    fast_app._answer = answer
    hit = acall(fast_app, "/by_accept/?t=1")
    asyncio.run(on_loop())
    assert header(hit, "X-Polycache") == "fast"
    assert lookup_threads and not (lookup_threads & loop_threads)


def test_an_async_per_user_view_reaches_its_session_only(asgi_apps):
    """fast.eligible(per_user=True) on an async view: stamped after the view in a
    thread (it may read the session), served to that session only, not after a logout."""
    from django.core.wsgi import get_wsgi_application

    _, fast_app = asgi_apps
    wsgi = get_wsgi_application()
    cookies = {}
    for name in ("uma", "val"):
        login = call(wsgi, f"/login_as/?user={name}", method="POST")
        cookies[name] = {"Cookie": f"sessionid={json.loads(login.body)['session']}"}
    first = acall(fast_app, "/async_me/", headers=cookies["uma"])
    hit = acall(fast_app, "/async_me/", headers=cookies["uma"])
    assert header(first, "X-Polycache") == "django" and header(hit, "X-Polycache") == "fast"
    assert json.loads(hit[2])["user"] == "uma" and hit[2] == first[2]
    other = acall(fast_app, "/async_me/", headers=cookies["val"])
    assert header(other, "X-Polycache") == "django" and json.loads(other[2])["user"] == "val"
    call(wsgi, "/logout_now/", method="POST", headers=cookies["uma"])
    after = acall(fast_app, "/async_me/", headers=cookies["uma"])
    assert header(after, "X-Polycache") == "django" and json.loads(after[2])["user"] is None


def test_django_redis_with_a_socket_timeout_is_read_on_the_event_loop(settings, monkeypatch):
    """django-redis given SOCKET_TIMEOUT: one MGET per hit, each wait bounded by it, on the
    loop's own thread (no worker thread); Redis busy past the timeout (DEBUG SLEEP): the
    read gives up within it and Django answers. Read with ``get`` instead (the fallback on
    Django's key functions), a worker thread again."""
    import threading
    import time

    import redis
    from django.core.asgi import get_asgi_application

    from conftest import NETWORK
    from polycache.fast import FastPathASGI
    from polycache.fast_store import _DjangoRedis

    if not NETWORK:
        pytest.skip("needs POLYCACHE_FAST_DJANGO_REDIS_URL")
    url = settings.CACHES["default"]["LOCATION"].rsplit("/", 1)[0] + "/4"  # django-redis keeps a pool per URL
    settings.CACHES = {"default": dict(settings.CACHES["default"], LOCATION=url, OPTIONS={"SOCKET_TIMEOUT": 0.3})}
    django_app = get_asgi_application()
    fast_app = FastPathASGI(django_app, header=True)
    assert not fast_app.blocking
    acall(fast_app, "/by_accept/?t=2")
    reads, real_read = [], _DjangoRedis.read

    def read(self, keys):
        started = time.monotonic()
        try:
            return real_read(self, keys)
        finally:
            reads.append((threading.get_ident(), time.monotonic() - started))

    monkeypatch.setattr(_DjangoRedis, "read", read)
    hit = acall(fast_app, "/by_accept/?t=2")
    assert header(hit, "X-Polycache") == "fast" and comparable(hit) == comparable(acall(django_app, "/by_accept/?t=2"))
    assert reads and {thread for thread, _ in reads} == {threading.get_ident()}  # asyncio.run's loop runs on this thread
    sleeper = threading.Thread(target=lambda: redis.Redis.from_url(url).execute_command("DEBUG", "SLEEP", "1.5"))
    sleeper.start()
    time.sleep(0.1)
    del reads[:]
    late = acall(fast_app, "/by_accept/?t=2")
    sleeper.join(30)
    assert header(late, "X-Polycache") == "django" and fast_app.stats()["refusals"] == {"error": 1}
    assert len(reads) == 1 and reads[0][1] < 1.0  # gave up after SOCKET_TIMEOUT (0.3 s), not after the sleep
    again = acall(fast_app, "/by_accept/?t=2")
    assert header(again, "X-Polycache") == "fast" and comparable(again) == comparable(hit)
    monkeypatch.setattr("polycache.fast.matches_django", lambda prefix: False)
    assert FastPathASGI(django_app).blocking  # Django's key functions read with get: redis-py's retries, off the loop
