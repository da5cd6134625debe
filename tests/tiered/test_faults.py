"""Faults: Redis stopped, hung (SIGSTOP), pausing writes, or absent at start-up, with
IGNORE_EXCEPTIONS off (a clear TieredCacheUnavailable) and on (a miss, or tier 1 while it is
trusted; failures counted). No call may take longer than SOCKET_CONNECT_TIMEOUT +
SOCKET_TIMEOUT (plus scheduling slack). A write that failed is settled as an invalidation
once Redis answers, so no process keeps disagreeing with Redis."""

from __future__ import annotations

import os
import signal
import time
import unittest

import redis
import redisctl
from procs import Server, wait_for

from polycache import tiered
from polycache.tiered import TieredCache, TieredCacheUnavailable

TIMEOUT = 0.2  # SOCKET_TIMEOUT and SOCKET_CONNECT_TIMEOUT in these tests
BOUND = 0.3
LIMIT = 2 * TIMEOUT + 0.25  # what any single call may take, with slack for a busy 2-core box


def make(url: str, ignore: bool, **options) -> TieredCache:
    options.update(IGNORE_EXCEPTIONS=ignore, SOCKET_TIMEOUT=TIMEOUT, SOCKET_CONNECT_TIMEOUT=TIMEOUT, INVALIDATION_BOUND=BOUND)
    return TieredCache(url, {"OPTIONS": options})


def set_many_failing(c: TieredCache, data: dict) -> None:
    failed = c.set_many(data)
    if failed != list(data):  # as Django's set_many: the keys it could not store
        raise AssertionError(f"set_many returned {failed!r}")


# Every operation, as (name, call); each touches Redis.
def operations(c: TieredCache):
    ns = c.namespace("books")
    return [
        ("get", lambda: c.get("k")),
        ("get missing", lambda: c.get("missing", "dflt")),
        ("get_many", lambda: c.get_many(["k", "missing"])),
        ("has_key", lambda: c.has_key("missing")),
        ("set", lambda: c.set("k2", "local")),
        ("add", lambda: c.add("k3", "local")),
        ("set_many", lambda: set_many_failing(c, {"k4": 1})),
        ("touch", lambda: c.touch("k", 10)),
        ("incr", lambda: c.incr("n")),
        ("delete", lambda: c.delete("k5")),
        ("delete_many", lambda: c.delete_many(["k5", "k6"])),
        ("ttl", lambda: c.ttl("k")),
        ("keys", lambda: c.keys("*")),
        ("delete_pattern", lambda: c.delete_pattern("k6*")),
        ("clear", lambda: None),  # (run last, below)
        ("namespace get", lambda: ns.get("x")),
        ("namespace invalidate", lambda: ns.invalidate()),
    ]


