"""TieredCache on a Sentinel-managed primary (a primary, a replica and three sentinels on
127.0.0.1, started and stopped here: topoctl.py), with several OS processes (worker.py).

- writes reach every process within the bound, through the primary the sentinels name;
- under writes and reads from three processes, the primary is SIGSTOPped until the
  sentinels promote the replica, then resumed (and demoted by them): the bound holds on
  every read for every write the new primary acknowledged, no call takes longer than
  LIMIT, every process ends on the new primary with its tier 1 equal to Redis;
- a request after the failover of a paused primary goes to the new primary, even on a
  connection that timed out on the old one or was dropped in the middle of a request;
- a write the old primary acknowledged and never passed to its replica is lost, in every
  process alike: after the failover nobody serves it from tier 1 (the test makes that
  write deterministic: the replica's link is cut and the replica paused before it)."""

from __future__ import annotations

import os
import signal
import threading
import time
import unittest

import redis

from procs import stop_workers, three_workers
from storm_check import slowest_call, stale_reads, summary
from topoctl import SentinelSetup, client

BOUND = 0.5
STORM = 7.0
# A call: two attempts, each bounded by SOCKET_CONNECT_TIMEOUT + SOCKET_TIMEOUT (0.25 +
# 0.25), plus asking the sentinels for the primary (same timeouts, one sentinel at a time).
LIMIT = 4 * (0.25 + 0.25)


