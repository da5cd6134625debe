"""TieredCache on a Redis Cluster, beside django-redis and redis-py's own client-side
caching (RESP3 client tracking, ``cache_config``) on the same cluster.

    python bench/tiered_cluster_bench.py [--append docs/bench-tiered.md]

Starts its own cluster of 3 primaries and 3 replicas on 127.0.0.1 (tests/tiered/topoctl.py)
and stops it. Measured, median of several rounds, backends interleaved:

- hot get: the key was read before (TieredCache and client-side caching answer in
  process; django-redis makes a round trip);
- miss: TieredCache's tier 1 and redis-py's cache emptied before each read (a round trip,
  then the fill); django-redis's get is one already;
- invalidation latency: another OS process holds the key in its local cache and polls
  it (every 0.1 ms); this process writes it; the time from the write's return to the
  first fresh read there (monotonic clock, machine-wide).

django-redis 7 has no Redis Cluster client: it sends every command to its one LOCATION,
which answers MOVED for the slots it does not serve. So here it is given the primary that
serves the hash tag ``{dr}`` and a KEY_PREFIX with that tag: all its keys live on that
node, and each get is one round trip, as on a cluster client that routes it.

redis-py refuses client-side caching on a server older than 7.4 (``CacheProxyConnection.
MIN_ALLOWED_VERSION``); Debian 12's redis-server is 7.0.15. CLIENT TRACKING exists since
Redis 6, so this bench lowers that gate, and checks that a write by another client is seen.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import pickle
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tiered"))

KEYS = 1000
ROUNDS = 5
READS = 20_000
REDIS_READS = 2_000
LATENCY_SAMPLES = 30


def _django(url: str, dr_url: str) -> None:
    import django
    from django.conf import settings

    settings.configure(CACHES={
        "tiered": {"BACKEND": "polycache.tiered.TieredCache", "LOCATION": url, "KEY_PREFIX": "t",
                   "OPTIONS": {"CLUSTER": True}},
        "django_redis": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": dr_url, "KEY_PREFIX": "{dr}"},
    })
    django.setup()


def _csc(url: str):  # type: ignore[no-untyped-def]
    import redis.connection
    from redis.cache import CacheConfig
    from redis.cluster import RedisCluster

    redis.connection.CacheProxyConnection.MIN_ALLOWED_VERSION = "7.0.0"  # (see the docstring)
    return RedisCluster.from_url(url, protocol=3, cache_config=CacheConfig(max_size=10 * KEYS))


class CSC:
    """redis-py's client-side caching with Django's value format (pickle), as a cache."""

    def __init__(self, url: str) -> None:
        self.r = _csc(url)

    def get(self, key: str):  # type: ignore[no-untyped-def]
        data = self.r.get("c:" + key)
        return None if data is None else pickle.loads(data)

    def set(self, key: str, value, timeout=None) -> None:  # type: ignore[no-untyped-def]
        self.r.set("c:" + key, pickle.dumps(value, pickle.HIGHEST_PROTOCOL))

    def forget(self) -> None:
        self.r.nodes_manager._cache.flush()  # (the cache every node's connections share)


def _reader(kind: str, url: str, dr_url: str, conn) -> None:  # type: ignore[no-untyped-def]
    """Another process: caches a key, then polls it until it holds the expected value."""
    if kind == "tiered":
        _django(url, dr_url)
        from django.core.cache import caches

        cache = caches["tiered"]
        while not cache.stats()["tier1_trusted"]:
            time.sleep(0.01)
    else:
        cache = CSC(url)
    conn.send("ready")
    while True:
        job = conn.recv()
        if job is None:
            return
        key, old, new = job
        while cache.get(key) != old:
            time.sleep(0.001)
        cache.get(key)  # (now in the local cache)
        conn.send("holding")
        deadline = time.monotonic() + 5
        while cache.get(key) != new and time.monotonic() < deadline:
            time.sleep(0.0001)  # (a reader that also does other work: lets TieredCache's subscriber thread run)
        conn.send(time.monotonic())


def latency(kind: str, url: str, dr_url: str, write) -> list:  # type: ignore[no-untyped-def]
    ctx = mp.get_context("spawn")
    here, there = ctx.Pipe()
    p = ctx.Process(target=_reader, args=(kind, url, dr_url, there), daemon=True)
    p.start()
    try:
        assert here.poll(60) and here.recv() == "ready"
        out = []
        for i in range(LATENCY_SAMPLES):
            key = f"lat:{kind}:{i}"
            write(key, "old")
            here.send((key, "old", "new"))
            assert here.poll(10) and here.recv() == "holding"
            write(key, "new")
            done = time.monotonic()
            assert here.poll(10)
            seen = here.recv()
            assert seen - done < 5, f"{kind}: the write was never seen"
            out.append(max(0.0, seen - done))
        here.send(None)
        return out
    finally:
        p.join(5)
        if p.is_alive():
            p.kill()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--append", help="a Markdown file to append the results to")
    args = ap.parse_args()
    from redis.crc import key_slot

    from topoctl import Cluster

    load = os.getloadavg()[0]
    cluster = Cluster()
    try:
        dr_port = cluster.owner("{dr}")
        assert key_slot(b"{dr}:1:x") == key_slot(b"dr")
        url, dr_url = cluster.url, f"redis://127.0.0.1:{dr_port}/0"
        _django(url, dr_url)
        from django.core.cache import caches

        tiered, dr, csc = caches["tiered"], caches["django_redis"], CSC(url)
        while not tiered.stats()["tier1_trusted"]:
            time.sleep(0.01)
        caches_ = {"tiered": tiered, "django_redis": dr, "csc": csc}
        names = {"tiered": "polycache TieredCache (CLUSTER)", "django_redis": "django-redis (one node, keys hash-tagged to it)",
                 "csc": "redis-py RedisCluster, client-side caching (RESP3 tracking)"}
        keys = [f"book:{i}" for i in range(KEYS)]
        value = lambda i: {"id": i, "name": f"book {i}", "tags": ["a", "b"], "price": 9.5}  # noqa: E731
        order = [keys[(i * 7919) % KEYS] for i in range(READS)]
        for alias, c in caches_.items():
            for i, k in enumerate(keys):
                c.set(k, value(i), None)
            for k in keys:
                assert c.get(k) == value(int(k.split(":")[1])), (alias, k)
        tstore = tiered._tier.store

        def hot(c):  # type: ignore[no-untyped-def]
            def run(n: int) -> None:
                get = c.get
                for k in order[:n]:
                    get(k)
            return run

        def miss_tiered(n: int) -> None:
            for k in order[:n]:
                tstore.clear()
                tiered.get(k)

        def miss_csc(n: int) -> None:
            for k in order[:n]:
                csc.forget()
                csc.get(k)

        jobs = {("tiered", "hot"): (hot(tiered), READS), ("csc", "hot"): (hot(csc), REDIS_READS),
                ("django_redis", "hot"): (hot(dr), REDIS_READS), ("tiered", "miss"): (miss_tiered, REDIS_READS),
                ("csc", "miss"): (miss_csc, REDIS_READS)}
        for job in sorted(jobs, key=lambda j: j[1] != "miss"):  # warm (misses first: they empty the caches)
            fn, n = jobs[job]
            fn(min(n, KEYS))
        before = tiered.stats()
        times: dict = {j: [] for j in jobs}
        for phase in ("hot", "miss"):  # (all hot rounds first: a miss round empties the local caches)
            for _ in range(ROUNDS):
                for job, (fn, n) in jobs.items():
                    if job[1] == phase:
                        start = time.perf_counter()
                        fn(n)
                        times[job].append((time.perf_counter() - start) / n)
        res = {j: statistics.median(t) for j, t in times.items()}
        # client-side caching really answers hot reads locally: the servers see (almost) no GET
        from topoctl import client

        hot(csc)(KEYS)  # (the miss rounds emptied its cache)
        for p in cluster.primaries():
            client(p).config_resetstat()
        hot(csc)(REDIS_READS)
        gets = sum(int(client(p).info("commandstats").get("cmdstat_get", {}).get("calls", 0)) for p in cluster.primaries())
        assert gets < REDIS_READS / 100, f"client-side caching sent {gets} GETs for {REDIS_READS} hot reads"
        after = tiered.stats()
        redis_reads = after["redis_hits"] + after["redis_misses"] - before["redis_hits"] - before["redis_misses"]
        print(f"TieredCache during the rounds: {after['hits'] - before['hits']} tier-1 hits, {redis_reads} Redis reads "
              f"(the misses measured: {ROUNDS * REDIS_READS}), subscribes {after['subscribes']}", file=sys.stderr)
        res[("django_redis", "miss")] = res[("django_redis", "hot")]
        lat = {"tiered": latency("tiered", url, dr_url, lambda k, v: tiered.set(k, v, None)),
               "csc": latency("csc", url, dr_url, lambda k, v: csc.set(k, v))}
        bound = tiered._tier.bound
        import pubsub_cost

        pubsub = pubsub_cost.measure(cluster)
    finally:
        cluster.close()

    us = lambda s: f"{s * 1e6:.2f}"  # noqa: E731
    lines = [
        "", "## On a Redis Cluster: TieredCache, django-redis, redis-py client-side caching", "",
        "Generated by `bench/tiered_cluster_bench.py` (via `make bench-tiered`), on a cluster of 3 primaries "
        "and 3 replicas it starts on 127.0.0.1 (redis-server 7.0.15); one thread; values a small dict "
        f"(pickled); {KEYS} keys; median of {ROUNDS} rounds, backends interleaved. django-redis has no cluster "
        "client: it is given the primary that serves its keys (hash tag `{dr}`). redis-py refuses client-side "
        "caching below Redis 7.4; the bench lowers that gate (CLIENT TRACKING exists since Redis 6) and checks "
        "that another client's write is seen. Invalidation: another process polls the key every 0.1 ms; "
        f"{LATENCY_SAMPLES} writes each. Load average when it started: {load:.1f} on this shared machine "
        "(the miss columns vary most from run to run).", "",
        "| backend | hot get (µs/op) | miss (µs/op) | invalidation seen by another process: median / max (ms) | stated bound |",
        "|---|---:|---:|---:|---|",
    ]
    for alias in ("tiered", "csc", "django_redis"):
        l = lat.get(alias)  # noqa: E741
        seen = f"{statistics.median(l) * 1e3:.2f} / {max(l) * 1e3:.2f}" if l else "n/a (no local copy)"
        stated = {"tiered": f"{bound:.1f} s (INVALIDATION_BOUND), also through faults",
                  "csc": "none: a push is applied at the connection's next command",
                  "django_redis": "none needed (every read is a round trip)"}[alias]
        lines.append(f"| {names[alias]} | {us(res[(alias, 'hot')])} | {us(res[(alias, 'miss')])} | {seen} | {stated} |")
    t, d, c = (res[(a, "hot")] for a in ("tiered", "django_redis", "csc"))
    lines += ["", f"- **Hot reads: TieredCache is {d / t:.0f}x django-redis and {c / t:.0f}x redis-py's client-side "
              f"caching** on the same cluster.",
              f"- A miss costs TieredCache {res[('tiered', 'miss')] / d:.2f}x a django-redis get, and client-side caching "
              f"{res[('csc', 'miss')] / d:.2f}x.", "",
              "### Classic pub/sub (TieredCache's choice) vs sharded pub/sub on this cluster", "",
              f"`bench/pubsub_cost.py`: {pubsub_cost.SUBSCRIBERS} subscriber processes, {pubsub_cost.MESSAGES} messages "
              "the size of an invalidation message published on one primary; classic: each process subscribed on "
              "every primary (as TieredCache is), sharded: `SSUBSCRIBE` on the shard of the channel.", "",
              "| pub/sub | copies per message per process | subscriber CPU per message (µs) | cluster server CPU per message (µs, every node) |",
              "|---|---:|---:|---:|"]
    for mode, name in (("classic", "classic `SUBSCRIBE` on every primary"), ("sharded", "sharded `SSUBSCRIBE`")):
        m = pubsub[mode]
        lines.append(f"| {name} | {m['copies']:.1f} | {m['subscriber_us']:.1f} | {m['server_us']:.1f} |")
    c_, s_ = pubsub["classic"], pubsub["sharded"]
    lines += ["", f"- Classic pub/sub costs each subscribing process {c_['subscriber_us'] / s_['subscriber_us']:.1f}x the CPU "
              f"per invalidation, and the cluster {c_['server_us'] / s_['server_us']:.1f}x, of sharded pub/sub: the price "
              "of a bound that holds through resharding (docs/tiered.md).", ""]
    text = "\n".join(lines)
    print(text)
    if args.append:
        with open(args.append, "a") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
