"""polycache.fast_gunicorn.Worker through real gunicorn processes: the hits it writes
itself are byte for byte what gunicorn's gthread worker sends for the same copy (but the
times), it keeps HTTP/1.1 keep-alive and HTTP/1.0 / ``Connection: close`` framing as
gunicorn does, and it steps aside (gunicorn's own handling, FastPathWSGI inside) when an
access log or a hook must see every request. The rules themselves run through it in
test_server.py (its ``gunicorn-worker`` server)."""

import json
import os
import shutil
import socket
import tempfile

import pytest

from fastsite import serve


def _start(kind, *extra):
    tmp = tempfile.mkdtemp(prefix="polycache-fast-worker-")
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", POLYCACHE_DRF_DB_DIR=tmp, POLYCACHE_FAST="1", POLYCACHE_FAST_BENCH="1")
    serve.prepare_db(env, books=2)
    port = serve.free_port()
    saved = serve.COMMANDS[kind]
    serve.COMMANDS[kind] = [*saved[:-1], *extra, saved[-1]]
    try:
        process = serve.start(env, port, kind)
    finally:
        serve.COMMANDS[kind] = saved
    return process, port, tmp


@pytest.fixture(scope="module")
def pair():
    started = [_start("gunicorn"), _start("gunicorn-worker")]
    yield [port for _, port, _ in started]
    for process, _, tmp in started:
        serve.stop(process)
        shutil.rmtree(tmp, ignore_errors=True)


def exchange(port, *requests):
    """Sends each raw request on one connection, reading its reply (framed by its
    Content-Length) before the next (gunicorn's gthread does not pipeline); returns the
    replies and whether the server closed the connection after the last."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        out = []
        for raw in requests:
            s.sendall(raw)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                assert chunk, f"closed early: {data!r}"
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")))
            while len(rest) < length:
                rest += s.recv(65536)
            assert len(rest) == length, "more bytes than the reply's Content-Length"
            out.append((head, rest))
        s.settimeout(0.5)  # gunicorn closes an idle kept connection after 2 s
        try:
            closed = s.recv(1) == b""
        except socket.timeout:
            closed = False
    return out, closed


def without_date(head):
    """The lines of a reply's head but those that carry the time (when it was sent,
    when its copy was stored)."""
    return [line for line in head.split(b"\r\n") if not line.startswith((b"Date: ", b"Expires: ", b"Age: "))]


def stats(port):
    (_, body), = exchange(port, b"GET /fast_stats/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")[0]
    return json.loads(body)


def get(path, version=b"1.1", extra=b""):
    return b"GET " + path + b" HTTP/" + version + b"\r\nHost: 127.0.0.1\r\n" + extra + b"\r\n"


def test_a_hit_is_what_gthread_sends_and_the_worker_wrote_it(pair):
    gthread, worker = pair
    before = stats(worker)["server_hits"]
    # stored by Django (on django-redis, which both servers share, by the first one only)
    first = {port: exchange(port, get(b"/books/?same=1"))[0][0] for port in pair}
    replies = {port: exchange(port, get(b"/books/?same=1"))[0][0] for port in pair}
    assert b"X-Polycache: fast" in replies[gthread][0]
    assert without_date(replies[worker][0]) == without_date(replies[gthread][0])
    assert replies[worker][1] == replies[gthread][1]
    assert stats(worker)["server_hits"] == before + 1 + (b"X-Polycache: fast" in first[worker][0])
    assert stats(gthread)["server_hits"] == 0


@pytest.mark.parametrize("version,extra,closes", [
    (b"1.1", b"", False),
    (b"1.1", b"Connection: close\r\n", True),
    (b"1.0", b"", True),
    (b"1.0", b"Connection: keep-alive\r\n", False),
])
def test_keep_alive_and_close_as_gunicorn_does(pair, version, extra, closes):
    path = b"/books/?conn=" + version + (b"c" if extra else b"")
    for port in pair:
        exchange(port, get(path))
    seen = {}
    for port in pair:
        (head, body), = (reply := exchange(port, get(path, version, extra)))[0]
        seen[port] = (without_date(head), body, reply[1])
        assert b"X-Polycache: fast" in head and reply[1] == closes
        assert (b"Connection: close" in head) == closes
    assert seen[pair[0]] == seen[pair[1]]


def test_hits_and_a_miss_on_one_kept_connection(pair):
    worker = pair[1]
    exchange(worker, get(b"/books/?pipe=1"))
    before = stats(worker)
    replies, closed = exchange(worker, get(b"/books/?pipe=1"), get(b"/books/?pipe=2"), get(b"/books/?pipe=1"))
    assert not closed
    tags = [next(line for line in head.split(b"\r\n") if line.startswith(b"X-Polycache")) for head, _ in replies]
    assert tags == [b"X-Polycache: fast", b"X-Polycache: django", b"X-Polycache: fast"]
    assert json.loads(replies[0][1])["query"] == "pipe=1" and json.loads(replies[1][1])["query"] == "pipe=2"
    after = stats(worker)
    # one lookup per request: the miss was looked up once, by the worker, and handed on
    # (the other miss is the second /fast_stats/ request's own)
    assert (after["server_hits"] - before["server_hits"], after["hits"] - before["hits"], after["misses"] - before["misses"]) == (2, 2, 2)


def test_head_and_refusals_go_through_gunicorn(pair):
    worker = pair[1]
    exchange(worker, get(b"/books/?head=1"))
    before = stats(worker)["server_hits"]
    (head, _), = exchange(worker, b"HEAD /books/?head=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")[0]
    assert b"X-Polycache: fast" in head  # FastPathWSGI inside gunicorn's own handling
    (head, _), = exchange(worker, get(b"/books/?head=1", extra=b"If-None-Match: \"x\"\r\n"))[0]
    assert b"X-Polycache: django" in head
    assert stats(worker)["server_hits"] == before


def test_with_an_access_log_every_request_goes_through_gunicorn(tmp_path):
    log = tmp_path / "access.log"
    process, port, tmp = _start("gunicorn-worker", "--access-logfile", str(log))
    try:
        for _ in range(3):
            (head, _), = exchange(port, get(b"/books/?logged=1"))[0]
        assert b"X-Polycache: fast" in head
        assert stats(port)["server_hits"] == 0
    finally:
        serve.stop(process)
        shutil.rmtree(tmp, ignore_errors=True)
    assert log.read_text().count("/books/?logged=1") == 3


def test_a_copy_gunicorn_would_reframe_is_handed_to_gunicorn(pair):
    """A copy with a header gunicorn drops (hop-by-hop) is not written by the worker: the
    lookup it made is handed to FastPathWSGI inside gunicorn's handling, which answers
    with the same copy (one lookup), and gunicorn sends it as gthread does."""
    gthread, worker = pair
    for port in pair:
        exchange(port, get(b"/hop_header/"))
    before = stats(worker)
    replies = {port: exchange(port, get(b"/hop_header/"))[0][0] for port in pair}
    after = stats(worker)
    assert b"X-Polycache: fast" in replies[worker][0]
    assert b"Keep-Alive" not in replies[worker][0]
    assert without_date(replies[worker][0]) == without_date(replies[gthread][0])
    assert replies[worker][1] == replies[gthread][1]
    assert after["server_hits"] == before["server_hits"]
    # the /hop_header/ hit, looked up once; the miss is the second /fast_stats/ request's
    assert (after["hits"] - before["hits"], after["misses"] - before["misses"]) == (1, 1)
