"""TieredCache beyond Django's suite: parity with PolyCache's extra API, namespaces, TTLs
in tier 1, stats, async, options, the value format shared with Django's RedisCache,
concurrent writers against the fill/invalidate races, and fork."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import threading
import time
import unittest

import redis
from django.core.cache.backends.redis import RedisCache
from procs import wait_for

from polycache import tiered
from polycache.django import PolyCache
from polycache.tiered import TieredCache, TieredNamespace

URL = os.environ["POLYCACHE_REDIS_URL"].rsplit("/", 1)[0] + "/3"  # a db of our own
BOUND = 0.3


def make(**options) -> TieredCache:
    options.setdefault("INVALIDATION_BOUND", BOUND)
    return TieredCache(URL, {"OPTIONS": options, "KEY_PREFIX": options.pop("KEY_PREFIX", "")})


def assert_tier1_serves(test: unittest.TestCase, reader: TieredCache, key: str, value) -> None:
    """`reader.get(key)` answers `value` from tier 1. Tier 1 answers only while its lease
    holds; on a loaded machine the lease can lapse between two lines, so try again then."""
    for _ in range(20):
        test.assertTrue(wait_for(lambda: reader.stats()["tier1_trusted"]))
        hits = reader.stats()["hits"]
        test.assertEqual(reader.get(key), value)
        if reader.stats()["hits"] == hits + 1:
            return
    test.fail("tier 1 never served the value while its lease held")


class ApiTests(unittest.TestCase):
    def setUp(self) -> None:
        self.c = make()
        self.c.clear()
        self.assertTrue(wait_for(lambda: self.c.stats()["tier1_trusted"]))
        self.r = redis.Redis.from_url(URL)

    def test_has_polycache_extra_api(self):
        ours = {n for n in dir(TieredCache) if not n.startswith("_")}
        theirs = {n for n in dir(PolyCache) if not n.startswith("_") and callable(getattr(PolyCache, n))}
        self.assertGreaterEqual(len(theirs), 30)
        # Snapshots (dump/load) are of one process's store; a tiered cache's shared
        # state lives in Redis, which has its own persistence, so TieredCache has none.
        self.assertEqual(theirs - ours, {"dump", "load"})

    def test_tier1_serves_and_instances_share_it(self):
        other = make()
        self.assertIs(other._tier, self.c._tier)
        self.c.set("k", {"a": [1, 2]})
        assert_tier1_serves(self, other, "k", {"a": [1, 2]})  # the writer filled tier 1
        got = other.get("k")
        got["a"].append(3)  # isolation: the cached value is not the returned object
        self.assertEqual(other.get("k"), {"a": [1, 2]})

    def test_tier1_never_outlives_redis_ttl(self):
        self.c.set("k", "v", 30)
        full = self.c.make_key("k")
        store = self.c._tier.store
        redis_ttl = self.r.pttl(full) / 1000  # (read first: both only decrease)
        self.assertLessEqual(store.ttl(full), redis_ttl)
        store.clear()
        self.assertEqual(self.c.get("k"), "v")  # a fill from Redis
        redis_ttl = self.r.pttl(full) / 1000  # (read first: both only decrease)
        self.assertLessEqual(store.ttl(full), redis_ttl)
        self.assertGreater(store.ttl(full), 29)
        self.c.set("p", "v", None)
        self.assertIsNone(store.ttl(self.c.make_key("p")))
        capped = make(LOCAL_TIMEOUT=5)
        capped.set("k", "v", None)
        self.assertLessEqual(capped._tier.store.ttl(capped.make_key("k")), 5)

    def test_ttl_expire_persist(self):
        self.assertEqual(self.c.ttl("absent"), 0)
        self.c.set("k", 1, 100)
        self.assertTrue(95 < self.c.ttl("k") <= 100)
        self.assertTrue(self.c.expire("k", 10))
        self.assertTrue(5 < self.c.ttl("k") <= 10)
        self.assertTrue(self.c.persist("k"))
        self.assertIsNone(self.c.ttl("k"))
        self.assertFalse(self.c.expire("absent", 10))
        self.assertTrue(self.c.expire("k", 0))
        self.assertIsNone(self.c.get("k"))

    def test_keys_and_delete_pattern(self):
        self.c.set_many({"user:1": 1, "user:2": 2, "post:1": 3})
        self.c.set("user:9", 9, version=2)
        self.assertEqual(sorted(self.c.keys("user:*")), ["user:1", "user:2"])
        self.assertEqual(sorted(self.c.iter_keys("*")), ["post:1", "user:1", "user:2"])
        self.assertEqual(self.c.keys("*", version=2), ["user:9"])
        for k in ("user:1", "user:2"):
            self.c.get(k)  # in tier 1
        self.assertEqual(self.c.delete_pattern("user:*"), 2)
        self.assertIsNone(self.c.get("user:1"))
        self.assertEqual(self.c.get("post:1"), 3)
        weird = make(KEY_PREFIX="a*[b]")
        weird.set("x", 1)
        self.assertEqual(weird.keys("*"), ["x"])
        self.assertEqual(self.c.keys("x"), [])

    def test_namespaces(self):
        books = self.c.namespace("books")
        self.assertIsInstance(books, TieredNamespace)
        g0 = books.generation()
        self.assertEqual(books.generation(), g0)  # stable until invalidated
        books.set("list", [1, 2])
        books.set("n", 1)
        self.assertEqual(books.get("list"), [1, 2])
        self.assertEqual(books.incr("n", 2), 3)
        self.assertIn("list", books)
        self.assertIsNone(self.c.get("list"))  # not a plain key
        self.assertGreater(books.invalidate(), g0)
        self.assertIsNone(books.get("list"))
        self.assertFalse(books.has_key("n"))
        books.set("list", [3])
        self.assertEqual(books.get("list"), [3])
        self.assertEqual(self.c.namespace("films").get("list"), None)
        # the generation lives in Redis: another prefix has its own, another tier sees ours
        other_tier = make(LOCAL_MAX_ENTRIES=999)
        self.assertIsNot(other_tier._tier, self.c._tier)
        self.assertEqual(other_tier.namespace("books").get("list"), [3])
        other_tier.namespace("books").invalidate()
        self.assertTrue(wait_for(lambda: books.get("list") is None, BOUND + 0.2))
        self.assertIsNone(make(KEY_PREFIX="p2").namespace("books").get("list"))

    def test_stats(self):
        self.c.set("k", 1)
        self.c.get("k")
        self.c.get("absent")
        s = self.c.stats()
        for name in ("hits", "misses", "hit_ratio", "evictions", "entries", "bytes", "redis_hits", "redis_misses",
                     "redis_errors", "redis_skipped", "invalidations_received", "reconnects", "tier1_trusted"):
            self.assertIn(name, s)
        self.assertGreaterEqual(s["redis_misses"], 1)
        self.assertEqual(s["invalidation_bound"], BOUND)

    def test_tier1_is_bounded(self):
        small = make(LOCAL_MAX_ENTRIES=10)
        self.assertTrue(wait_for(lambda: small.stats()["tier1_trusted"]))
        for i in range(50):
            small.set(f"k{i}", i)
        self.assertLessEqual(small.stats()["entries"], 10)
        self.assertEqual([small.get(f"k{i}") for i in range(50)], list(range(50)))  # Redis has all

    def test_value_too_big_for_tier1_still_served_from_redis(self):
        small = make(LOCAL_MAX_BYTES=2000)
        self.assertTrue(wait_for(lambda: small.stats()["tier1_trusted"]))
        big = "x" * 5000
        small.set("big", big)
        small.set("little", "y")
        self.assertEqual(small.get("big"), big)
        self.assertEqual(small.get("big"), big)
        store = small._tier.store
        self.assertFalse(store.has_key(small.make_key("big")))
        self.assertTrue(store.has_key(small.make_key("little")))
        self.assertLessEqual(small.stats()["bytes"], 2000)

    def test_async(self):
        self.c.set("k", "v")

        async def main():
            return await self.c.aget("k"), await self.c.aget("absent", "d"), await self.c.aset("j", 2), await self.c.aget("j")

        self.assertEqual(asyncio.run(main()), ("v", "d", None, 2))

    def test_bad_options(self):
        for options in ({"SOCKET_TIMEOUT": 0}, {"SOCKET_TIMEOUT": "1"}, {"INVALIDATION_BOUND": -1},
                        {"IGNORE_EXCEPTIONS": "yes"}, {"LOCAL_MAX_ENTRIES": 0}, {"LOCAL_TIMEOUT": float("nan")},
                        {"RETRY_AFTER": None}):
            with self.subTest(options=options), self.assertRaises(ValueError):
                TieredCache(URL, {"OPTIONS": options})
        for location in ("127.0.0.1:6379", ["redis://a", "redis://b"], "redis://a,redis://b", None):
            with self.subTest(location=location), self.assertRaises(ValueError):
                TieredCache(location, {})

    def test_importable_without_redis_py_with_a_clear_error(self):
        code = (
            "import sys; sys.modules['redis'] = None\n"
            "from django.conf import settings; settings.configure()\n"
            "import polycache.tiered as t\n"
            "try:\n    t.TieredCache('redis://127.0.0.1:1/0', {})\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("ImproperlyConfigured polycache.tiered.TieredCache needs redis-py", out.stdout)

    def test_same_format_as_djangos_rediscache(self):
        theirs = RedisCache(URL, {})
        self.c.set("obj", {"x": 1})
        self.c.set("n", 5)
        self.assertEqual(theirs.get("obj"), {"x": 1})
        self.assertEqual(theirs.incr("n"), 6)
        theirs.set("t", [1, "a"])
        self.assertEqual(self.c.get("t"), [1, "a"])

    def test_concurrent_writers_leave_no_stale_tier1(self):
        """Threads of two tiers (as two processes) write and read the same few keys; once
        quiet for the bound, whatever each tier 1 holds equals Redis."""
        a, b = self.c, make(LOCAL_MAX_ENTRIES=5000)
        self.assertTrue(wait_for(lambda: b.stats()["tier1_trusted"]))
        keys = [f"k{i}" for i in range(8)]
        stop = time.monotonic() + 2.0
        errors = []

        def work(cache, seed):
            rnd = random.Random(seed)
            try:
                while time.monotonic() < stop:
                    k = rnd.choice(keys)
                    op = rnd.random()
                    if op < 0.3:
                        cache.set(k, rnd.randrange(1000))
                    elif op < 0.4:
                        cache.delete(k)
                    elif op < 0.45:
                        cache.add(k, -1)
                    elif op < 0.5:
                        try:
                            cache.incr(k)
                        except ValueError:
                            pass
                    else:
                        cache.get(k)
            except Exception as e:  # noqa: BLE001
                errors.append(e)

        threads = [threading.Thread(target=work, args=(c, i)) for i, c in enumerate([a, a, a, b, b, b])]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        time.sleep(BOUND)
        for cache in (a, b):
            store = cache._tier.store
            held = 0
            for k in keys:
                full = cache.make_key(k)
                raw = self.r.get(full)
                local = store.get(full, tiered._MISS)
                if local is not tiered._MISS:
                    held += 1
                    self.assertEqual(local, None if raw is None else tiered._loads(raw), k)
            self.assertGreater(cache.stats()["hits"], 0)

    def _interleave(self, a: TieredCache, method: str, b: TieredCache) -> None:
        """Makes ``a._tier.<method>`` (fill or finish) run only after ``b`` wrote "v2" to
        "k" and ``a``'s subscriber applied that invalidation: the race, made certain."""
        tier = a._tier
        original = getattr(tier, method)

        def late(*args, **kwargs):
            setattr(tier, method, original)
            seen = tier.counts["invalidations_received"]
            b.set("k", "v2")
            self.assertTrue(wait_for(lambda: tier.counts["invalidations_received"] > seen, 2))
            return original(*args, **kwargs)

        setattr(tier, method, late)

    def test_fill_racing_an_invalidation_is_dropped(self):
        a, b = self.c, make(LOCAL_MAX_ENTRIES=5000)
        self.assertTrue(wait_for(lambda: b.stats()["tier1_trusted"]))
        b.set("k", "v1")
        self._interleave(a, "fill", b)
        self.assertEqual(a.get("k"), "v1")  # read from Redis before b's write
        self.assertEqual(a.get("k"), "v2")  # ...but not kept in tier 1
        self.assertEqual(a.get("k"), "v2")

    def test_write_racing_another_write_is_not_kept(self):
        a, b = self.c, make(LOCAL_MAX_ENTRIES=5000)
        self.assertTrue(wait_for(lambda: b.stats()["tier1_trusted"]))
        self._interleave(a, "finish", b)
        a.set("k", "v1")  # reaches Redis first; b's "v2" lands before a updates tier 1
        self.assertEqual(self.r.get(a.make_key("k")), tiered._dumps("v2"))
        self.assertEqual(a.get("k"), "v2")

    def test_stuck_subscriber_stops_trusting_tier1_within_the_bound(self):
        """The bound does not rest on the subscriber keeping up: if it stalls (here: stuck
        applying a message), tier 1 stops being trusted BOUND after its last ping."""
        a, b = self.c, make(LOCAL_MAX_ENTRIES=5000)
        self.assertTrue(wait_for(lambda: b.stats()["tier1_trusted"]))
        a.set("k", "v1")
        self.assertEqual(a.get("k"), "v1")
        tier = a._tier
        assert_tier1_serves(self, a, "k", "v1")
        release = threading.Event()
        original = tier._apply

        def stuck(data):
            release.wait(10)
            original(data)

        tier._apply = stuck
        try:
            b.set("k", "v2")  # a's subscriber receives it and gets stuck
            written = time.monotonic()
            self.assertTrue(wait_for(lambda: not a.stats()["tier1_trusted"], BOUND + 0.2))
            self.assertLessEqual(time.monotonic() - written, BOUND + 0.2)
            self.assertEqual(tier.store.get(a.make_key("k"), None), "v1")  # not invalidated...
            self.assertEqual(a.get("k"), "v2")  # ...but not trusted either: read from Redis
        finally:
            release.set()
            tier._apply = original
        self.assertTrue(wait_for(lambda: a.stats()["tier1_trusted"], 5))
        self.assertEqual(a.get("k"), "v2")

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_fork_child_starts_clean(self):
        self.c.set("k", "v1")
        self.assertEqual(self.c.get("k"), "v1")  # in the parent's tier 1
        rd, wr = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: report and leave without running the rest of the suite
            code = 1
            try:
                s = self.c.stats()
                # nothing inherited: tier 1 empty, counters and subscriber the child's own
                checks = [s["entries"] == 0, s["subscribes"] <= 1, s["redis_hits"] == 0]
                checks.append(wait_for(lambda: self.c.stats()["tier1_trusted"]))
                checks.append(self.c.get("k") == "v1")
                os.write(wr, b"ready")
                checks.append(wait_for(lambda: self.c.get("k") == "v2", BOUND + 1))
                code = 0 if all(checks) else 1
                if code:
                    os.write(2, f"fork child: checks {checks}, stats {self.c.stats()}\n".encode())
            finally:
                os._exit(code)
        os.close(wr)
        self.assertEqual(os.read(rd, 5), b"ready")
        self.c.set("k", "v2")
        _, status = os.waitpid(pid, 0)
        self.assertEqual(os.waitstatus_to_exitcode(status), 0)


if __name__ == "__main__":
    unittest.main()