class SentinelTests(unittest.TestCase):
    setup: SentinelSetup

    @classmethod
    def setUpClass(cls) -> None:
        cls.setup = SentinelSetup()
        cls.workers = three_workers(cls.setup, BOUND, **cls.setup.options)

    @classmethod
    def tearDownClass(cls) -> None:
        stop_workers(cls.workers, cls.setup)

    def setUp(self) -> None:
        for w in self.workers:
            self.assertTrue(w("wait_trusted", timeout=15), w("stats"))

    def prime(self, key: str, value) -> None:  # type: ignore[no-untyped-def]
        for w in self.workers:
            deadline = time.monotonic() + 3
            while w("get", key=key) != {"value": value, "tier1": True} and time.monotonic() < deadline:
                time.sleep(0.01)
            self.assertEqual(w("get", key=key), {"value": value, "tier1": True}, w("stats"))

    def test_1_writes_reach_every_process(self):
        from polycache.tiered import TieredCache

        c = TieredCache(self.setup.url, {"OPTIONS": {**self.setup.options, "INVALIDATION_BOUND": BOUND}})
        c.set_many({"a": 1, "b": 2})
        self.assertEqual(c.get_many(["a", "b"]), {"a": 1, "b": 2})
        self.assertEqual(client(self.setup.current_primary()).get(":1:a"), b"1")  # (on the primary)
        a, b, w3 = self.workers
        a("set", key="k", value="old")
        self.prime("k", "old")
        w3("set", key="k", value="new")
        for w in (a, b):
            took = w("watch", key="k", expected="new", timeout=BOUND + 1)
            self.assertIsNotNone(took)
            self.assertLess(took, BOUND)

    def test_2_primary_paused_past_failover_under_traffic(self):
        old = self.setup.current_primary()
        keys_of = {w.pid: [f"w{i}:k{j}" for j in range(4)] for i, w in enumerate(self.workers)}
        every = [k for ks in keys_of.values() for k in ks]
        times: dict = {}

        def faults() -> list:
            time.sleep(1.0)
            pid = self.setup.pid(old)
            times["killed"] = time.monotonic()
            os.kill(pid, signal.SIGSTOP)
            new = self.setup.wait_failover(old)
            os.kill(pid, signal.SIGCONT)  # (a primary again, until the sentinels demote it: their
            times["healed"] = time.monotonic()  # INFO to replicas comes every 10 s)
            # Redis itself loses what a primary acknowledged if the sentinels replace it in
            # turn (a live node deemed down on a loaded machine): then this run cannot
            # check the bound, and says so instead of reporting those writes as stale.
            demoted = "not demoted during the storm"
            while time.monotonic() < start + STORM:
                named = self.setup.named_primaries()
                if named - {new}:
                    times["failed_over_again"] = f"{sorted(named)} named at {time.monotonic():.3f}"
                if demoted.startswith("not") and client(old).info("replication")["role"] == "slave":
                    demoted = f"demoted {time.monotonic() - times['healed']:.1f}s after"
                time.sleep(0.05)
            return [f"SIGSTOP {old}", f"{new} promoted in {times['healed'] - times['killed']:.1f}s, {old} resumed, {demoted}"]

        start = time.monotonic()
        for w in self.workers:
            w.send("logged_storm", seconds=STORM, seed=w.pid, own=keys_of[w.pid], read=every)
        result: dict = {}
        thread = threading.Thread(target=lambda: result.setdefault("done", faults()))
        thread.start()
        thread.join(STORM + 60)
        logs = [w.reply(STORM + 60) for w in self.workers]
        self.assertIn("done", result, "the faults did not all run")
        self.assertLess(times["healed"], time.monotonic() - 1, "the storm ended before the failover")
        self.assertNotIn("failed_over_again", times, "the sentinels failed over a second time during the storm")

        stale, checked = stale_reads(logs, BOUND, every, times["killed"], times["healed"])
        writes, failed = summary(logs)
        slowest = slowest_call(logs)
        healed_writes = sum(1 for log in logs for e in log if e[0] == "w" and e[5] and e[3] > times["healed"])
        print(f"\n  sentinel failover: {writes} writes ({failed} failed; {healed_writes} after it), {checked} reads "
              f"checked, {len(stale)} stale, slowest call {slowest * 1000:.0f} ms; {result['done']}")
        self.assertGreater(failed, 0, "no write failed: the pause did not reach the workers")
        self.assertGreater(healed_writes, 50)
        self.assertEqual(stale[:10], [], f"killed at {times['killed']:.3f}, healed at {times['healed']:.3f}; "
                         f"stale reads: {len(stale)}, last at {max((x[3] for x in stale), default=0):.3f}; workers' stats: "
                         f"{[w('stats') for w in self.workers]}")
        self.assertLess(slowest, LIMIT)

        for w in self.workers:
            self.assertTrue(w("wait_subscribes", n=2, timeout=20), w("stats"))
        deadline = time.monotonic() + 20  # the sentinels demote the old primary
        while client(old).info("replication").get("master_link_status") != "up" and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertEqual(client(old).info("replication")["role"], "slave", "the old primary was not demoted")
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(w("stats")["reconcile_pending"] for w in self.workers):
            time.sleep(0.05)
        self.assertEqual([w("stats")["reconcile_pending"] for w in self.workers], [0, 0, 0])
        time.sleep(BOUND)
        for w in self.workers:
            self.assertEqual(w("disagreements", keys=every)["wrong"], [], f"worker {w.pid}")

    def test_3_connections_follow_the_sentinels_not_a_paused_primary(self):
        """The two ways a connection of redis-py's outlived a paused primary's failover
        (docs/tiered.md, "A paused primary that resumes"), each made to happen on purpose,
        on the data client of the Sentinel topology, with no subscriber to drop it."""
        from polycache.tiered_topology import connect, spec

        old = self.setup.current_primary()
        new = self.setup.other(old)
        timeouts = {"socket_timeout": 0.25, "socket_connect_timeout": 0.25, "health_check_interval": 0}
        data = connect(spec(self.setup.url, self.setup.options), timeouts).client
        stray = data.connection_pool.make_connection()
        with self.assertRaisesRegex(redis.ConnectionError, "no longer the primary"):
            stray.connect_to(("127.0.0.1", new))  # a replica, as a demoted primary is: refused
        held = data.connection_pool.get_connection()  # another thread's, idle through the failover
        data.set("conn", "1")  # (on a second connection)
        pid = self.setup.pid(old)
        os.kill(pid, signal.SIGSTOP)
        try:
            with self.assertRaises(redis.TimeoutError):
                data.get("conn")  # (the paused primary never answers)
            self.setup.wait_failover(old)
            # The connection that timed out was dropped: this one asks the sentinels.
            data.set("conn", "2")
        finally:
            os.kill(pid, signal.SIGCONT)
        self.assertEqual(client(new).get("conn"), b"2")
        # The resumed primary still says it is one; a connection dropped by another thread
        # (the subscriber, moving) in the middle of a request reconnects through the
        # sentinels, not to the address it had.
        data.connection_pool.disconnect()
        held.send_command("SET", "conn", "3")
        self.assertEqual(held.read_response(), b"OK")
        data.connection_pool.release(held)
        self.assertEqual((held.port, client(new).get("conn")), (new, b"3"))
        self.assertEqual(client(old).get("conn"), b"1")
        data.close()
        # (test_2 waits for the sentinels to demote it; here, for test_4's sake, sooner)
        client(old).replicaof("127.0.0.1", new)
        deadline = time.monotonic() + 20
        while client(old).info("replication").get("master_link_status") != "up" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(client(old).info("replication").get("master_link_status"), "up")

    def test_4_a_write_the_replica_never_got_is_lost_everywhere(self):
        primary = self.setup.current_primary()
        replica = self.setup.other(primary)
        self.assertEqual(client(replica).info("replication")["master_link_status"], "up")
        a, b, c = self.workers
        a("set", key="lost", value="old")
        self.prime("lost", "old")
        # (the replica must hold "old" before it is paused: else the primary's link cut may
        # drop it from the replica's socket, and the test would see a miss, not "old")
        raw = client(primary).get(":1:lost")
        deadline = time.monotonic() + 5
        while client(replica).get(":1:lost") != raw and time.monotonic() < deadline:
            time.sleep(0.01)
        self.assertEqual(client(replica).get(":1:lost"), raw, "the replica did not get the first write")
        subscribes = [w("stats")["subscribes"] for w in self.workers]
        # The replica stops reading its link and the primary cuts it: nothing written now
        # reaches the replica.
        os.kill(self.setup.pid(replica), signal.SIGSTOP)
        try:
            client(primary).client_kill_filter(_type="replica")
            a("set", key="lost", value="new")  # acknowledged by the primary alone
            for w in (b, c):
                self.assertIsNotNone(w("watch", key="lost", expected="new", timeout=BOUND + 1))
            self.setup.kill(primary)
        finally:
            os.kill(self.setup.pid(replica), signal.SIGCONT)
        self.setup.wait_failover(primary)
        for w, n in zip(self.workers, subscribes):
            self.assertTrue(w("wait_subscribes", n=n + 1, timeout=20), w("stats"))
        time.sleep(BOUND)
        got = [w("get", key="lost")["value"] for w in self.workers]
        self.assertEqual(got, ["old"] * 3, "the write the replica never got must be lost in every process alike")
        # and the new primary's writes reach everyone again
        b("set", key="lost", value="newer")
        for w in (a, c):
            took = w("watch", key="lost", expected="newer", timeout=BOUND + 1)
            self.assertIsNotNone(took)
            self.assertLess(took, BOUND)


if __name__ == "__main__":
    unittest.main()
