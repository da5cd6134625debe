"""django-redis's extras on PolyCache (no Redis here): set(nx/xx), ttl/pttl rounding,
pexpire/expire_at/pexpire_at on the cache's clock, incr(ignore_key_check), delete_many's
count, integers past 64 bits (side by side with Django's LocMemCache), and the
process-wide lock. The same operations against django-redis on a real redis-server are
in tests/tiered/test_habits.py."""

from __future__ import annotations

import datetime
import doctest
import threading
import uuid

import pytest
from django.core.cache.backends.locmem import LocMemCache

from polycache import _native, locks
from polycache.django import PolyCache
from polycache.locks import LockError, LockNotOwnedError


def backend(clock=None, location=None, **options) -> PolyCache:
    if clock is not None:
        options["CLOCK"] = clock
    return PolyCache(location or f"habits-{uuid.uuid4().hex}", {"OPTIONS": options})


# ---- integers past 64 bits: LocMemCache is the peer ------------------------------------

BIG_SEQUENCES = [
    [("set", 2**63), ("decr", 1), ("incr", 1), ("incr", 1)],
    [("set", 1), ("incr", 2**63), ("decr", 2**63), ("incr", 2**200)],
    [("set", 2**63 - 1), ("incr", 1), ("decr", 2), ("decr", 2**70)],
    [("set", -(2**63)), ("decr", 1), ("incr", 1), ("incr", -1)],
]


@pytest.mark.parametrize("steps", BIG_SEQUENCES)
def test_incr_decr_past_64_bits_as_locmemcache(steps):
    ours = backend()
    peer = LocMemCache(f"peer-{uuid.uuid4().hex}", {})
    for op, n in steps:
        got = [getattr(c, op)("n", n) for c in (ours, peer)]
        assert got[0] == got[1], (op, n)
        assert ours.get("n") == peer.get("n") and type(ours.get("n")) is int


def test_big_incr_keeps_the_timeout_and_falls_back_to_64_bits(clock):
    c = backend(clock)
    c.set("n", 2**64, 30)
    assert c.decr("n", 2**64) == 0
    assert c.ttl("n") == 30
    assert c.incr("n", 5) == 5  # back in 64 bits: the core adds again


def test_big_incr_errors_match_django():
    c = backend()
    with pytest.raises(ValueError):
        c.incr("absent", 2**64)
    c.set("s", "text")
    with pytest.raises(TypeError):
        c.incr("s", 2**64)
    with pytest.raises(TypeError):
        c.incr("n", 1.5)
    assert c.get("s") == "text"


def test_big_incr_on_the_plain_cache_and_namespaces():
    c = _native.Cache()
    c.set("n", 2**63)
    assert c.decr("n") == 2**63 - 1 and c.incr("n", 2**64) == 2**64 + 2**63 - 1
    ns = c.namespace("books")
    ns.set("n", 1)
    assert ns.incr("n", 2**80) == 2**80 + 1 and ns.get("n") == 2**80 + 1


def test_concurrent_big_increments_are_never_lost():
    c = backend()
    c.set("n", 2**64)
    start = threading.Barrier(4)

    def work():
        start.wait()
        for _ in range(300):
            c.incr("n", 2**64)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.get("n") == 2**64 * 1201


# ---- set(nx/xx), delete_many, incr(ignore_key_check) ------------------------------------


def test_set_nx_and_xx_return_what_django_redis_returns():
    c = backend()
    assert c.set("k", 1) is None  # Django's set
    assert c.set("k", 2, nx=True) is False and c.get("k") == 1
    assert c.set("new", 2, nx=True) is True and c.get("new") == 2
    assert c.set("absent", 3, xx=True) is False and not c.has_key("absent")
    assert c.set("k", 4, xx=True) is True and c.get("k") == 4
    # a timeout already past: nx leaves a live key alone, xx deletes it
    assert c.set("k", 5, -1, nx=True) is False and c.get("k") == 4
    assert c.set("k", 5, 0, xx=True) is True and not c.has_key("k")
    with pytest.raises(ValueError):
        c.set("k", 1, nx=True, xx=True)


def test_delete_many_counts():
    c = backend()
    c.set_many({"a": 1, "b": 2, "c": 3})
    assert c.delete_many(["a", "b", "zz"]) == 2
    assert c.delete_many(["a", "b"]) == 0
    assert c.delete_many(k for k in []) is None  # Django's own suite asks for None


def test_incr_ignore_key_check_creates_without_expiry():
    c = backend()
    assert c.incr("n", 10, ignore_key_check=True) == 10 and c.ttl("n") is None
    assert c.incr("n", 5, ignore_key_check=True) == 15
    with pytest.raises(ValueError):
        c.incr("other", 1)
    with pytest.raises(TypeError):
        c.incr("other", "1", ignore_key_check=True)
    assert not c.has_key("other")


# ---- ttl, pttl, pexpire, expire_at, pexpire_at on the cache's clock ------------------


