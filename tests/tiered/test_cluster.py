"""TieredCache on a real Redis Cluster (3 primaries, 3 replicas on 127.0.0.1, started and
stopped here: topoctl.py), with several OS processes (worker.py).

- every operation on keys spread over every shard (a script that touched two hash slots
  would fail with CROSSSLOT), namespaces, clear, keys()/delete_pattern() over all nodes;
- a write on any primary reaches every process within the bound;
- under writes and reads from three processes: ``redis-cli --cluster reshard`` moving the
  slots of keys in use, a primary SIGSTOPped, CLIENT KILL of every client; then a primary
  SIGKILLed and replaced by its replica. Checked on every read: the invalidation bound
  (storm_check.py); on every call: it returned within LIMIT seconds.

Django's own BaseCacheTests also run on a cluster (mk/tiered.mk: topoctl.py with-cluster)."""

from __future__ import annotations

import os
import signal
import threading
import time
import unittest

from django.core.exceptions import ImproperlyConfigured
from redis.crc import key_slot

from procs import stop_workers, three_workers
from storm_check import slowest_call, stale_reads, summary
from topoctl import Cluster, client

BOUND = 0.5
STORM = 8.0
# SOCKET_TIMEOUT = SOCKET_CONNECT_TIMEOUT = 0.25: a call makes at most two attempts (the
# second on a refreshed slot map), each bounded by both timeouts, plus the refresh itself.
LIMIT = 4 * (0.25 + 0.25)


def full(key: str) -> str:
    return f":1:{key}"  # Django's default KEY_FUNCTION, prefix "", version 1


def keys_in(slots, prefix: str, n: int) -> list:
    """``n`` keys whose stored form lies in ``slots`` (a range or set of slot numbers)."""
    out, i = [], 0
    while len(out) < n:
        k = f"{prefix}{i}"
        if key_slot(full(k).encode()) in slots:
            out.append(k)
        i += 1
    return out


class ClusterConfigTests(unittest.TestCase):
    def test_bad_configurations_say_what_to_do(self):
        from polycache.tiered import TieredCache

        cases = [
            ("redis://127.0.0.1:7000/1", {"CLUSTER": True}, "only database 0"),
            ("unix:///tmp/redis.sock", {"CLUSTER": True}, "redis://host:port"),
            ("redis://a:1", {"CLUSTER": "yes"}, "CLUSTER must be True or False"),
            ("redis://a:1", {"CLUSTER": True, "SENTINELS": [("a", 1)]}, "exclude each other"),
            (["redis://a:1", "redis://b:1"], {}, "does not read from replicas"),
            ("redis://mymaster/0", {"SENTINELS": "a:1"}, "non-empty list"),
            ("redis://mymaster/0", {"SENTINELS": [("a", "1")]}, "SENTINELS takes"),
            ("redis://mymaster/x", {"SENTINELS": [("a", 1)]}, "must be a number"),
            (["redis://m/0", "redis://n/0"], {"SENTINELS": [("a", 1)]}, "LOCATION is one URL"),
            ("redis://m/0", {"SENTINELS": [("a", 1)], "SENTINEL_KWARGS": 3}, "SENTINEL_KWARGS is a dict"),
        ]
        for location, options, text in cases:
            with self.subTest(location=location, options=options):
                with self.assertRaises(ImproperlyConfigured) as caught:
                    TieredCache(location, {"OPTIONS": options})
                self.assertIn(text, str(caught.exception))
                self.assertIsInstance(caught.exception, ValueError)  # (as before: a ValueError too)

    def test_no_seed_answers(self):
        from polycache.tiered import TieredCache, TieredCacheUnavailable

        # created anyway (the slot map is asked at the first call), then a fault like any other
        strict = TieredCache("redis://127.0.0.1:1/0", {"OPTIONS": {"CLUSTER": True}})
        lenient = TieredCache("redis://127.0.0.1:1/0", {"OPTIONS": {"CLUSTER": True, "IGNORE_EXCEPTIONS": True}})
        start = time.monotonic()
        with self.assertRaises(TieredCacheUnavailable) as caught:
            strict.get("k")
        self.assertIn("Redis Cluster redis://127.0.0.1:1/0", str(caught.exception))
        self.assertEqual(lenient.get("k", "default"), "default")
        self.assertEqual(lenient.set_many({"k": 1}), ["k"])
        self.assertLess(time.monotonic() - start, LIMIT)


