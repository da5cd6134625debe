"""django-redis habits, side by side: the same operation sequences run on django-redis 7
(``django_redis.cache.RedisCache`` on the real redis-server), on PolyCache and on
TieredCache, and their results are compared. Plus: TieredCache's lock excludes real OS
processes, and its incr past 64 bits loses no concurrent increment.

Known, documented differences are not compared: a plain ``set`` returns None here (as
Django's backends do) and True in django-redis; a PolyCache lock is not a cache entry."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap
import threading
import time
import unittest
import uuid

import redis
import test_faults
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django_redis.cache import RedisCache
from procs import Server

from polycache.django import PolyCache
from polycache.tiered import TieredCache, TieredCacheUnavailable

BASE = os.environ["POLYCACHE_REDIS_URL"].rsplit("/", 1)[0]
PEER_URL, TIERED_URL = BASE + "/4", BASE + "/5"  # dbs of their own


def outcome(call):
    """What a call gave: its value, or its exception's kind (redis-py's lock errors by
    their redis-py class, which polycache's lock errors subclass)."""
    try:
        return ("ok", call())
    except redis.exceptions.LockNotOwnedError:
        return ("raised", "LockNotOwnedError")
    except redis.exceptions.LockError:
        return ("raised", "LockError")
    except (ValueError, TypeError, AttributeError) as e:
        return ("raised", type(e).__name__)


