"""fork() while another thread holds a lock: TieredCache's tier registry, a tier's own
locks (tier 1, failed-write journal), and a single-flight guard of ``get_or_set`` with a
flight open. A lock held at fork stays held forever in the child (its owner thread does
not exist there), so the child must not use anything of the parent's. Each child runs its
checks under ``alarm()``: a child that hangs is killed and the test fails."""

from __future__ import annotations

import itertools
import os
import signal
import threading
import unittest

from polycache import stampede, tiered_tier
from polycache.tiered import TieredCache

URL = os.environ["POLYCACHE_REDIS_URL"].rsplit("/", 1)[0] + "/6"  # a db of our own
DEADLINE = 20  # seconds for the child's checks, which take milliseconds
_sizes = itertools.count(40_000)


def make() -> TieredCache:
    return TieredCache(URL, {"OPTIONS": {"LOCAL_MAX_ENTRIES": next(_sizes), "INVALIDATION_BOUND": 0.3}})


def run_in_child(test: unittest.TestCase, checks) -> None:
    """Forks; the child runs ``checks()`` (true = pass) and exits; the parent asserts it
    passed within the deadline."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            signal.alarm(DEADLINE)
            code = 0 if checks() else 1
        except BaseException as e:  # noqa: BLE001 - reported by the exit code
            os.write(2, f"fork child: {type(e).__name__}: {e}\n".encode())
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    test.assertEqual(os.waitstatus_to_exitcode(status), 0, "the child hung (killed by its alarm) or failed")


class Holder:
    """A thread that holds ``lock`` until released."""

    def __init__(self, lock) -> None:
        self.held, self.release = threading.Event(), threading.Event()

        def hold():
            with lock:
                self.held.set()
                self.release.wait(60)

        self.thread = threading.Thread(target=hold, daemon=True)
        self.thread.start()
        assert self.held.wait(10)

    def stop(self) -> None:
        self.release.set()
        self.thread.join(10)


@unittest.skipUnless(hasattr(os, "fork"), "needs fork")
class ForkTests(unittest.TestCase):
    def test_fork_while_the_tier_registry_lock_is_held(self):
        holder = Holder(tiered_tier._tiers_lock)
        try:
            def checks():
                c = make()  # a new tier: registers under the registry lock
                c.set("k", "child")
                return c.get("k") == "child"

            run_in_child(self, checks)
        finally:
            holder.stop()

    def test_fork_while_a_tier_lock_is_held(self):
        c = make()
        c.set("k", "parent")
        tier = c._tier
        holders = [Holder(tier.lock), Holder(tier.journal.lock), Holder(tier.journal.running)]
        try:
            def checks():
                c.set("k2", "child")
                return c.get("k2") == "child" and c.get("k") == "parent" and c.stats()["entries"] >= 0

            run_in_child(self, checks)
        finally:
            for h in holders:
                h.stop()

    def test_fork_while_a_single_flight_is_open_and_its_lock_held(self):
        flights = stampede.SingleFlight()
        store: dict = {}

        class Plain:  # the smallest cache get_or_set works with
            def get(self, key, default=None, version=None):
                return store.get(key, default)

            def add(self, key, value, timeout=None, version=None):
                return store.setdefault(key, value) is value

            def set(self, key, value, timeout=None, version=None):
                store[key] = value

        cache = Plain()
        leading, release = threading.Event(), threading.Event()

        def slow():
            leading.set()
            release.wait(60)
            return "parent"

        leader = threading.Thread(
            target=lambda: stampede.get_or_set(cache, "k", slow, 60, flights=flights, flight_key="k"), daemon=True
        )
        leader.start()
        self.assertTrue(leading.wait(10))
        holder = Holder(flights._lock)
        try:
            def checks():
                # the parent's leader does not exist here: nobody would ever finish its flight
                got = stampede.get_or_set(cache, "k", lambda: "child", 60, flights=flights, flight_key="k", wait=120)
                return got == "child" and flights.in_flight() == 0

            run_in_child(self, checks)
        finally:
            holder.stop()
            release.set()
            leader.join(10)


if __name__ == "__main__":
    unittest.main()