def test_ttl_rounds_as_redis_and_pttl_counts_milliseconds(clock):
    c = backend(clock)
    c.set("k", "v", 10)
    assert c.ttl("k") == 10 and isinstance(c.ttl("k"), int) and c.pttl("k") == 10_000
    clock.advance(9.4)
    assert c.ttl("k") == 1 and c.pttl("k") == 600
    clock.advance(0.2)
    assert c.ttl("k") == 0 and c.pttl("k") == 400 and c.has_key("k")
    c.set("forever", 1, None)
    assert c.ttl("forever") is None and c.pttl("forever") is None
    assert c.ttl("absent") == 0 and c.pttl("absent") == 0


def test_pexpire_and_expire_at(clock):
    c = backend(clock)
    c.set("k", 1, None)
    assert c.pexpire("k", 20_500) is True and c.pttl("k") == 20_500
    assert c.pexpire("absent", 1000) is False
    assert c.expire_at("k", clock.now + 3600) is True and c.ttl("k") == 3600
    assert c.pexpire_at("k", int(clock.now * 1000) + 1500) is True and c.pttl("k") == 1500
    when = datetime.datetime.fromtimestamp(clock.now + 7200.25)
    assert c.expire_at("k", when) is True and c.pttl("k") == 7200_000  # whole seconds, as redis-py
    assert c.pexpire_at("k", when) is True and c.pttl("k") == 7200_250
    assert c.expire_at("k", clock.now - 1) is True and not c.has_key("k")
    assert c.expire_at("k", clock.now + 60) is False
    with pytest.raises(TypeError):
        c.expire_at("k", "tomorrow")


# ---- the lock --------------------------------------------------------------------------


def test_lock_is_shared_by_one_location_only(clock):
    location = f"habits-{uuid.uuid4().hex}"
    c = backend(clock, location)
    same = backend(location=location)
    other = backend(clock)
    a = c.lock("job")
    assert a.acquire(blocking=False) and a.locked() and a.owned()
    assert same.lock("job").acquire(blocking=False) is False
    assert other.lock("job").acquire(blocking=False) is True
    assert c.lock("job", version=2).acquire(blocking=False) is True  # another key
    assert not c.has_key("job")  # a lock is not a cache entry
    a.release()
    assert not a.locked() and same.lock("job").acquire(blocking=False)


def test_lock_expires_on_the_cache_clock_and_survives_cull(clock):
    c = backend(clock, MAX_ENTRIES=2)
    a = c.lock("job", timeout=10)
    assert a.acquire()
    for i in range(10):
        c.set(f"k{i}", i)
    c.clear()
    assert c.lock("job").acquire(blocking=False) is False
    clock.advance(10)
    b = c.lock("job", timeout=10)
    assert b.acquire(blocking=False)
    with pytest.raises(LockNotOwnedError):
        a.release()
    assert b.owned() and not a.owned()


def test_extend_and_reacquire(clock):
    c = backend(clock)
    a = c.lock("job", timeout=10)
    with pytest.raises(LockError):
        a.extend(5)
    assert a.acquire()
    clock.advance(4)
    assert a.extend(5) is True  # 6 left + 5
    clock.advance(10)
    assert a.owned()
    assert a.extend(30, replace_ttl=True)
    clock.advance(29)
    assert a.reacquire() is True
    clock.advance(9)
    assert a.owned()
    clock.advance(1)
    assert not a.locked()
    with pytest.raises(LockNotOwnedError):
        a.extend(1)
    with pytest.raises(LockError, match="no timeout"):
        forever = c.lock("forever")
        forever.acquire()
        forever.extend(1)


def test_thread_local_tokens():
    c = backend()
    mine = c.lock("job")
    assert mine.acquire()
    errors = []

    def release(lock):
        try:
            lock.release()
        except LockError as e:
            errors.append(e)

    t = threading.Thread(target=release, args=(mine,))
    t.start()
    t.join()
    assert len(errors) == 1 and mine.locked()  # another thread has no token
    mine.release()
    shared = c.lock("job", thread_local=False)
    assert shared.acquire()
    t = threading.Thread(target=release, args=(shared,))
    t.start()
    t.join()
    assert len(errors) == 1 and not shared.locked()


def test_waiter_wakes_on_release_and_with_raises_when_it_cannot_acquire():
    c = backend()
    holder = c.lock("job")
    assert holder.acquire()
    got = []
    waiting = threading.Event()

    def wait_for_it():
        waiting.set()
        got.append(c.lock("job", sleep=0.01).acquire(blocking_timeout=60))

    t = threading.Thread(target=wait_for_it)
    t.start()
    waiting.wait()
    holder.release()
    t.join()
    assert got == [True]
    with pytest.raises(LockError, match="Unable to acquire"):
        with c.lock("job", blocking_timeout=0):
            pass
    assert issubclass(LockError, ValueError) and issubclass(LockNotOwnedError, LockError)


def test_lock_guards_a_read_modify_write_across_threads():
    c = backend()
    c.set("total", 0)

    def work():
        for _ in range(200):
            with c.lock("total-lock", sleep=0.001):
                c.set("total", c.get("total") + 1)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.get("total") == 800


def test_with_block_releases():
    c = backend()
    with c.lock("job", timeout=5) as held:
        assert held.owned()
    assert not held.locked()


def test_lock_docstring_examples():
    result = doctest.testmod(locks)
    assert result.attempted >= 4 and result.failed == 0
