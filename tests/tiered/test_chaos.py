"""The Redis fault suite: three worker processes (two with IGNORE_EXCEPTIONS off, one with
it on) write and read shared keys at full speed while Redis is, in turn, stopped
(SIGSTOP/SIGCONT), asleep (DEBUG SLEEP), cut off (CLIENT KILL of the subscribers, then
of every other client), emptied behind TieredCache's back (FLUSHDB), squeezed
(maxmemory with allkeys-lru eviction), and killed and restarted (SIGKILL, empty).

The invariant checked is the documented invalidation bound, on every read of the run:
each key has one writer, whose values only grow (a delete counts as a write too), so a
read that began ``INVALIDATION_BOUND`` after a write of the same key returned must not
see an older value. A miss is always allowed (Redis may lose data); so is the value of
a write that failed, which Redis may apply late. Then, once quiet: every failed write is
settled, and no tier 1 holds a value that differs from Redis's."""

from __future__ import annotations

import os
import signal
import threading
import time
import unittest

import redis

import storm_check
from procs import Server, Worker

BOUND = 0.5
STORM = 9.0  # seconds of writes; the faults below fit in it with time to recover


class ChaosTests(unittest.TestCase):
    def setUp(self) -> None:
        self.server = Server()
        self.workers = [
            Worker(self.server.url, BOUND),
            Worker(self.server.url, BOUND, IGNORE_EXCEPTIONS=True),
            Worker(self.server.url, BOUND),
        ]

    def tearDown(self) -> None:
        for w in self.workers:
            w.close()
        self.server.close()

    # -- the faults ------------------------------------------------------------------

    def faults(self) -> list:
        r = self.server.client()
        done = []

        def pause(seconds: float) -> None:
            time.sleep(seconds)

        def sigstop():
            os.kill(self.server.pid, signal.SIGSTOP)
            time.sleep(0.6)
            os.kill(self.server.pid, signal.SIGCONT)

        def debug_sleep():
            slow = redis.Redis(host="127.0.0.1", port=self.server.port, socket_timeout=10)
            slow.execute_command("DEBUG", "SLEEP", "0.6")

        def client_kill():
            r.client_kill_filter(_type="pubsub")
            time.sleep(0.3)
            r.client_kill_filter(_type="normal", skipme=True)

        def eviction():
            used = int(r.info("memory")["used_memory"])
            r.config_set("maxmemory-policy", "allkeys-lru")
            r.config_set("maxmemory", used + (128 << 10))
            try:
                with r.pipeline(transaction=False) as p:
                    for i in range(1024):
                        p.set(f"filler:{i}", b"x" * 1024)
                    p.execute()
            finally:
                r.config_set("maxmemory", 0)
            done.append(("evicted", int(r.info("stats")["evicted_keys"])))

        def kill_restart():
            self.server.kill()
            time.sleep(0.3)
            self.server.start()

        for name, fault in (("SIGSTOP", sigstop), ("DEBUG SLEEP", debug_sleep), ("CLIENT KILL", client_kill),
                            ("FLUSHDB", r.flushdb), ("maxmemory", eviction), ("SIGKILL+restart", kill_restart)):
            pause(0.7)
            if name == "SIGKILL+restart":
                r.close()
            fault()
            done.append(name)
        return done

    # -- the check -------------------------------------------------------------------

    @staticmethod
    def stale_reads(logs: list) -> tuple:
        """Reads that saw a value older than the newest write of their key that had
        returned ``BOUND`` before the read began; and how many reads were checked."""
        return storm_check.stale_reads(logs, BOUND)

    def test_bound_holds_through_every_fault(self):
        keys = {w.pid: [f"w{i}:k{j}" for j in range(4)] for i, w in enumerate(self.workers)}
        every = [k for ks in keys.values() for k in ks]
        for w in self.workers:
            self.assertTrue(w("wait_trusted"))
        for w in self.workers:
            w.send("logged_storm", seconds=STORM, seed=w.pid, own=keys[w.pid], read=every)
        result: dict = {}
        injector = threading.Thread(target=lambda: result.setdefault("done", self.faults()))
        injector.start()
        injector.join(STORM + 30)
        logs = [w.reply(STORM + 60) for w in self.workers]
        self.assertIn("SIGKILL+restart", result.get("done", []), "the faults did not all run")

        stale, checked = self.stale_reads(logs)
        writes = sum(1 for log in logs for e in log if e[0] == "w")
        failed = sum(1 for log in logs for e in log if e[0] == "w" and not e[5])
        print(f"\n  chaos: {writes} writes ({failed} failed), {checked} reads of a value checked, "
              f"{len(stale)} stale; faults: {result['done']}")
        self.assertGreater(failed, 0, "no write failed: the faults did not reach the workers")
        self.assertGreater(checked, 1000)
        self.assertEqual(stale[:10], [])

        # once quiet: every failed write settled, every tier 1 equal to Redis where Redis
        # has the key (FLUSHDB and eviction drop keys behind TieredCache's back, see docs)
        for w in self.workers:
            self.assertTrue(w("wait_subscribes", n=1, timeout=15))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and any(w("stats")["reconcile_pending"] for w in self.workers):
            time.sleep(0.05)
        stats = [w("stats") for w in self.workers]
        self.assertEqual([s["reconcile_pending"] for s in stats], [0, 0, 0], stats)
        self.assertTrue(all(s["reconnects"] > 0 for s in stats), stats)
        self.assertTrue(all(s["hits"] > 0 for s in stats), "tier 1 never served: nothing was tested")
        print(f"  tier-1 hits per worker: {[s['hits'] for s in stats]}, failed writes settled: "
              f"{[s['reconciled'] for s in stats]}")
        time.sleep(BOUND)
        for w in self.workers:
            wrong = [x for x in w("disagreements", keys=every)["wrong"] if x[2] is not None]
            self.assertEqual(wrong, [], f"worker {w.pid}")


if __name__ == "__main__":
    unittest.main()
