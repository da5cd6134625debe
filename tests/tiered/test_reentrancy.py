"""No user code under a lock of TieredCache: a value whose pickling calls the cache, keys
whose ``__str__``/``__hash__``/``__eq__`` call it, a KEY_FUNCTION that calls it, and a
warnings hook that calls it. Each runs in a thread with a deadline, so a deadlock fails
the test instead of hanging the suite; each test has a tier of its own, so a wedged one
cannot take the others down."""

from __future__ import annotations

import itertools
import os
import threading
import time
import unittest
import warnings

from procs import wait_for

from polycache import tiered
from polycache.tiered import TieredCache

URL = os.environ["POLYCACHE_REDIS_URL"].rsplit("/", 1)[0] + "/5"  # a db of our own
DEADLINE = 20  # seconds; each call takes milliseconds
_sizes = itertools.count(20_000)


def make(**params) -> TieredCache:
    # A distinct LOCAL_MAX_ENTRIES gives the test a tier (and locks) of its own.
    options = {"INVALIDATION_BOUND": 0.3, "LOCAL_MAX_ENTRIES": next(_sizes)}
    return TieredCache(URL, {"OPTIONS": options, **params})


class Audited:
    """Reads (and writes) the cache while it is being pickled, as a model whose pickling
    touches the cache does."""

    cache: TieredCache

    def __init__(self, n: int) -> None:
        self.n = n

    def __reduce__(self):
        Audited.cache.get("audit-absent")  # a miss: goes to Redis, counts, may fill
        Audited.cache.set("audit-count", self.n)
        return (Audited, (self.n,))

    def __eq__(self, other) -> bool:
        return isinstance(other, Audited) and other.n == self.n

    __hash__ = None  # type: ignore[assignment]


class Overtaker:
    """While pickled into tier 1 (once, when armed), has another process overwrite its
    key and waits until this process applied that invalidation: the put lands after it."""

    armed = False
    during: dict = {}

    def __init__(self, n: int) -> None:
        self.n = n

    def __reduce__(self):
        if Overtaker.armed:
            Overtaker.armed = False
            d = Overtaker.during
            tier = d["tier"]
            seen = tier.counts["invalidations_received"]
            d["other"].set("k", "v2")
            d["applied"] = wait_for(lambda: tier.counts["invalidations_received"] > seen, 5)
            lease = tier.lease_until
            time.sleep(4 * tier.bound / 5)  # several pongs: none may renew the lease now
            d["renewed"] = tier.lease_until != lease
        return (Overtaker, (self.n,))


class CallingKey:
    """A key whose every protocol method calls the cache."""

    cache: TieredCache

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        CallingKey.cache.get("key-audit")
        return self.name

    def __hash__(self) -> int:
        CallingKey.cache.get("key-audit")
        return hash(self.name)

    def __eq__(self, other) -> bool:
        CallingKey.cache.get("key-audit")
        return isinstance(other, CallingKey) and other.name == self.name