class SideBySide(unittest.TestCase):
    def setUp(self) -> None:
        self.peer = RedisCache(PEER_URL, {})
        self.tiered = TieredCache(TIERED_URL, {"OPTIONS": {"INVALIDATION_BOUND": 0.3}})
        self.poly = PolyCache(f"habits-{uuid.uuid4().hex}", {})
        self.ours = {"PolyCache": self.poly, "TieredCache": self.tiered}
        self.peer.clear()
        self.tiered.clear()

    def same(self, steps, compare=None) -> None:
        """Runs ``steps`` (callables taking a cache) on each backend; every step's outcome
        on ours equals django-redis's (or ``compare(peer, ours)`` holds)."""
        expected = [outcome(lambda: step(self.peer)) for step in steps]
        for name, cache in self.ours.items():
            got = [outcome(lambda: step(cache)) for step in steps]
            for i, (e, g) in enumerate(zip(expected, got)):
                ok = compare(e, g) if compare else e == g
                self.assertTrue(ok, f"{name}, step {i}: django-redis {e!r}, ours {g!r}")

    def test_set_nx_xx(self):
        self.same([
            lambda c: c.set("k", 1, nx=True),
            lambda c: c.set("k", 2, nx=True),
            lambda c: c.get("k"),
            lambda c: c.set("absent", 1, xx=True),
            lambda c: c.has_key("absent"),
            lambda c: c.set("k", 3, 60, xx=True),
            lambda c: (c.get("k"), c.ttl("k")),
            lambda c: c.set("k", 4, -1, nx=True),
            lambda c: c.get("k"),
            lambda c: c.set("gone", 1, 0, nx=True),
            lambda c: c.set("k", 5, 0, xx=True),
            lambda c: c.has_key("k"),
        ])

    def test_incr_decr_past_64_bits(self):
        # django-redis returns INCRBY's reply through Lua, as a double (exact up to 2**53
        # only), so near 2**63 it returns a wrong number while it stores the right one:
        # each step here is compared by what it stored, and ours return what they store.
        def then_get(key, op):
            return lambda c: (op(c), c.get(key))

        def compare(e, g):
            if e[0] == g[0] == "ok":
                return e[1][1] == g[1][1] and g[1][0] in (g[1][1], None)
            return e == g

        self.same([
            then_get("n", lambda c: c.set("n", 2**63 - 1)),
            then_get("n", lambda c: c.incr("n")),
            then_get("n", lambda c: c.incr("n", 2)),
            then_get("m", lambda c: c.set("m", 2**63)),
            then_get("m", lambda c: c.decr("m")),
            then_get("m", lambda c: c.decr("m", 2)),
            then_get("m", lambda c: c.incr("m", 2**64)),
            then_get("m", lambda c: c.decr("m", 2**65)),
            then_get("d", lambda c: c.set("d", 2**53)),
            then_get("d", lambda c: c.incr("d")),
            then_get("d", lambda c: c.incr("d", 2**62)),
            then_get("absent", lambda c: c.incr("absent")),
            then_get("absent", lambda c: c.incr("absent", 2**64)),
            then_get("s", lambda c: c.set("s", "text")),
            then_get("s", lambda c: c.incr("s")),
            then_get("s", lambda c: c.incr("s", 2**64)),
        ], compare=compare)
        for cache in self.ours.values():
            cache.set("f", 1)
            with self.assertRaises(TypeError):
                cache.incr("f", 0.5)
            self.assertEqual(cache.get("f"), 1)

    def test_incr_ignore_key_check(self):
        self.same([
            lambda c: c.incr("n", ignore_key_check=True),
            lambda c: (c.get("n"), c.ttl("n")),
            lambda c: c.delete("n"),
            lambda c: c.incr("n", 10, ignore_key_check=True),
            lambda c: c.incr("n", 2**64, ignore_key_check=True),
            lambda c: c.get("n"),
        ])
        # Redis's INCRBY creates an absent key with the delta; django-redis's fallback past
        # 64 bits adds to None instead. Ours create it, as INCRBY would.
        self.assertEqual(outcome(lambda: self.peer.incr("big", 2**64, ignore_key_check=True)), ("raised", "TypeError"))
        for cache in self.ours.values():
            self.assertEqual(cache.incr("big", 2**64, ignore_key_check=True), 2**64)
            self.assertEqual((cache.get("big"), cache.ttl("big")), (2**64, None))

    def test_delete_many_counts(self):
        self.same([
            lambda c: c.set_many({"a": 1, "b": 2, "c": 3}),
            lambda c: c.delete_many(["a", "b", "zz"]),
            lambda c: c.delete_many(["a", "b"]),
            lambda c: c.delete_many(k for k in []),
            lambda c: c.get_many(["a", "b", "c"]),
        ], compare=lambda e, g: e == g or e == ("ok", None) and g == ("ok", []) or e == ("ok", 0) and g == ("ok", None))
        # (Django's set_many returns the keys not stored, [], where django-redis returns
        # None; with no keys, Django's delete_many returns None, django-redis 0.)

    def test_ttl_pttl_and_expiries(self):
        now = time.time()
        self.same([
            lambda c: c.set("k", "v", 10),
            lambda c: c.ttl("k"),
            lambda c: c.set("f", "v", None),
            lambda c: (c.ttl("f"), c.pttl("f")),
            lambda c: (c.ttl("absent"), c.pttl("absent")),
            lambda c: c.persist("k"),
            lambda c: c.ttl("k"),
            lambda c: c.expire("k", 20),
            lambda c: c.ttl("k"),
            lambda c: c.pexpire("k", 30_400),
            lambda c: c.ttl("k"),
            lambda c: c.pexpire("absent", 1000),
            lambda c: c.expire("absent", 10),
            lambda c: c.expire_at("k", int(now) + 3600),
            lambda c: c.expire_at("absent", int(now) + 3600),
            lambda c: c.pexpire_at("k", int(now * 1000) + 7_200_000),
            lambda c: c.pexpire("k", DEFAULT_TIMEOUT),
            lambda c: c.expire_at("k", datetime.datetime.now() - datetime.timedelta(hours=1)),
            lambda c: c.has_key("k"),
            lambda c: c.set("t", 1, 5.5),
            lambda c: c.pexpire_at("t", datetime.datetime.now() - datetime.timedelta(hours=1)),
            lambda c: c.get("t"),
        ], compare=lambda e, g: e == g or e[1] is True and g[1] is None)  # plain set
        for name, cache in self.ours.items():
            peer_ms, ms = self.peer_and(cache, lambda c: (c.set("p", 1, 5.5), c.pttl("p"))[1])
            self.assertLess(abs(peer_ms - ms), 200, name)
            peer_s, s = self.peer_and(cache, lambda c: (c.set("p", 1, None), c.expire_at("p", int(time.time()) + 3600), c.ttl("p"))[2])
            self.assertLessEqual(abs(peer_s - s), 1, name)

    def peer_and(self, cache, step):
        return step(self.peer), step(cache)

    def test_lock_api(self):
        def release_elsewhere(lock):
            box = []
            t = threading.Thread(target=lambda: box.append(outcome(lock.release)))
            t.start()
            t.join()
            return box[0]

        self.same([
            lambda c: outcome(c.lock("job").release),
            lambda c: c.lock("job", timeout=30).acquire(blocking=False),
            lambda c: c.lock("job").acquire(blocking=False),
            lambda c: c.lock("job").acquire(blocking_timeout=0.05),
            lambda c: c.lock("job").locked(),
            lambda c: c.lock("job").owned(),
            lambda c: outcome(c.lock("job").extend(1)),
            lambda c: c.lock("job", blocking_timeout=0).__enter__(),
        ])

        def lifecycle(c):
            lock = c.lock("cycle", timeout=30)
            steps = [lock.acquire(), lock.owned(), lock.extend(10), lock.reacquire()]
            elsewhere.append(release_elsewhere(lock))  # thread-local token: not this thread's
            steps.append(lock.owned())
            lock.release()
            steps += [lock.locked(), outcome(lock.release), outcome(lambda: lock.extend(1))]
            shared = c.lock("cycle", thread_local=False)
            steps += [shared.acquire(), release_elsewhere(shared), shared.locked()]
            forever = c.lock("forever")
            steps += [forever.acquire(), outcome(lambda: forever.extend(1)), outcome(forever.reacquire)]
            forever.release()
            with c.lock("ctx", timeout=5) as held:
                steps.append(held.owned())
            steps.append(held.locked())
            return steps

        elsewhere = []
        self.same([lifecycle])
        # Another thread releasing a thread-local lock: redis-py's lock trips on its own
        # thread-local (AttributeError); ours say LockError.
        self.assertEqual(elsewhere, [("raised", "AttributeError")] + [("raised", "LockError")] * 2)


