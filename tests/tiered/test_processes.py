"""Cross-process invalidation with real OS processes (tests/tiered/worker.py), each with
its own TieredCache on one redis-server of this module's own.

The guarantee under test: a write (set, delete, incr, touch, clear, incr_version,
namespace invalidate) that has returned in one process is never served stale by another
process's tier 1 once INVALIDATION_BOUND seconds have passed. Each scenario first makes
the readers hold the old value *in tier 1* (a read reported as a tier-1 hit), so a missing
invalidation shows up as a stale read; the control test shows it does.
"""

from __future__ import annotations

import time
import unittest

from procs import Server, Worker, WorkerError

BOUND = 0.5
LATENCIES: list = []


class CrossProcessTests(unittest.TestCase):
    server: Server
    a: Worker
    b: Worker
    c: Worker

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = Server()
        cls.a, cls.b, cls.c = (Worker(cls.server.url, BOUND) for _ in range(3))

    @classmethod
    def tearDownClass(cls) -> None:
        for w in (cls.a, cls.b, cls.c):
            w.close()
        cls.server.close()
        if LATENCIES:
            print(
                f"\n  cross-process invalidation latency over {len(LATENCIES)} reads: "
                f"max {max(LATENCIES) * 1000:.1f} ms, bound {BOUND * 1000:.0f} ms"
            )

    def setUp(self) -> None:
        self.a("clear")
        for w in (self.a, self.b, self.c):
            self.assertTrue(w("wait_trusted"), "tier 1 never became trusted")

    # -- helpers ---------------------------------------------------------------------

    def prime(self, readers, key, value, **kw):
        """Readers hold ``value`` for ``key`` in tier 1 (proved by a tier-1 hit)."""
        for w in readers:
            # (the setup write may still be in flight: within the bound, the old value or a
            # dropped fill are allowed)
            deadline = time.monotonic() + BOUND + 1
            while True:
                got = w("get", key=key, **kw)
                if got == {"value": value, "tier1": True} or time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            self.assertEqual(got, {"value": value, "tier1": True}, f"worker {w.pid}: {w('stats')}")

    def check_bound(self, readers, key, expected, **kw):
        """Called right after the write returned: a read BOUND seconds later is fresh."""
        time.sleep(BOUND)
        for w in readers:
            self.assertEqual(w("get", key=key, **kw)["value"], expected, f"stale read in worker {w.pid}")

    def check_latency(self, readers, key, expected, ns=None):
        for w in readers:
            took = w("watch", key=key, expected=expected, timeout=BOUND + 1, ns=ns)
            self.assertIsNotNone(took, f"worker {w.pid} never saw the write")
            self.assertLess(took, BOUND)
            LATENCIES.append(took)

    def scenario(self, setup, write, key, expected):
        readers = (self.b, self.c)
        for check in (self.check_bound, self.check_latency):
            old = setup()
            self.prime(readers, key, old)
            write()
            check(readers, key, expected)

    # -- the operations ------------------------------------------------------------------

    def test_set(self):
        self.scenario(lambda: self.a("set", key="k", value="v1") or "v1", lambda: self.a("set", key="k", value="v2"), "k", "v2")

    def test_delete(self):
        self.scenario(lambda: self.a("set", key="k", value="v1") or "v1", lambda: self.a("delete", key="k"), "k", None)

    def test_incr(self):
        self.scenario(lambda: self.a("set", key="n", value=10) or 10, lambda: self.a("incr", key="n"), "n", 11)

    def test_touch_expire_now(self):
        self.scenario(lambda: self.a("set", key="k", value="v1") or "v1", lambda: self.a("touch", key="k", timeout=0), "k", None)

    def test_clear(self):
        self.scenario(lambda: self.a("set", key="k", value="v1") or "v1", lambda: self.a("clear"), "k", None)

    def test_incr_version(self):
        self.scenario(lambda: self.a("set", key="k", value="v1") or "v1", lambda: self.a("incr_version", key="k"), "k", None)
        for w in (self.b, self.c):
            self.assertEqual(w("get", key="k", version=2)["value"], "v1")

    def test_namespace_invalidate(self):
        readers = (self.b, self.c)
        for latency in (False, True):
            self.a("ns_set", ns="books", key="list", value="v1")
            for w in readers:
                deadline = time.monotonic() + BOUND + 1
                while True:
                    got = w("ns_get", ns="books", key="list")
                    if got == {"value": "v1", "tier1": True} or time.monotonic() > deadline:
                        break
                    time.sleep(0.01)
                self.assertEqual(got, {"value": "v1", "tier1": True})
            self.a("ns_invalidate", ns="books")
            if latency:
                self.check_latency(readers, "list", None, ns="books")
            else:
                time.sleep(BOUND)
                for w in readers:
                    self.assertIsNone(w("ns_get", ns="books", key="list")["value"])

    def test_storm_of_writers_then_every_tier1_agrees_with_redis(self):
        """Three processes write and read the same 6 keys at full speed for 3 s (with
        threads in flight on both sides of every race); once quiet for the bound, no
        process's tier 1 holds anything Redis does not."""
        keys = [f"s{i}" for i in range(6)]
        workers = (self.a, self.b, self.c)
        for w in workers:  # all three at once: send, then collect
            w.send("storm", seconds=3, seed=w.pid, keys=keys)
        ops = [w.reply(60) for w in workers]
        self.assertTrue(all(n > 100 for n in ops), ops)
        time.sleep(BOUND)
        held = 0
        for w in workers:
            report = w("disagreements", keys=keys)
            self.assertEqual(report["wrong"], [], f"worker {w.pid}")
            held += report["held"]
        self.assertGreater(held, 0)  # tier 1 was in play
        print(f"\n  storm: {sum(ops)} operations in 3 processes; {held} keys held in tier 1 at the end, all equal to Redis")

    # -- control: tier 1 really serves, so a missing invalidation is seen ------------

    def test_control_write_bypassing_tieredcache_stays_invisible(self):
        self.a("set", key="k", value="v1")
        self.prime((self.b,), "k", "v1")
        self.server.client().set(":1:k", b"\x80\x05\x95\x06\x00\x00\x00\x00\x00\x00\x00\x8c\x02v2\x94.")  # pickle "v2", no message
        time.sleep(2 * BOUND)
        self.assertEqual(self.b("get", key="k"), {"value": "v1", "tier1": True})
        self.assertEqual(self.a("delete", key="k"), True)  # through TieredCache: seen
        self.check_bound((self.b,), "k", None)

    # -- late start and reconnects ---------------------------------------------------------

    def test_late_start(self):
        self.a("set", key="k", value="v1")
        self.a("set", key="k", value="v2")
        d = Worker(self.server.url, BOUND)
        try:
            self.assertEqual(d("get", key="k")["value"], "v2")  # before its subscription too
            self.assertTrue(d("wait_trusted"))
            self.prime((d,), "k", "v2")
            self.a("set", key="k", value="v3")
            self.check_bound((d,), "k", "v3")
            self.a("set", key="k", value="v4")
            self.check_latency((d,), "k", "v4")
        finally:
            d.close()

    def _subscribes(self, w: Worker) -> int:
        return w("stats")["subscribes"]

    def test_reconnect_after_client_kill_drops_what_was_missed(self):
        self.a("set", key="k", value="v1")
        self.prime((self.b,), "k", "v1")
        r = self.server.client()
        # An invalidation B never receives: a raw write, no message (as if published while
        # B was disconnected). B serves its tier-1 copy...
        r.set(":1:k", b"\x80\x05\x95\x06\x00\x00\x00\x00\x00\x00\x00\x8c\x02v2\x94.")
        self.assertEqual(self.b("get", key="k"), {"value": "v1", "tier1": True})
        # ...until its subscriber connection is killed and comes back: then never again.
        n = self._subscribes(self.b)
        sub = [c for c in r.client_list() if c["name"] == f"polycache-tiered-sub:{self.b.pid}"]
        self.assertEqual(len(sub), 1)
        r.client_kill_filter(_id=sub[0]["id"])
        self.assertTrue(self.b("wait_subscribes", n=n + 1))
        self.assertEqual(self.b("get", key="k")["value"], "v2")
        self.assertEqual(self.b("stats")["reconnects"], n)
        # and invalidation works again
        self.prime((self.b,), "k", "v2")
        self.a("set", key="k", value="v3")
        self.check_bound((self.b,), "k", "v3")

    def test_reconnect_after_redis_restart(self):
        self.a("set", key="k", value="v1")
        self.prime((self.b, self.c), "k", "v1")
        nb = self._subscribes(self.b)
        self.server.stop()
        try:
            with self.assertRaises(WorkerError) as cm:
                self.b("get", key="k")
            self.assertEqual(cm.exception.kind, "TieredCacheUnavailable")
        finally:
            self.server.start()  # same port, empty: no persistence
        self.assertTrue(self.b("wait_subscribes", n=nb + 1))
        # tier 1 held v1; Redis lost it: after the reconnect, v1 is never served
        self.assertEqual(self.b("get", key="k"), {"value": None, "tier1": False})
        self.assertTrue(self.c("wait_trusted", timeout=10))
        self.assertIsNone(self.c("get", key="k")["value"])
        self.assertTrue(self.a("wait_trusted", timeout=10))
        self.a("set", key="k", value="v3")
        self.prime((self.b, self.c), "k", "v3")
        self.a("set", key="k", value="v4")
        self.check_bound((self.b, self.c), "k", "v4")


if __name__ == "__main__":
    unittest.main()
