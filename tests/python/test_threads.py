"""Many threads on one cache: no deadlock, no lost update, stats that add up."""

from __future__ import annotations

import random
import threading

from polycache import Cache
from polycache.django import PolyCache

THREADS = 16
ROUNDS = 2_000


def hammer(cache, counter_key: str, seed: int, tally: dict, lock: threading.Lock) -> None:
    rng = random.Random(seed)
    mine = {"get": 0, "set": 0, "incr": 0, "delete": 0}
    for i in range(ROUNDS):
        cache.incr(counter_key)
        mine["incr"] += 1
        op = rng.randrange(6)
        key = f"k{rng.randrange(200)}"
        if op == 0:
            cache.set(key, [seed, i])
            mine["set"] += 1
        elif op == 1:
            cache.get(key)
            mine["get"] += 1
        elif op == 2:
            cache.delete(key)
            mine["delete"] += 1
        elif op == 3:
            cache.set_many({key: i, key + "b": "x"})
            mine["set"] += 2
        elif op == 4:
            cache.get_many([key, key + "b"])
            mine["get"] += 2
        else:
            cache.namespace("ns").set(key, i)
            mine["set"] += 1
    with lock:
        for k, v in mine.items():
            tally[k] += v


def run(cache, counter_key: str) -> dict:
    tally = {"get": 0, "set": 0, "incr": 0, "delete": 0}
    lock = threading.Lock()
    threads = [threading.Thread(target=hammer, args=(cache, counter_key, s, tally, lock)) for s in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
        assert not t.is_alive(), "deadlock: a thread did not finish"
    return tally


def test_plain_cache_under_many_threads():
    cache = Cache(100)  # small: evictions happen all along
    cache.set("counter", 0, None)
    before = cache.stats()
    tally = run(cache, "counter")
    assert cache.get("counter") == THREADS * ROUNDS, "no lost incr"
    s = cache.stats()
    reads = tally["get"] + 1  # the final get above
    assert s["hits"] + s["misses"] - before["hits"] - before["misses"] == reads
    assert s["sets"] - before["sets"] == tally["set"] + tally["incr"]
    assert s["deletes"] <= tally["delete"]
    assert s["entries"] <= 100
    assert s["evictions"] > 0


def test_django_backend_under_many_threads():
    cache = PolyCache("threads", {"OPTIONS": {"MAX_ENTRIES": 150}, "TIMEOUT": None})
    cache.set("counter", 0)
    before = cache.stats()
    tally = run(cache, "counter")
    assert cache.get("counter") == THREADS * ROUNDS, "no lost incr"
    s = cache.stats()
    assert s["sets"] - before["sets"] == tally["set"] + tally["incr"]
    assert s["hits"] + s["misses"] - before["hits"] - before["misses"] == tally["get"] + 1
    assert s["entries"] <= 150