_CHILD = textwrap.dedent("""
    import sys
    from polycache.tiered import TieredCache
    cache = TieredCache(sys.argv[1], {"OPTIONS": {"INVALIDATION_BOUND": 0.3}})
    for _ in range(int(sys.argv[2])):
        with cache.lock("counter-lock", timeout=30, sleep=0.002):
            cache.set("counter", cache.get("counter") + 1)
""")


class TieredAcrossProcesses(unittest.TestCase):
    def test_lock_excludes_other_processes(self):
        cache = TieredCache(TIERED_URL, {})
        cache.set("counter", 0)
        procs = [subprocess.Popen([sys.executable, "-c", _CHILD, TIERED_URL, "100"]) for _ in range(3)]
        self.assertEqual([p.wait(timeout=120) for p in procs], [0, 0, 0])
        self.assertEqual(cache.get("counter"), 300)

    def test_big_increments_from_threads_are_never_lost(self):
        cache = TieredCache(TIERED_URL, {})
        cache.set("big", 2**64)
        start = threading.Barrier(4)

        def work():
            start.wait()
            for _ in range(100):
                cache.incr("big", 2**64)

        threads = [threading.Thread(target=work) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(cache.get("big"), 2**64 * 401)
        self.assertEqual(redis.Redis.from_url(TIERED_URL).get(cache.make_key("big")), str(2**64 * 401).encode())


class RedisAway(unittest.TestCase):
    """The extras with Redis stopped, by docs/tiered.md's rules for every call: IGNORE_EXCEPTIONS
    off raises TieredCacheUnavailable; on, a write is lost (never kept in tier 1 alone) and
    settled as an invalidation once Redis answers, and a read answers from tier 1 only
    while tier 1 is trusted, else as a miss."""

    def setUp(self) -> None:
        self.server = Server()
        options = {"SOCKET_TIMEOUT": 0.2, "INVALIDATION_BOUND": 0.3}
        self.strict = TieredCache(self.server.url, {"OPTIONS": dict(options, IGNORE_EXCEPTIONS=False)})
        self.lenient = TieredCache(self.server.url, {"OPTIONS": dict(options, IGNORE_EXCEPTIONS=True)})
        self.strict.set("x", 2**64)
        self.assertTrue(test_faults.wait_for(lambda: self.strict.stats()["tier1_trusted"], 5))
        self.assertEqual(self.strict.get("x"), 2**64)  # in tier 1 now

    tearDown = test_faults.FaultTests.tearDown  # forget this server's tiers, stop it

    def test_strict_raises(self):
        self.server.stop()
        calls = {
            "set xx": lambda c: c.set("x", 1, xx=True),
            "set nx": lambda c: c.set("y", 1, nx=True),
            "incr past 64 bits": lambda c: c.incr("x", 2**64),
            "incr ignore_key_check": lambda c: c.incr("new", 1, ignore_key_check=True),
            "pttl": lambda c: c.pttl("x"),
            "ttl": lambda c: c.ttl("x"),
            "pexpire": lambda c: c.pexpire("x", 1000),
            "expire_at": lambda c: c.expire_at("x", int(time.time()) + 60),
        }
        for name, call in calls.items():
            with self.subTest(name), self.assertRaises(TieredCacheUnavailable):
                call(self.strict)
        with self.assertRaises(redis.ConnectionError):  # a lock cannot be held without Redis
            self.strict.lock("job").acquire(blocking=False)

    def test_lenient_writes_are_lost_and_settled(self):
        c = self.lenient
        self.server.stop()
        self.assertIs(c.set("absent", 1, xx=True), False)
        self.assertIs(c.set("x", 2**65, xx=True), False)
        self.assertNotIn(c.make_key("x"), c._tier.store.live_keys())  # out of tier 1 at once
        self.assertIsNone(c.incr("x", 2**64))  # as django-redis answers under IGNORE_EXCEPTIONS
        self.assertIsNone(c.incr("new", 3, ignore_key_check=True))
        self.assertIsNone(c.get("new"))  # not created in tier 1 alone
        self.assertIs(c.pexpire("x", 1000), False)
        self.assertGreater(c.stats()["reconcile_pending"], 0)
        self.assertTrue(test_faults.wait_for(lambda: not c.stats()["tier1_trusted"], 5))
        self.assertEqual(c.pttl("x"), 0)  # tier 1 untrusted: answered as a miss
        self.assertEqual(c.ttl("x"), 0)

    def test_lenient_pttl_from_trusted_tier_1(self):
        """Only PTTL fails (the subscriber stays healthy, so tier 1 stays trusted): tier 1
        answers it."""
        c, client = self.lenient, self.lenient._tier.client

        def refused(name):
            raise redis.ConnectionError("PTTL refused")

        client.pttl = refused
        try:
            self.assertTrue(0 < c.pttl("x") <= 300_000)  # the default timeout, from tier 1
            self.assertEqual(c.ttl("y"), 0)  # absent from tier 1 too
        finally:
            del client.pttl
        self.assertGreater(c.stats()["redis_errors"], 0)
