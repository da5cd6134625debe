"""polycache.stampede on its own: one computation per key among concurrent misses
(threads and coroutines), bounded waits, errors, stale-while-revalidate. The store is a
plain polycache.Cache on a clock the tests move by hand: nothing sleeps to wait for
expiry."""

import asyncio
import threading
import time

import pytest

from polycache import Cache, namespaced_key
from polycache.stampede import SingleFlight, Stale, StampedeTimeout, aget_or_set, get_or_set

N = 8


class Clock:
    def __init__(self):
        self.now = 1_700_000_000.0

    def __call__(self):
        return self.now


def until(condition, what, limit=10.0):
    """Polls ``condition`` (a state of other threads, never an expiry) up to ``limit`` s."""
    end = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.001)


def threads(n, target):
    out = [None] * n
    errors = []

    def run(i):
        try:
            out[i] = target(i)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    ts = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    return ts, out, errors


def test_threads_missing_together_compute_once():
    cache, flights = Cache(), SingleFlight()
    calls, release = [], threading.Event()
    barrier = threading.Barrier(N)

    def compute():
        calls.append(1)
        assert release.wait(10)
        return {"answer": 42}

    def worker(i):
        barrier.wait()
        return get_or_set(cache, "k", compute, 60, flights=flights, flight_key="k")

    ts, out, errors = threads(N, worker)
    until(lambda: flights.waiting() == N - 1, "every other thread to wait")
    release.set()
    for t in ts:
        t.join()
    assert not errors
    assert calls == [1]
    assert out == [{"answer": 42}] * N
    assert cache.get("k") == {"answer": 42}
    assert flights.in_flight() == 0 and flights.waiting() == 0


def coroutines_missing_together(flights, call, value, n=N):
    """Runs ``n`` coroutines of ``call(compute)`` at once; ``compute`` returns ``value()``
    once the other ``n - 1`` wait for it. Their results, and how often it ran."""
    calls = []

    async def scenario():
        release = asyncio.Event()

        async def compute():
            calls.append(1)
            await release.wait()
            return value()

        async def releaser():
            while flights.waiting() < n - 1:
                await asyncio.sleep(0)
            release.set()

        got = await asyncio.gather(*(call(compute) for _ in range(n)), releaser())
        return got[:n]

    return asyncio.run(scenario()), len(calls)


def test_coroutines_missing_together_compute_once():
    cache, flights = Cache(), SingleFlight()
    out, calls = coroutines_missing_together(flights, lambda f: aget_or_set(cache, "k", f, 60, flights=flights, flight_key="k"), lambda: "v")
    assert out == ["v"] * N
    assert calls == 1


def test_threads_and_coroutines_wait_for_each_other():
    cache, flights = Cache(), SingleFlight()
    calls, release = [], threading.Event()

    def compute():
        calls.append("thread")
        assert release.wait(10)
        return "from-thread"

    leader, out, errors = threads(1, lambda i: get_or_set(cache, "k", compute, 60, flights=flights, flight_key="k"))
    until(lambda: flights.in_flight() == 1, "the thread to lead")

    async def scenario():
        async def never():
            calls.append("coroutine")
            return "from-coroutine"

        async def releaser():
            while flights.waiting() < 3:
                await asyncio.sleep(0)
            release.set()

        got = await asyncio.gather(
            *(aget_or_set(cache, "k", never, 60, flights=flights, flight_key="k") for _ in range(3)), releaser()
        )
        return got[:3]

    assert asyncio.run(scenario()) == ["from-thread"] * 3
    leader[0].join()
    assert out == ["from-thread"] and not errors and calls == ["thread"]


