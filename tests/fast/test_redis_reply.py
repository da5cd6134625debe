"""The fast path's own read of django-redis (``polycache.fast_resp``: the ``MGET`` written
to the kept connection's socket, its reply read there), against a real redis-server:
what it parses, and each way the read can fail. A failed read drops the connection and
hands the request to Django; no part of a reply ever reaches the next request."""

import json
import os
import signal
import socket
import threading
import time

import pytest
import redis
from conftest import NETWORK
from django.core.cache import caches
from fastsite.wsgi_client import call
from test_redis import fast_hits_and_commands, hot, in_another_process, own_redis, redisctl

from polycache.fast_resp import ReplyError, values

pytestmark = [pytest.mark.django_db, pytest.mark.skipif(not NETWORK, reason="needs POLYCACHE_FAST_DJANGO_REDIS_URL")]


def raw_reply(url, *keys):
    """The bytes a real redis-server answers to ``MGET keys`` (on a plain socket)."""
    kwargs = redis.Redis.from_url(url).connection_pool.connection_kwargs
    with socket.create_connection((kwargs["host"], kwargs["port"]), timeout=5) as sock:
        sock.sendall(b"".join(redis.Connection().pack_command("MGET", *keys)))
        reply = b""
        while not isinstance(values(reply, len(keys)), list):
            reply += sock.recv(65536)
    return reply


def test_the_reader_takes_what_redis_answers_to_mget():
    """Bulk strings, nulls (RESP2's ``$-1`` and RESP3's ``_``), an empty string, bytes
    that look like the protocol; every part of a reply asks for more bytes."""
    url = os.environ["POLYCACHE_FAST_DJANGO_REDIS_URL"]
    client = redis.Redis.from_url(url)
    client.set("a", b"\r\n$3\r\n*1\r\n")
    client.set("b", b"")
    client.rpush("c", "x")  # not a string: MGET gives a null for it
    reply = raw_reply(url, "a", "missing", "b", "c")
    assert values(reply, 4) == [b"\r\n$3\r\n*1\r\n", None, b"", None]
    for cut in range(len(reply)):
        need = values(reply[:cut], 4)
        assert isinstance(need, int) and cut < need <= len(reply), cut
    assert values(b"*3\r\n_\r\n$1\r\nx\r\n_\r\n", 3) == [None, b"x", None]


@pytest.mark.parametrize("reply", [
    b"-ERR wrong number of arguments\r\n",        # an error reply
    b"%1\r\n$1\r\na\r\n$1\r\nb\r\n",               # a RESP3 map
    b"*2\r\n$1\r\na\r\n",                           # another number of values
    b"*1\r\n:1\r\n",                                # an integer where a value belongs
    b"*1\r\n$1\r\nab\r\n",                          # a bulk string longer than it says
    b"*1\r\n$1\r\na\r\n+OK\r\n",                    # bytes after the reply
    b">2\r\n$10\r\ninvalidate\r\n*0\r\n",           # a RESP3 push
])
def test_the_reader_refuses_anything_else(reply):
    with pytest.raises(ReplyError):
        values(reply, 1)


def test_a_key_holding_another_type_is_a_miss(apps):
    """MGET answers a null for a list (no WRONGTYPE error, which GET gives): the fast
    path sees no page and Django answers (a 500: its GET fails); the connection is kept
    and serves the page again once a string is stored there."""
    django_app, fast_app = apps
    key = hot(fast_app, "/books/")
    client = caches["default"].client.get_client()
    name = caches["default"].client.make_key(key)
    client.delete(name)
    client.rpush(name, "not a page")
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "django"
    assert answer.status == call(django_app, "/books/").status
    # Django's own lookup (the fast path's fallback) reads with GET: WRONGTYPE, an error
    assert fast_app.stats()["refusals"] == ({} if fast_app._keys is not None else {"error": 1})
    client.delete(name)
    call(fast_app, "/books/")  # Django stores the page again
    again = call(fast_app, "/books/")
    assert again.header("X-Polycache") == "fast" and again.comparable() == call(django_app, "/books/").comparable()


def test_a_page_larger_than_many_receives_is_served_whole(apps):
    """A 3 MiB page: its reply comes in many receives (the first asks for 64 KiB), is read
    to its end, and the next (small) page's reply is its own."""
    django_app, fast_app = apps
    key = hot(fast_app, "/books/")
    in_another_process(f"import json\nr = cache.get({key!r})\n"
                       f"r.content = json.dumps({{'page': 'big', 'fill': 'x' * (3 << 20)}}).encode()\n"
                       f"cache.set({key!r}, r, 60)")
    for _ in range(2):
        answer = call(fast_app, "/books/")
        assert answer.header("X-Polycache") == "fast" and len(answer.body) > 3 << 20
        assert answer.comparable() == call(django_app, "/books/").comparable()
    call(fast_app, "/books/?page=2")
    small = call(fast_app, "/books/?page=2")
    assert small.header("X-Polycache") == "fast" and json.loads(small.body)["query"] == "page=2"


def test_a_password_and_another_database(settings):
    """``requirepass`` and db 3: redis-py's handshake (AUTH, SELECT) on the kept
    connection, then one MGET per hit on it, in db 3."""
    with own_redis(settings, password="s3cret", db=3) as (_, port, django_app, fast_app):
        key = hot(fast_app, "/books/")
        server = redis.Redis(port=port, password="s3cret", db=3)
        assert server.exists(caches["default"].client.make_key(key))
        assert not redis.Redis(port=port, password="s3cret", db=0).keys("*")
        answer, seen = fast_hits_and_commands(fast_app, "/books/", 4)
        assert seen.get("mget") == 4 and "auth" not in seen and "select" not in seen, seen
        assert answer.comparable() == call(django_app, "/books/").comparable()


