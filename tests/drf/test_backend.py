"""The stampede protection wired into the Django backend: PolyCache.get_or_set /
aget_or_set and its namespace views (get_or_set pinned to the generation it missed at,
get_many / set_many / delete_many)."""

import asyncio
import threading
import time

import pytest
from django.core.cache import caches

from polycache.django import PolyCache
from polycache.stampede import Stale, StampedeTimeout

from test_stampede import coroutines_missing_together

N = 8


@pytest.fixture
def cache():
    if not isinstance(caches["default"], PolyCache):
        pytest.skip("the backend under test is not PolyCache")
    c = caches["default"]
    c.clear()
    return c


def until(condition, what, limit=10.0):
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.001)


def run_threads(n, target):
    out, errors = [None] * n, []

    def run(i):
        try:
            out[i] = target(i)
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    return ts, out, errors


def test_get_or_set_computes_once_among_threads(cache):
    calls, release, barrier = [], threading.Event(), threading.Barrier(N)

    def compute():
        calls.append(1)
        assert release.wait(10)
        return [1, 2, 3]

    ts, out, errors = run_threads(N, lambda i: (barrier.wait(), cache.get_or_set("report", compute, 60))[1])
    until(lambda: cache._flights.waiting() == N - 1, "the other threads to wait")
    release.set()
    for t in ts:
        t.join()
    assert not errors and calls == [1] and out == [[1, 2, 3]] * N
    assert cache.get("report") == [1, 2, 3]


def test_aget_or_set_computes_once_among_coroutines(cache):
    out, calls = coroutines_missing_together(cache._flights, lambda f: cache.aget_or_set("report", f, 60), lambda: "built")
    assert out == ["built"] * N
    assert calls == 1
    assert cache.get("report") == "built"


def test_one_flight_per_stored_key(cache):
    """Different versions, prefixes or namespaces of one key are different flights."""
    other = PolyCache("drf-tests", {"KEY_PREFIX": "other"})
    release = threading.Event()
    ts, out, errors = run_threads(1, lambda i: cache.get_or_set("k", lambda: release.wait(10) and "v1", 60))
    until(lambda: cache._flights.in_flight() == 1, "the first flight")
    assert cache.get_or_set("k", "v2", 60, version=2) == "v2"  # not waiting for version 1
    assert other.get_or_set("k", "other", 60) == "other"
    release.set()
    ts[0].join()
    assert out == ["v1"] and not errors


def test_bounded_wait_and_options(cache):
    release = threading.Event()
    ts, _, _ = run_threads(1, lambda i: cache.get_or_set("slow", lambda: release.wait(10) and "slow", 60))
    until(lambda: cache._flights.in_flight() == 1, "the leader")
    with pytest.raises(StampedeTimeout):
        cache.get_or_set("slow", "x", 60, wait=0.02, on_timeout="raise")
    assert cache.get_or_set("slow", "mine", 60, wait=0.02) == "mine"
    release.set()
    ts[0].join()


def test_stale_while_revalidate_on_the_backend(cache, monkeypatch):
    from polycache import stampede

    assert cache.get_or_set("s", lambda: "v1", 10, stale=1000) == "v1"
    assert isinstance(cache.get("s"), Stale)
    now = time.time()
    monkeypatch.setattr(stampede, "clock", lambda: now + 60)  # past fresh, within stale
    assert cache.get_or_set("s", lambda: "v2", 10, stale=1000) == "v2"


def test_django_get_or_set_semantics_hold(cache):
    assert cache.get_or_set("n", None) is None
    assert cache.get("n", "default") is None
    assert cache.get_or_set("f", lambda: False) is False
    with pytest.raises(TypeError):
        cache.get_or_set("k")


def test_namespace_get_or_set_is_pinned_to_the_generation_it_missed_at(cache):
    """A value computed from data read before an invalidate() and stored after it must
    not be served: it lands in the old generation."""
    books = cache.namespace("books")
    read, release = threading.Event(), threading.Event()
    data = {"title": "old"}

    def compute():
        value = dict(data)  # reads the "database"
        read.set()
        assert release.wait(10)
        return value

    ts, out, errors = run_threads(1, lambda i: books.get_or_set("list", compute, 60))
    assert read.wait(10)
    data["title"] = "new"
    books.invalidate()  # the writer
    release.set()
    ts[0].join()
    assert out == [{"title": "old"}] and not errors  # the race happened
    assert books.get("list") is None
    assert books.get_or_set("list", lambda: dict(data), 60) == {"title": "new"}


def test_namespace_batch_calls(cache):
    books = cache.namespace("books")
    assert books.set_many({"a": 1, "b": 2}, 60) == []
    assert books.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    assert cache.get_many(["a", "b"]) == {}  # outside the namespace
    books.delete_many(["a"])
    assert books.get_many(["a", "b"]) == {"b": 2}
    pinned = books.pin()
    books.invalidate()
    assert books.get("b") is None and pinned.get("b") == 2  # the old generation, still held
    pinned.set("late", 1)
    assert books.get("late") is None


def test_namespace_aget_or_set(cache):
    books = cache.namespace("books")

    async def scenario():
        async def compute():
            return "async"

        return await books.aget_or_set("x", compute, 60)

    assert asyncio.run(scenario()) == "async"
    assert books.get("x") == "async"


@pytest.mark.parametrize("where", ["cache", "namespace"])
def test_each_caller_of_get_or_set_gets_its_own_object(cache, where):
    target = cache if where == "cache" else cache.namespace("books")
    release = threading.Event()

    def compute():
        assert release.wait(10)
        return {"titles": ["Dune"]}

    ts, out, errors = run_threads(N, lambda i: target.get_or_set("shared", compute, 60))
    until(lambda: cache._flights.waiting() == N - 1, "the other threads to wait")
    release.set()
    for t in ts:
        t.join()
    assert not errors and out == [{"titles": ["Dune"]}] * N
    assert len({id(v) for v in out}) == N, "callers were handed one object"
    out[0]["titles"].append("mutated by one caller")
    assert all(v == {"titles": ["Dune"]} for v in out[1:])
    assert target.get("shared") == {"titles": ["Dune"]}


@pytest.mark.parametrize("where", ["cache", "namespace"])
def test_each_coroutine_of_aget_or_set_gets_its_own_object(cache, where):
    target = cache if where == "cache" else cache.namespace("books")
    out, _ = coroutines_missing_together(cache._flights, lambda f: target.aget_or_set("shared", f, 60), lambda: ["built"])
    assert out == [["built"]] * N and len({id(v) for v in out}) == N


def test_a_get_or_set_miss_counts_one_miss_and_one_hit_as_django_reads(cache):
    """Django's get_or_set reads twice on a miss (get, add, get): the stats say so, not
    one more miss for the re-check a stampede-protected leader makes."""

    def reads():
        s = cache.stats()
        return s["hits"], s["misses"]

    before = reads()
    assert cache.get_or_set("cold", lambda: 1, 60) == 1
    assert cache.namespace("books").get_or_set("cold", lambda: 2, 60) == 2
    after = reads()
    assert (after[0] - before[0], after[1] - before[1]) == (2, 2)
    assert cache.get_or_set("cold", lambda: 3, 60) == 1
    assert reads() == (after[0] + 1, after[1])