def test_a_failure_reaches_every_waiter_and_is_not_cached():
    cache, flights = Cache(), SingleFlight()
    calls, release = [], threading.Event()

    def failing():
        calls.append(1)
        assert release.wait(10)
        raise RuntimeError("database down")

    ts, _, errors = threads(4, lambda i: get_or_set(cache, "k", failing, 60, flights=flights, flight_key="k"))
    until(lambda: flights.waiting() == 3, "the waiters")
    release.set()
    for t in ts:
        t.join()
    assert calls == [1]
    assert len(errors) == 4 and all(str(e) == "database down" for e in errors)
    assert "k" not in cache
    assert get_or_set(cache, "k", lambda: "recovered", 60, flights=flights, flight_key="k") == "recovered"


def test_the_wait_is_bounded_then_compute_or_raise():
    cache, flights = Cache(), SingleFlight()
    release = threading.Event()
    leader, _, _ = threads(1, lambda i: get_or_set(cache, "k", lambda: release.wait(10) and "slow", 60, flights=flights, flight_key="k"))
    until(lambda: flights.in_flight() == 1, "the leader")
    started = time.monotonic()
    # on_timeout="compute": the waiter gives up after 0.05 s and computes itself
    assert get_or_set(cache, "k", lambda: "mine", 60, flights=flights, flight_key="k", wait=0.05) == "mine"
    assert cache.get("k") == "mine"  # and stored it
    cache.delete("k")
    with pytest.raises(StampedeTimeout):
        get_or_set(cache, "k", lambda: "never", 60, flights=flights, flight_key="k", wait=0.05, on_timeout="raise")

    async def awaiting():
        with pytest.raises(StampedeTimeout):
            await aget_or_set(cache, "k", lambda: "never", 60, flights=flights, flight_key="k", wait=0.05, on_timeout="raise")
        assert flights.waiting() == 0
        return await aget_or_set(cache, "k", lambda: "async-mine", 60, flights=flights, flight_key="k", wait=0.05)

    assert asyncio.run(awaiting()) == "async-mine"
    assert time.monotonic() - started < 5
    release.set()
    leader[0].join()
    with pytest.raises(ValueError):
        get_or_set(cache, "x", 1, 60, flights=flights, flight_key="x", on_timeout="sometimes")


def test_a_leader_asking_for_its_own_key_does_not_wait_for_itself():
    cache, flights = Cache(), SingleFlight()

    def outer():
        return "outer+" + get_or_set(cache, "k", lambda: "inner", 60, flights=flights, flight_key="k", wait=30)

    started = time.monotonic()
    assert get_or_set(cache, "k", outer, 60, flights=flights, flight_key="k", wait=30) == "inner"
    assert time.monotonic() - started < 5  # not 30 s of waiting for itself


def test_a_sync_call_inside_the_event_loop_does_not_block_a_coroutine_leader():
    cache, flights = Cache(), SingleFlight()

    async def scenario():
        release = asyncio.Event()

        async def compute():
            await release.wait()
            return "async"

        leader = asyncio.ensure_future(aget_or_set(cache, "k", compute, 60, flights=flights, flight_key="k"))
        while flights.in_flight() == 0:
            await asyncio.sleep(0)
        started = time.monotonic()
        got = get_or_set(cache, "k", lambda: "sync", 60, flights=flights, flight_key="k", wait=30)
        elapsed = time.monotonic() - started
        release.set()
        return got, elapsed, await leader

    got, elapsed, led = asyncio.run(scenario())
    assert got == "sync" and elapsed < 5  # not 30 s with the loop (and the leader) blocked
    assert led == "sync"  # the leader's add() found the value already stored: Django's rule


def test_a_cancelled_async_leader_hands_over_to_a_waiter():
    cache, flights = Cache(), SingleFlight()
    calls = []

    async def scenario():
        hold = asyncio.Event()

        async def compute():
            calls.append(1)
            if len(calls) == 1:
                await hold.wait()  # the first leader is cancelled here
            return "second"

        first = asyncio.ensure_future(aget_or_set(cache, "k", compute, 60, flights=flights, flight_key="k"))
        while flights.in_flight() == 0:
            await asyncio.sleep(0)
        waiter = asyncio.ensure_future(aget_or_set(cache, "k", compute, 60, flights=flights, flight_key="k"))
        while flights.waiting() == 0:
            await asyncio.sleep(0)
        first.cancel()
        with pytest.raises(asyncio.CancelledError):
            await first
        return await waiter

    assert asyncio.run(scenario()) == "second"
    assert calls == [1, 1]
    assert cache.get("k") == "second"


