"""polycache.stampede when things go wrong: a refresh whose store raises, a value that
cannot be stored, a cancelled refresher; and what a waiter is handed (its own copy, as
``get`` gives, never the leader's object). Clocks are moved by hand; nothing sleeps to
wait for expiry."""

import asyncio
import threading

import pytest

from polycache import Cache, ValueTooLargeError
from polycache.stampede import SingleFlight, StampedeTimeout, aget_or_set, get_or_set

from test_stampede import Clock, coroutines_missing_together, threads, until

N = 6
TOO_BIG = "x" * 10_000  # over the 4 KiB bound of the caches below


def stale_reader(cache, flights, clock):
    def read(fn, **options):
        return get_or_set(cache, "k", fn, 10, flights=flights, flight_key="k", stale=100, clock=clock, **options)

    return read


@pytest.mark.parametrize(
    "bad, error",
    [(lambda: TOO_BIG, ValueTooLargeError), (lambda: threading.Lock(), TypeError)],
    ids=["over-max-bytes", "unpicklable"],
)
def test_a_refresh_whose_store_raises_closes_its_flight(bad, error):
    clock = Clock()
    cache, flights = Cache(clock=clock, max_bytes=4096), SingleFlight()
    read = stale_reader(cache, flights, clock)
    assert read(lambda: "v1") == "v1"
    clock.now += 20  # stale
    with pytest.raises(error):
        read(bad)
    assert flights.in_flight() == 0
    assert read(lambda: "v2") == "v2"  # the next stale read refreshes: not served stale forever
    clock.now += 20
    with pytest.raises(error):
        read(bad)
    clock.now += 200  # the entry itself has expired: a caller on another thread must not wait
    ts, out, errors = threads(1, lambda i: read(lambda: "v3", wait=0, on_timeout="raise"))
    ts[0].join()
    assert not errors and out == ["v3"]


def test_an_async_refresh_whose_store_raises_closes_its_flight():
    clock = Clock()
    cache, flights = Cache(clock=clock, max_bytes=4096), SingleFlight()

    async def read(fn):
        return await aget_or_set(cache, "k", fn, 10, flights=flights, flight_key="k", stale=100, clock=clock)

    async def scenario():
        assert await read(lambda: "v1") == "v1"
        clock.now += 20

        async def big():
            return TOO_BIG

        with pytest.raises(ValueTooLargeError):
            await read(big)
        assert flights.in_flight() == 0
        return await read(lambda: "v2")

    assert asyncio.run(scenario()) == "v2"


def test_a_cancelled_async_refresh_closes_its_flight():
    clock = Clock()
    cache, flights = Cache(clock=clock), SingleFlight()

    async def scenario():
        assert await aget_or_set(cache, "k", lambda: "v1", 10, flights=flights, flight_key="k", stale=100, clock=clock) == "v1"
        clock.now += 20
        hold = asyncio.Event()

        async def slow():
            await hold.wait()
            return "never"

        refresh = asyncio.ensure_future(aget_or_set(cache, "k", slow, 10, flights=flights, flight_key="k", stale=100, clock=clock))
        while flights.in_flight() == 0:
            await asyncio.sleep(0)
        refresh.cancel()
        with pytest.raises(asyncio.CancelledError):
            await refresh
        assert flights.in_flight() == 0
        return await aget_or_set(cache, "k", lambda: "v2", 10, flights=flights, flight_key="k", stale=100, clock=clock)

    assert asyncio.run(scenario()) == "v2"


def test_a_leader_whose_store_raises_fails_its_waiters_once_and_closes():
    cache, flights = Cache(max_bytes=4096), SingleFlight()
    release = threading.Event()

    def big():
        assert release.wait(10)
        return TOO_BIG

    ts, _, errors = threads(N, lambda i: get_or_set(cache, "k", big, 60, flights=flights, flight_key="k"))
    until(lambda: flights.waiting() == N - 1, "the waiters")
    release.set()
    for t in ts:
        t.join()
    assert len(errors) == N and all(isinstance(e, ValueTooLargeError) for e in errors)
    assert flights.in_flight() == 0 and "k" not in cache