class FaultTests(unittest.TestCase):
    def setUp(self) -> None:
        self.server = Server()
        self.strict = make(self.server.url, ignore=False)
        self.lenient = make(self.server.url, ignore=True)
        self.assertIs(self.strict._tier, self.lenient._tier)  # one tier 1, two policies
        self.strict.set("k", "v1")
        self.strict.set("n", 1)
        self.strict.set("u", "untouched")
        self.assertTrue(wait_for(lambda: self.strict.stats()["tier1_trusted"], 5))
        # (Read once trusted: subscribing flushes tier 1, so a set made before it may be gone.)
        for _ in range(2):
            self.assertEqual(self.strict.get("k"), "v1")
            self.assertEqual(self.strict.get("n"), 1)
            self.assertEqual(self.strict.get("u"), "untouched")
        self.assertGreaterEqual(self.strict.stats()["hits"], 3)

    def tearDown(self) -> None:
        for key, tier in list(tiered._tiers.items()):
            if tier.url == self.server.url:
                tier.stop()
                del tiered._tiers[key]
        self.server.close()

    def timed(self, fn):
        start = time.monotonic()
        try:
            return fn(), None, time.monotonic() - start
        except Exception as e:  # noqa: BLE001 - returned to the test
            return None, e, time.monotonic() - start

    def check_outage(self, expect_trust_lost_within: float) -> None:
        # tier 1 stops being trusted within the bound
        self.assertTrue(
            wait_for(lambda: not self.strict.stats()["tier1_trusted"], expect_trust_lost_within),
            "tier 1 still trusted with Redis away",
        )
        # tier 1 still holds "u", but nothing proves it valid any more: a miss
        s0 = self.lenient.stats()
        self.assertIn(self.lenient.make_key("u"), self.lenient._tier.store.live_keys())
        self.assertIsNone(self.lenient.get("u"))
        # lenient: misses, failures counted, bounded time
        times = []
        for name, op in operations(self.lenient):
            _, error, took = self.timed(op)
            times.append(took)
            with self.subTest(mode="lenient", op=name):
                self.assertIsNone(error)
                self.assertLess(took, LIMIT)
        # after the first failure, Redis is not retried for RETRY_AFTER: no more waiting
        self.assertLess(sum(times[1:]), 0.2, times)
        c = self.lenient
        self.assertEqual(c.get("missing", "dflt"), "dflt")
        self.assertIsNone(c.get("k2"))  # a write during the outage is lost, not kept here alone
        self.assertIsNone(c.incr("n"))  # as django-redis answers under IGNORE_EXCEPTIONS
        s1 = c.stats()
        self.assertGreater(s1["reconcile_pending"], 0)
        self.assertGreaterEqual(s1["redis_errors"] - s0["redis_errors"], 1)
        failures = s1["redis_errors"] + s1["redis_skipped"] - s0["redis_errors"] - s0["redis_skipped"]
        self.assertEqual(failures, len(operations(c)) - 1 + 4)  # every call that needed Redis
        self.assertIn("last_error", c.stats())
        # strict: every operation raises TieredCacheUnavailable, in bounded time
        for name, op in operations(self.strict):
            if name == "clear":
                op = self.strict.clear
            _, error, took = self.timed(op)
            with self.subTest(mode="strict", op=name):
                self.assertIsInstance(error, TieredCacheUnavailable)
                self.assertIn("IGNORE_EXCEPTIONS", str(error))
                self.assertLess(took, LIMIT)

    def check_recovery(self) -> None:
        subs = self.strict.stats()["subscribes"]
        self.assertTrue(
            wait_for(lambda: self.strict.stats()["subscribes"] > subs and self.strict.stats()["tier1_trusted"], 10),
            "no reconnect",
        )
        # every write that failed is settled in Redis as an invalidation, without a call
        self.assertTrue(wait_for(lambda: self.strict.stats()["reconcile_pending"] == 0, 2 + BOUND), self.strict.stats())
        self.assertGreater(self.strict.stats()["reconciled"], 0)
        r = self.server.client()
        for key in ("k", "k2", "k3", "k4", "n"):  # each written (or touched) during the outage
            self.assertIsNone(r.get(self.strict.make_key(key)), key)

    def test_redis_stopped_then_back(self):
        self.server.stop()
        self.check_outage(BOUND + 0.2)
        self.server.start()  # empty: it kept nothing
        self.check_recovery()
        # what tier 1 held, and what was written to it alone during the outage, is gone
        for c in (self.strict, self.lenient):
            self.assertIsNone(c.get("k"))
            self.assertIsNone(c.get("k2"))
        self.strict.set("k", "v2")
        self.assertEqual(self.lenient.get("k"), "v2")
        self.assertEqual(self.strict.stats()["redis_errors"], self.lenient.stats()["redis_errors"])

    def test_redis_hung(self):
        pid = self.server.pid
        os.kill(pid, signal.SIGSTOP)  # accepts connections (kernel backlog), answers nothing
        try:
            self.check_outage(BOUND + TIMEOUT + 0.3)
        finally:
            os.kill(pid, signal.SIGCONT)
        self.check_recovery()
        # What was written during the outage is invalidated (even the writes Redis ran late,
        # from its socket buffers, after SIGCONT); the strict clear() that failed is settled
        # as a FLUSHDB, so "u" is gone too.
        for key in ("u", "k", "k2", "n"):
            self.assertIsNone(self.strict.get(key), key)

    def test_redis_absent_at_start(self):
        url = f"redis://127.0.0.1:{redisctl.free_port()}/0"  # nothing listens there
        strict, lenient = make(url, ignore=False), make(url, ignore=True)
        try:
            _, error, took = self.timed(lambda: strict.get("k"))
            self.assertIsInstance(error, TieredCacheUnavailable)
            self.assertLess(took, LIMIT)
            self.assertEqual(lenient.get("k", "dflt"), "dflt")
            lenient.set("k", "local")
            self.assertIsNone(lenient.get("k"))  # lost: never kept in this process alone
            s = lenient.stats()
            self.assertFalse(s["subscribed"])
            self.assertFalse(s["tier1_trusted"])
            self.assertEqual(s["redis_errors"] + s["redis_skipped"], 4)
        finally:
            for key, tier in list(tiered._tiers.items()):
                if tier.url == url:
                    tier.stop()
                    del tiered._tiers[key]

    def test_one_failed_write_does_not_split_processes(self):
        """CLIENT PAUSE WRITE: the subscriber stays healthy (tier 1 stays trusted), but one
        write times out and the next ones are skipped for RETRY_AFTER. Each is settled as
        an invalidation when Redis answers again, so this process and another one agree
        with Redis; a delete is never lost in the other process."""
        other = make(self.server.url, ignore=False, LOCAL_MAX_ENTRIES=999)  # as another process
        self.assertIsNot(other._tier, self.lenient._tier)
        for key, value in (("session", "alive"), ("k", "v1"), ("sess:2", "alive")):
            other.set(key, value)
            self.assertEqual(other.get(key), value)
            self.assertEqual(self.lenient.get(key), value)
        r = self.server.client()
        subscribes = self.lenient.stats()["subscribes"]
        r.execute_command("CLIENT", "PAUSE", int(TIMEOUT * 2500), "WRITE")
        self.lenient.set("k", "v2")  # times out (Redis runs it later)
        self.lenient.delete("session")  # skipped: Redis is known down
        self.assertEqual(self.lenient.delete_pattern("sess:*"), 0)  # skipped too
        self.assertIsNone(self.lenient.get("session"))
        self.assertTrue(
            wait_for(lambda: self.lenient.stats()["reconcile_pending"] == 0, 1.0 + TIMEOUT * 2.5 + 2 * BOUND + 1),
            self.lenient.stats(),
        )
        time.sleep(BOUND)  # the invalidation bound, for the other process
        self.assertIsNone(r.get(other.make_key("session")))
        self.assertIsNone(r.get(other.make_key("sess:2")))
        for c in (self.lenient, other):
            self.assertIsNone(c.get("session"))
            self.assertIsNone(c.get("sess:2"))
            self.assertEqual(c.get("k"), None if r.get(c.make_key("k")) is None else "v2")
            self.assertEqual(c.get("u"), "untouched")  # only what failed is invalidated
        # pub/sub stayed up: no reconnect flush repaired anything, the settling did
        self.assertEqual(self.lenient.stats()["subscribes"], subscribes)

    def test_a_write_that_lands_after_it_failed_is_applied_here_too(self):
        """A write whose request Redis runs only after the writer gave up on it (a packet
        held up in the network): its message names a sender that believes the write
        failed, so this process applies it too rather than keep a copy Redis replaced.
        The delay is made here: the request is held back, then sent as it was."""
        c = make(self.server.url, ignore=False, RETRY_AFTER=0.05, LOCAL_MAX_ENTRIES=777)
        other = make(self.server.url, ignore=False, LOCAL_MAX_ENTRIES=778)
        self.assertTrue(wait_for(lambda: c.stats()["tier1_trusted"] and other.stats()["tier1_trusted"], 5))
        tier, held = c._tier, []
        script = tier.set_script

        def lost(keys, args):
            held.append((keys, args))
            raise redis.TimeoutError("held back")

        tier.set_script = lost
        try:
            with self.assertRaises(TieredCacheUnavailable):
                c.set("late", "v5")
        finally:
            tier.set_script = script
        self.assertTrue(wait_for(lambda: c.stats()["reconcile_pending"] == 0, 5))
        other.set("late", "v9")
        # c holds v9 in tier 1 (a fill that raced other's message is not kept: read again)
        self.assertTrue(wait_for(lambda: c.get("late") == "v9" and tier.store.get(c.make_key("late")) == "v9", 2))
        script(keys=held[0][0], args=held[0][1])  # the held-back request reaches Redis now
        time.sleep(BOUND)
        for cache in (c, other):
            self.assertEqual(cache.get("late"), "v5")  # Redis's value, everywhere


if __name__ == "__main__":
    unittest.main()