def test_django_semantics_add_then_get():
    cache, flights = Cache(), SingleFlight()
    assert get_or_set(cache, "none", None, 60, flights=flights, flight_key="none") is None
    assert get_or_set(cache, "f", lambda: False, 60, flights=flights, flight_key="f") is False
    assert get_or_set(cache, "f", lambda: True, 60, flights=flights, flight_key="f") is False
    calls = []
    assert get_or_set(cache, "lazy", "v", 60, flights=flights, flight_key=lambda: calls.append(1) or "lazy") == "v"
    assert get_or_set(cache, "lazy", "w", 60, flights=flights, flight_key=lambda: calls.append(1) or "lazy") == "v"
    assert calls == [1]  # the flight key is only computed on a miss


def test_stale_while_revalidate():
    clock = Clock()
    cache, flights = Cache(clock=clock), SingleFlight()
    version = {"n": 0}

    def compute():
        version["n"] += 1
        return f"v{version['n']}"

    def read(fn=compute):
        return get_or_set(cache, "k", fn, 10, flights=flights, flight_key="k", stale=100, clock=clock)

    assert read() == "v1"
    assert isinstance(cache.get("k"), Stale)
    clock.now += 5
    assert read() == "v1"  # fresh
    clock.now += 10  # 15 s: stale, still stored (10 + 100 s)
    release = threading.Event()

    def slow():
        assert release.wait(10)
        return compute()

    refresher, out, errors = threads(1, lambda i: read(slow))
    until(lambda: flights.in_flight() == 1, "the refresher")
    started = time.monotonic()
    assert read(lambda: pytest.fail("a second refresh")) == "v1"  # served stale at once
    assert time.monotonic() - started < 1
    release.set()
    refresher[0].join()
    assert out == ["v2"] and not errors
    assert read() == "v2"
    clock.now += 200  # past fresh + stale: the entry itself has expired
    assert read() == "v3"


def test_stale_while_revalidate_async_and_failures():
    clock = Clock()
    cache, flights = Cache(clock=clock), SingleFlight()

    async def scenario():
        async def v(x):
            return x

        assert await aget_or_set(cache, "k", lambda: v("a"), 10, flights=flights, flight_key="k", stale=100, clock=clock) == "a"
        clock.now += 20

        def boom():
            raise RuntimeError("refresh failed")

        with pytest.raises(RuntimeError):
            await aget_or_set(cache, "k", boom, 10, flights=flights, flight_key="k", stale=100, clock=clock)
        # the failed refresh left the stale value in place and no flight open
        assert flights.in_flight() == 0
        return await aget_or_set(cache, "k", lambda: v("b"), 10, flights=flights, flight_key="k", stale=100, clock=clock)

    assert asyncio.run(scenario()) == "b"


def test_stale_never_survives_an_invalidation():
    clock = Clock()
    cache, flights = Cache(clock=clock), SingleFlight()
    books = cache.namespace("books")

    def read(value):
        key = namespaced_key("books", books.generation, "list")
        return get_or_set(cache, key, lambda: value, 10, flights=flights, flight_key=key, stale=100, clock=clock)

    assert read("old") == "old"
    clock.now += 20  # stale
    books.invalidate()
    assert read("new") == "new"


def test_docstring_examples():
    import doctest

    from polycache import singleflight, stampede

    for module, examples in ((stampede, 4), (singleflight, 2)):
        result = doctest.testmod(module)
        assert result.attempted >= examples and result.failed == 0, (module, result)