class ReentrancyTests(unittest.TestCase):
    def run_in_thread(self, fn):
        out: dict = {}

        def target():
            try:
                out["value"] = fn()
            except BaseException as e:  # noqa: BLE001 - reported below
                out["error"] = e

        t = threading.Thread(target=target, daemon=True)
        t.start()
        t.join(DEADLINE)
        self.assertFalse(t.is_alive(), "deadlock: the call never returned")
        if "error" in out:
            raise out["error"]
        return out.get("value")

    def test_value_whose_pickling_calls_the_cache(self):
        c = make()
        Audited.cache = c
        self.assertTrue(wait_for(lambda: c.stats()["tier1_trusted"]))
        store = c._tier.store
        # a write: pickled for Redis, then pickled again into tier 1
        self.run_in_thread(lambda: c.set("k", Audited(1)))
        self.assertEqual(c.get("k"), Audited(1))
        self.run_in_thread(lambda: c.set_many({"a": Audited(2), "b": Audited(3)}))
        self.assertTrue(self.run_in_thread(lambda: c.add("added", Audited(4))))
        # a fill from Redis into tier 1
        store.clear()
        self.assertEqual(self.run_in_thread(lambda: c.get("k")), Audited(1))
        store.clear()
        got = self.run_in_thread(lambda: c.get_many(["a", "b", "added"]))
        self.assertEqual(got, {"a": Audited(2), "b": Audited(3), "added": Audited(4)})
        # and the fill landed: tier 1 serves it
        self.assertTrue(wait_for(lambda: c.stats()["tier1_trusted"]))
        hits = c.stats()["hits"]
        self.assertEqual(c.get("a"), Audited(2))
        self.assertEqual(c.stats()["hits"], hits + 1)
        self.assertEqual(c.get("audit-count"), 4)

    def test_put_overtaken_while_pickling_is_dropped_and_holds_the_lease(self):
        c, other = make(), make()
        self.assertTrue(wait_for(lambda: c.stats()["tier1_trusted"] and other.stats()["tier1_trusted"]))
        seen = c._tier.counts["invalidations_received"]
        other.set("k", Overtaker(1))
        self.assertTrue(wait_for(lambda: c._tier.counts["invalidations_received"] > seen))  # (else it fails the fill)
        c._tier.store.clear()
        Overtaker.during = {"tier": c._tier, "other": other}
        Overtaker.armed = True
        got = self.run_in_thread(lambda: c.get("k"))  # read before the overwrite: the old value
        self.assertIsInstance(got, Overtaker)
        self.assertTrue(Overtaker.during["applied"])
        self.assertFalse(Overtaker.during["renewed"], "a lease was granted with a stale put in tier 1")
        self.assertFalse(c._tier.store.has_key(c.make_key("k")))  # the overtaken put was dropped
        self.assertTrue(wait_for(lambda: c.stats()["tier1_trusted"]))  # and leases resume
        self.assertEqual(c.get("k"), "v2")

    def test_keys_whose_str_hash_eq_call_the_cache(self):
        c = make()
        CallingKey.cache = c
        k1, k2 = CallingKey("one"), CallingKey("two")
        self.run_in_thread(lambda: c.set(k1, 1))
        self.run_in_thread(lambda: c.set_many({k1: 1, k2: 2}))
        self.assertEqual(self.run_in_thread(lambda: c.get(k1)), 1)
        self.assertEqual(self.run_in_thread(lambda: c.get_many([k1, k2])), {k1: 1, k2: 2})
        self.assertEqual(self.run_in_thread(lambda: c.incr(k2)), 3)
        self.assertTrue(self.run_in_thread(lambda: c.has_key(k2)))
        self.run_in_thread(lambda: c.delete_many([k1, k2]))
        self.assertIsNone(c.get("one"))
        ns = c.namespace("calling")
        self.run_in_thread(lambda: ns.set(k1, "in ns"))
        self.assertEqual(self.run_in_thread(lambda: ns.get(k1)), "in ns")

    def test_key_function_that_calls_the_cache(self):
        plain = make()
        calls = []

        def key_func(key, key_prefix, version):
            calls.append(key)
            plain.get("kf-audit")  # the same tier: its locks are this cache's locks
            return f"{key_prefix}:{version}:{key}"

        c = TieredCache(URL, {"OPTIONS": {"LOCAL_MAX_ENTRIES": plain._tier.max_entries, "INVALIDATION_BOUND": 0.3},
                              "KEY_FUNCTION": key_func})
        self.assertIs(c._tier, plain._tier)
        self.run_in_thread(lambda: c.set("k", [1]))
        self.assertEqual(self.run_in_thread(lambda: c.get("k")), [1])
        self.assertEqual(self.run_in_thread(lambda: c.get_many(["k", "x"])), {"k": [1]})
        self.run_in_thread(lambda: c.delete("k"))
        self.assertIn("k", calls)

    def test_warning_hook_that_calls_the_cache(self):
        c = make()
        seen = []

        def hook(message, category, *args, **kwargs):
            seen.append(category.__name__)
            c.get("warn-audit")
            c.set("warn-count", len(seen))

        def warn_and_use():
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = hook
                c.set("has space", 1)  # CacheKeyWarning, as Django gives it
                self.assertTrue(wait_for(lambda: c.stats()["tier1_trusted"]))
                c.get("has space")  # on the native tier-1 path too
                return c.get("has space")

        self.assertEqual(self.run_in_thread(warn_and_use), 1)
        self.assertIn("CacheKeyWarning", seen)

    def tearDown(self) -> None:
        for key, tier in list(tiered._tiers.items()):
            if tier.url == URL:
                tier.stop()
                del tiered._tiers[key]


if __name__ == "__main__":
    unittest.main()