def test_a_server_killed_mid_run(settings):
    """Four threads asking while the redis-server is killed (SIGKILL): every fast answer
    is the page, every other goes to Django (``error``); the server back on its port,
    each thread's connection is made again and answers fast."""
    with own_redis(settings) as (folder, port, django_app, fast_app):
        hot(fast_app, "/books/")
        expected = call(fast_app, "/books/").body
        done, seen, wrong = threading.Event(), [], []

        def ask():
            while not done.is_set():
                started = time.monotonic()
                answer = call(fast_app, "/books/")
                fast = answer.header("X-Polycache") == "fast"
                seen.append((started, fast))
                if fast and answer.body != expected:
                    wrong.append(answer.body)

        threads = [threading.Thread(target=ask) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(0.3)
        os.kill(redisctl.pid_of(folder), signal.SIGKILL)
        time.sleep(0.1)  # the kernel closes its sockets
        killed = time.monotonic()
        time.sleep(0.5)
        done.set()
        for thread in threads:
            thread.join(30)
        assert not wrong
        assert any(fast for started, fast in seen if started < killed)
        assert not any(fast for started, fast in seen if started > killed)
        assert fast_app.stats()["refusals"].get("error", 0) > 0
        redisctl.start(folder, port=port)
        assert call(fast_app, "/books/").header("X-Polycache") == "django"  # an empty server: stored again
        answer = call(fast_app, "/books/")
        assert answer.header("X-Polycache") == "fast" and answer.comparable() == call(django_app, "/books/").comparable()


def test_a_timeout_drops_the_connection_and_its_late_reply(settings):
    """The server busy past SOCKET_TIMEOUT (DEBUG SLEEP): the read times out and the
    request goes to Django. The reply to that MGET arrives later; had the connection been
    kept, it would be read as the next request's (another page's) reply."""
    with own_redis(settings, SOCKET_TIMEOUT=0.3) as (_, port, django_app, fast_app):
        hot(fast_app, "/books/?page=1")
        call(fast_app, "/books/?page=2")
        assert call(fast_app, "/books/?page=2").header("X-Polycache") == "fast"
        sleeper = threading.Thread(target=lambda: redis.Redis(port=port).execute_command("DEBUG", "SLEEP", "1"))
        sleeper.start()
        time.sleep(0.1)
        late = time.monotonic()
        assert call(fast_app, "/books/?page=1").header("X-Polycache") == "django"
        assert fast_app.stats()["refusals"] == {"error": 1}
        sleeper.join(30)
        assert time.monotonic() - late < 5
        answer = call(fast_app, "/books/?page=2")
        assert answer.header("X-Polycache") == "fast" and json.loads(answer.body)["query"] == "page=2"


def test_a_forked_child_reads_on_a_connection_of_its_own(apps):
    """After a fork the child connects again (redis-py's handshake) and the parent's
    connection goes on serving the parent."""
    django_app, fast_app = apps
    if fast_app._keys is None:
        pytest.skip("the fallback on Django's own key functions reads with get")
    hot(fast_app, "/books/")
    expected = call(django_app, "/books/").comparable()
    store = fast_app._threads.mine().stores["default"]
    parent_port = store._conn._sock.getsockname()[1]
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, never return into pytest
        try:
            answers = [call(fast_app, "/books/") for _ in range(2)]
            ok = all(a.header("X-Polycache") == "fast" and a.comparable() == expected for a in answers)
            os.write(write, json.dumps([ok, store._conn._sock.getsockname()[1]]).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        ok, child_port = json.loads(pipe.read())
    os.waitpid(pid, 0)
    assert ok and child_port != parent_port
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "fast" and answer.comparable() == expected
    assert store._conn._sock.getsockname()[1] == parent_port


@pytest.mark.skipif(not os.environ.get("POLYCACHE_FAST_HIREDIS"), reason="the run with hiredis importable (make test-fast)")
def test_this_run_has_redis_py_parse_with_hiredis(apps):
    """In that run redis-py's handshake on the kept connection is parsed by hiredis, then
    the fast path reads its own replies on the same socket."""
    from redis.utils import HIREDIS_AVAILABLE

    _, fast_app = apps
    if fast_app._keys is None:
        pytest.skip("the fallback on Django's own key functions reads with get")
    assert HIREDIS_AVAILABLE
    hot(fast_app, "/books/")
    assert type(fast_app._threads.mine().stores["default"]._conn._parser).__name__ == "_HiredisParser"


def test_a_resp3_connection(settings):
    """A pool speaking RESP3 (``protocol=3``: redis-py's handshake sends HELLO 3): MGET's
    nulls come as ``_``; a page, a missing generation and the header list read as under
    RESP2."""
    with own_redis(settings, CONNECTION_POOL_KWARGS={"protocol": 3}) as (_, port, django_app, fast_app):
        hot(fast_app, "/books/")
        conn = fast_app._threads.mine().stores["default"]._conn
        assert conn.protocol == 3 and conn.handshake_metadata  # HELLO 3 answered
        answer, seen = fast_hits_and_commands(fast_app, "/books/", 3)
        assert seen.get("mget") == 3 and seen.get("hello") is None, seen
        assert answer.comparable() == call(django_app, "/books/").comparable()
        assert call(fast_app, "/books/?page=9").header("X-Polycache") == "django"  # its header list: `_`
        assert call(fast_app, "/books/?page=9").header("X-Polycache") == "fast"
        assert fast_app.stats()["refusals"] == {}  # a null is a miss, not an error
