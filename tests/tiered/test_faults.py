"""Faults: Redis stopped, hung (SIGSTOP) or absent at start-up, with IGNORE_EXCEPTIONS off
(a clear TieredCacheUnavailable) and on (served from tier 1, failures counted). No call
may take longer than SOCKET_CONNECT_TIMEOUT + SOCKET_TIMEOUT (plus scheduling slack)."""

from __future__ import annotations

import os
import signal
import time
import unittest

import redisctl
from procs import Server

from polycache import tiered
from polycache.tiered import TieredCache, TieredCacheUnavailable

TIMEOUT = 0.2  # SOCKET_TIMEOUT and SOCKET_CONNECT_TIMEOUT in these tests
BOUND = 0.3
LIMIT = 2 * TIMEOUT + 0.25  # what any single call may take, with slack for a busy 2-core box


def make(url: str, ignore: bool) -> TieredCache:
    return TieredCache(
        url,
        {
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": ignore,
                "SOCKET_TIMEOUT": TIMEOUT,
                "SOCKET_CONNECT_TIMEOUT": TIMEOUT,
                "INVALIDATION_BOUND": BOUND,
            }
        },
    )


def wait_for(pred, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.005)
    return False


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
        ("set_many", lambda: c.set_many({"k4": 1})),
        ("touch", lambda: c.touch("k", 10)),
        ("incr", lambda: c.incr("n")),
        ("delete", lambda: c.delete("k5")),
        ("delete_many", lambda: c.delete_many(["k5", "k6"])),
        ("ttl", lambda: c.ttl("k")),
        ("keys", lambda: c.keys("*")),
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
        self.assertTrue(wait_for(lambda: self.strict.stats()["tier1_trusted"], 5))
        for _ in range(2):
            self.assertEqual(self.strict.get("k"), "v1")
            self.assertEqual(self.strict.get("n"), 1)
        self.assertGreaterEqual(self.strict.stats()["hits"], 2)

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
        # lenient: served from tier 1, failures counted, bounded time
        s0 = self.lenient.stats()
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
        self.assertEqual(c.get("k"), "v1")  # tier 1's copy
        self.assertEqual(c.get("missing", "dflt"), "dflt")
        self.assertEqual(c.get("k2"), "local")  # a write during the outage: tier 1 only
        self.assertEqual(c.incr("n"), 3)  # 1 + the incr above + this one, locally
        s1 = c.stats()
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
        # Redis kept its data; tier 1 was flushed on reconnect, so only Redis's truth shows
        self.assertEqual(self.strict.get("k"), "v1")
        self.assertIsNone(self.strict.get("k2"))  # written to tier 1 alone during the outage
        self.assertEqual(self.strict.get("n"), 1)

    def test_redis_absent_at_start(self):
        url = f"redis://127.0.0.1:{redisctl.free_port()}/0"  # nothing listens there
        strict, lenient = make(url, ignore=False), make(url, ignore=True)
        try:
            _, error, took = self.timed(lambda: strict.get("k"))
            self.assertIsInstance(error, TieredCacheUnavailable)
            self.assertLess(took, LIMIT)
            self.assertEqual(lenient.get("k", "dflt"), "dflt")
            lenient.set("k", "local")
            self.assertEqual(lenient.get("k"), "local")
            s = lenient.stats()
            self.assertFalse(s["subscribed"])
            self.assertFalse(s["tier1_trusted"])
            self.assertEqual(s["redis_errors"] + s["redis_skipped"], 4)
        finally:
            for key, tier in list(tiered._tiers.items()):
                if tier.url == url:
                    tier.stop()
                    del tiered._tiers[key]


if __name__ == "__main__":
    unittest.main()
