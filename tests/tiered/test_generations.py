"""Namespace generations when Redis loses the counter: evicted under maxmemory with
allkeys-lru, or gone with a FLUSHDB TieredCache did not send (an operator, a failover to a
replica that missed it). A lost counter must never make an older generation readable
again: every retired entry stays retired. Each test counts the entries that came back
(printed) and requires none, after checking the fault really hit (counters lost while
retired entries survived), so the test could fail."""

from __future__ import annotations

import itertools
import time
import unittest

from procs import Server

from polycache import tiered
from polycache.tiered import TieredCache

N = 1000
_sizes = itertools.count(30_000)


class GenerationLossTests(unittest.TestCase):
    server: Server

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = Server()

    @classmethod
    def tearDownClass(cls) -> None:
        for key, tier in list(tiered._tiers.items()):
            if tier.url == cls.server.url:
                tier.stop()
                del tiered._tiers[key]
        cls.server.close()

    def setUp(self) -> None:
        self.r = self.server.client()
        self.r.flushdb()

    def make(self) -> TieredCache:
        """A cache with a tier (and so a tier 1) of its own: as another process."""
        return TieredCache(self.server.url, {"OPTIONS": {"LOCAL_MAX_ENTRIES": next(_sizes), "INVALIDATION_BOUND": 0.3}})

    def retire(self, c: TieredCache, n: int) -> None:
        for i in range(n):
            ns = c.namespace(f"ns{i}")
            ns.set("k", "retired")
            ns.invalidate()

    def resurrected(self, n: int) -> int:
        fresh = self.make()  # an empty tier 1: every generation is read from Redis
        return sum(1 for i in range(n) if fresh.namespace(f"ns{i}").get("k") == "retired")

    def counters(self) -> int:
        return sum(1 for _ in self.r.scan_iter(match=":#ns:*", count=1000))

    def test_counters_evicted_under_allkeys_lru(self):
        self.retire(self.make(), N)
        self.assertEqual(self.counters(), N)
        used = int(self.r.info("memory")["used_memory"])
        self.r.config_set("maxmemory-policy", "allkeys-lru")
        self.r.config_set("maxmemory", used + (256 << 10))
        try:
            filler = b"x" * 1024
            for batch in range(64):
                with self.r.pipeline(transaction=False) as p:
                    for i in range(64):
                        p.set(f"filler:{batch}:{i}", filler)
                    p.execute()
                if self.counters() < N // 2:
                    break
        finally:
            self.r.config_set("maxmemory", 0)
        lost = N - self.counters()
        retired_left = sum(1 for _ in self.r.scan_iter(match=":1:ns*", count=1000))
        self.assertGreater(lost, 0, "no counter was evicted: the fault did not happen")
        self.assertGreater(retired_left, 0, "every retired entry was evicted: nothing could come back")
        back = self.resurrected(N)
        print(f"\n  allkeys-lru: {lost} of {N} counters evicted, {retired_left} retired entries left, {back} came back")
        self.assertEqual(back, 0)

    def test_flushdb_behind_tieredcaches_back(self):
        """A process still holds generation g (tier 1) and writes under it after a FLUSHDB;
        another invalidates: its new generation must not be g again."""
        n = N // 2
        a, b = self.make(), self.make()
        for i in range(n):
            name = f"ns{i}"
            a.namespace(name).invalidate()
            b.namespace(name).generation()  # b keeps it in tier 1
        self.r.flushdb()  # behind TieredCache's back: no message
        back = 0
        for i in range(n):
            ns_b, ns_a = b.namespace(f"ns{i}"), a.namespace(f"ns{i}")
            ns_b.set("k", "retired")  # written under b's (old) generation...
            ns_a.invalidate()  # ...then invalidated: it must never be read again
            back += ns_a.get("k") == "retired"
        print(f"\n  FLUSHDB: {back} of {n} retired entries came back")
        self.assertEqual(back, 0)
        self.assertGreater(b.stats()["hits"] + b.stats()["redis_hits"], 0)

    def test_generation_grows_past_a_lost_counter(self):
        c = self.make()
        ns = c.namespace("g")
        before = [ns.invalidate() for _ in range(50)]
        self.assertEqual(before, sorted(set(before)))  # strictly increasing
        self.r.delete(":#ns:g")
        time.sleep(0.001)
        self.assertGreater(self.make().namespace("g").generation(), before[-1])


if __name__ == "__main__":
    unittest.main()