# ---- each caller its own object ----------------------------------------------------------


def waiting_callers(cache, flights, timeout=60):
    """N threads missing "k" together; the leader's value is a fresh list. Their results."""
    release = threading.Event()

    def compute():
        assert release.wait(10)
        return [1, 2, 3]

    ts, out, errors = threads(N, lambda i: get_or_set(cache, "k", compute, timeout, flights=flights, flight_key="k"))
    until(lambda: flights.waiting() == N - 1, "the waiters")
    release.set()
    for t in ts:
        t.join()
    assert not errors
    return out


def assert_own_copies(out):
    assert out == [[1, 2, 3]] * len(out)
    assert len({id(v) for v in out}) == len(out), "two callers were handed one object"
    out[0].append("mine")
    assert all(v == [1, 2, 3] for v in out[1:])


def test_every_waiter_gets_its_own_copy():
    cache = Cache()
    assert_own_copies(waiting_callers(cache, SingleFlight()))
    assert cache.get("k") == [1, 2, 3]


def test_every_waiter_gets_its_own_copy_of_a_value_that_was_not_stored():
    cache = Cache()
    assert_own_copies(waiting_callers(cache, SingleFlight(), timeout=0))  # Django: 0 stores nothing
    assert "k" not in cache


def test_every_coroutine_gets_its_own_copy():
    cache, flights = Cache(), SingleFlight()
    out, _ = coroutines_missing_together(
        flights, lambda f: aget_or_set(cache, "k", f, 60, flights=flights, flight_key="k"), lambda: {"books": [1, 2]}, n=N
    )
    assert out == [{"books": [1, 2]}] * N
    assert len({id(v) for v in out}) == N


class NullCache:
    """Django's get/add/set, storing nothing (as Django's DummyCache)."""

    def get(self, key, default=None, version=None):
        return default

    def add(self, key, value, timeout=None, version=None):
        return False

    def set(self, key, value, timeout=None, version=None):
        pass


def test_a_waiter_computes_its_own_value_when_the_leaders_cannot_be_copied():
    flights, release, calls = SingleFlight(), threading.Event(), []

    def compute():
        calls.append(1)
        if len(calls) == 1:
            assert release.wait(10)
        return threading.Lock()  # cannot be pickled, so cannot be copied

    ts, out, errors = threads(2, lambda i: get_or_set(NullCache(), "k", compute, 60, flights=flights, flight_key="k"))
    until(lambda: flights.waiting() == 1, "the waiter")
    release.set()
    for t in ts:
        t.join()
    assert not errors and out[0] is not out[1]
    assert calls == [1, 1]


def test_stampede_timeout_is_still_raised_for_a_live_flight():
    # The try/finally that closes every flight must not close one that is still running.
    cache, flights = Cache(), SingleFlight()
    release = threading.Event()
    leader, _, _ = threads(1, lambda i: get_or_set(cache, "k", lambda: release.wait(10) and "slow", 60, flights=flights, flight_key="k"))
    until(lambda: flights.in_flight() == 1, "the leader")
    with pytest.raises(StampedeTimeout):
        get_or_set(cache, "k", lambda: "never", 60, flights=flights, flight_key="k", wait=0, on_timeout="raise")
    release.set()
    leader[0].join()
    assert cache.get("k") == "slow" and flights.in_flight() == 0


def test_an_interrupted_refresh_closes_its_flight():
    clock = Clock()
    cache, flights = Cache(clock=clock), SingleFlight()
    read = stale_reader(cache, flights, clock)
    assert read(lambda: "v1") == "v1"
    clock.now += 20

    def interrupted():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        read(interrupted)
    assert flights.in_flight() == 0
    assert read(lambda: "v2") == "v2"