class ClusterTests(unittest.TestCase):
    cluster: Cluster

    @classmethod
    def setUpClass(cls) -> None:
        cls.cluster = Cluster()
        cls.workers = three_workers(cls.cluster, BOUND, CLUSTER=True)

    @classmethod
    def tearDownClass(cls) -> None:
        stop_workers(cls.workers, cls.cluster)

    def setUp(self) -> None:
        self.t0 = time.monotonic()
        for w in self.workers:
            self.assertTrue(w("wait_trusted", timeout=10), w("stats"))

    def tearDown(self) -> None:
        print(f"  ({self._testMethodName}: {time.monotonic() - self.t0:.1f}s)")

    def cache(self):  # type: ignore[no-untyped-def]
        from polycache.tiered import TieredCache

        return TieredCache(self.cluster.url, {"OPTIONS": {"CLUSTER": True, "INVALIDATION_BOUND": BOUND}})

    def test_1_every_operation_on_keys_of_every_shard(self):
        c = self.cache()
        keys = [f"op{i}" for i in range(60)]
        self.assertEqual(len({self.cluster.owner(full(k)) for k in keys}), 3, "keys must span every primary")
        self.assertEqual(c.set_many({k: i for i, k in enumerate(keys)}), [])
        self.assertEqual(c.get_many(keys), {k: i for i, k in enumerate(keys)})
        self.assertEqual(c.get_many(keys), {k: i for i, k in enumerate(keys)})  # (tier 1 now)
        self.assertEqual(c.delete_many(keys[:30]), 30)
        self.assertEqual(c.get_many(keys[:30]), {})
        self.assertEqual(sorted(c.keys("op*")), sorted(keys[30:]))
        self.assertEqual(c.delete_pattern("op3*"), 10)
        self.assertTrue(c.add("n", 2 ** 63 - 1))
        self.assertEqual(c.incr("n", 5), 2 ** 63 + 4)  # (past 64 bits: the compare-and-set)
        self.assertTrue(c.touch("n", 100))
        self.assertTrue(0 < c.ttl("n") <= 100)
        self.assertIs(c.set("n", 1, xx=True), True)
        books = c.namespace("books")
        for i in range(20):
            books.set(f"b{i}", i)
        self.assertEqual(books.get("b3"), 3)
        books.invalidate()
        self.assertIsNone(books.get("b3"))
        with c.lock("a-lock", timeout=5):
            pass
        c.set_many({"x": 1, "y": 2, "z": 3})
        c.clear()
        self.assertEqual(c.get_many(["x", "y", "z", "n"]), {})
        self.assertEqual(c.stats()["redis_errors"], 0)

    def test_2_a_write_on_any_primary_reaches_every_process(self):
        a, b, c = self.workers
        latencies = []
        for i, port in enumerate(self.cluster.primaries()):
            key = keys_in(self.cluster.slots_of(port), f"x{port}:", 1)[0]
            a("set", key=key, value="old")
            for w in (b, c):
                deadline = time.monotonic() + 2
                while w("get", key=key) != {"value": "old", "tier1": True} and time.monotonic() < deadline:
                    time.sleep(0.01)
                self.assertEqual(w("get", key=key), {"value": "old", "tier1": True})
            (a if i % 2 else c)("set", key=key, value="new")
            for w in (b, c, a):
                took = w("watch", key=key, expected="new", timeout=BOUND + 1)
                self.assertIsNotNone(took, f"{w.pid} never saw the write on {port}")
                self.assertLess(took, BOUND)
                latencies.append(took)
        ns_gen = a("ns_invalidate", ns="shelf")
        self.assertIsNotNone(ns_gen)
        print(f"\n  cluster: cross-node invalidation latency max {max(latencies) * 1000:.1f} ms over {len(latencies)} reads")

    def storm(self, faults, keys_of):  # type: ignore[no-untyped-def]
        """Three workers write their own keys and read everyone's for STORM seconds while
        ``faults()`` runs; their logs, and what ``faults`` returned."""
        every = [k for ks in keys_of.values() for k in ks]
        for w in self.workers:
            w.send("logged_storm", seconds=STORM, seed=w.pid, own=keys_of[w.pid], read=every)
        result: dict = {}
        thread = threading.Thread(target=lambda: result.setdefault("done", faults()))
        thread.start()
        thread.join(STORM + 60)
        logs = [w.reply(STORM + 60) for w in self.workers]
        self.assertIn("done", result, "the faults did not all run")
        return logs, result["done"]

    def settle(self, every):  # type: ignore[no-untyped-def]
        for w in self.workers:
            self.assertTrue(w("wait_subscribes", n=1, timeout=20), w("stats"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(w("stats")["reconcile_pending"] for w in self.workers):
            time.sleep(0.05)
        stats = [w("stats") for w in self.workers]
        self.assertEqual([s["reconcile_pending"] for s in stats], [0, 0, 0], stats)
        time.sleep(BOUND)
        for w in self.workers:
            self.assertEqual(w("disagreements", keys=every)["wrong"], [], f"worker {w.pid}")
        return stats

    def test_3_reshard_sigstop_client_kill_under_traffic(self):
        primaries = self.cluster.primaries()
        src, dst, paused = primaries[0], primaries[1], primaries[2]
        moving = self.cluster.first_slots(src, 100)
        keys_of = {}
        for i, w in enumerate(self.workers):
            keys_of[w.pid] = keys_in(moving, f"m{i}:", 3) + keys_in(range(16384), f"s{i}:", 3)
        every = [k for ks in keys_of.values() for k in ks]

        def faults() -> list:
            done = []
            time.sleep(0.7)
            self.cluster.reshard(src, dst, len(moving))
            done.append("reshard")
            time.sleep(0.5)
            pid = self.cluster.pid(paused)
            os.kill(pid, signal.SIGSTOP)
            time.sleep(0.6)  # (under cluster-node-timeout: no failover)
            os.kill(pid, signal.SIGCONT)
            done.append("SIGSTOP")
            time.sleep(0.7)
            for p in primaries:
                client(p).client_kill_filter(_type="pubsub")
            time.sleep(0.3)
            for p in primaries:
                client(p).client_kill_filter(_type="normal", skipme=True)
            done.append("CLIENT KILL")
            return done

        logs, done = self.storm(faults, keys_of)
        moved = [k for ks in keys_of.values() for k in ks[:3]]
        self.assertEqual({self.cluster.owner(full(k)) for k in moved}, {dst}, "reshard did not move the keys in use")
        stale, checked = stale_reads(logs, BOUND)
        writes, failed = summary(logs)
        slowest = slowest_call(logs)
        print(f"\n  cluster reshard/SIGSTOP/CLIENT KILL: {writes} writes ({failed} failed), {checked} reads checked, "
              f"{len(stale)} stale, slowest call {slowest * 1000:.0f} ms; faults {done}")
        self.assertGreater(checked, 1000)
        self.assertEqual(stale[:10], [])
        self.assertLess(slowest, LIMIT)
        stats = self.settle(every)
        self.assertTrue(all(s["reconnects"] > 0 for s in stats), stats)
        self.assertTrue(all(s["hits"] > 0 for s in stats), "tier 1 never served: nothing was tested")

    def test_4_primary_killed_replica_takes_over_under_traffic(self):
        victim = self.cluster.primaries()[0]
        slots = self.cluster.slots_of(victim)
        keys_of = {}
        for i, w in enumerate(self.workers):
            keys_of[w.pid] = keys_in(slots, f"f{i}:", 3) + keys_in(range(16384), f"g{i}:", 3)
        lossy = [k for ks in keys_of.values() for k in ks[:3]]
        every = [k for ks in keys_of.values() for k in ks]
        times: dict = {}

        def faults() -> list:
            time.sleep(1.0)
            times["killed"] = time.monotonic()
            self.cluster.kill(victim)
            self.cluster.wait_failover(victim)
            times["healed"] = time.monotonic()
            return ["SIGKILL primary", f"failover in {times['healed'] - times['killed']:.1f}s"]

        logs, done = self.storm(faults, keys_of)
        print(f"  (storm done at {time.monotonic() - self.t0:.1f}s)")
        self.assertLess(times["healed"], time.monotonic() - 1, "the storm ended before the failover")
        stale, checked = stale_reads(logs, BOUND, lossy, times["killed"], times["healed"])
        writes, failed = summary(logs)
        slowest = slowest_call(logs)
        healed_writes = sum(1 for log in logs for e in log if e[0] == "w" and e[1] in lossy and e[5] and e[3] > times["healed"])
        after = sum(1 for log in logs for e in log if e[0] == "r" and e[1] in lossy and e[3] > times["healed"] + BOUND)
        print(f"\n  cluster failover: {writes} writes ({failed} failed; {healed_writes} to the new primary), {checked} reads checked ({after} of the "
              f"failed-over keys after it), {len(stale)} stale, slowest call {slowest * 1000:.0f} ms; {done}")
        self.assertGreater(failed, 0, "no write failed: the kill did not reach the workers")
        self.assertGreater(after, 100)
        self.assertGreater(healed_writes, 50, "no write reached the new primary: the bound after it was not tested")
        self.assertEqual(stale[:10], [])
        self.assertLess(slowest, LIMIT)
        stats = self.settle(every)
        self.assertTrue(all(s["reconnects"] > 0 for s in stats), stats)


if __name__ == "__main__":
    unittest.main()
