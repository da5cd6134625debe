"""Hot reads through polycache.tiered.TieredCache vs django-redis alone (and Django's own
RedisCache, and PolyCache in-process for scale), all on the same local redis-server.

    python bench/tiered_bench.py --redis-url redis://127.0.0.1:PORT/0 [--out docs/bench-tiered.md]

"Hot" means the keys were read once already, so TieredCache answers from tier 1; the
Redis-only backends do a round trip per read. Also measured, so the price is visible:
cold reads (tier-1 miss: Redis + fill) and writes (Redis + invalidation message + tier 1).
Median of several rounds; every number below comes from this script.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

KEYS = 1000
ROUNDS = 5
READS = 20_000  # per round, in-process tiers
REDIS_READS = 2_000  # per round, backends that go to Redis on every read


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = 0
    try:
        redis_v = subprocess.run(["redis-server", "--version"], capture_output=True, text=True).stdout.split()[2]
    except (OSError, IndexError):
        redis_v = "?"
    return (
        f"{cpu}, {cores} cores available, {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, Django {version('django')}, redis-py {version('redis')}, "
        f"django-redis {version('django-redis')}, polycache {version('polycache')}, redis-server {redis_v.removeprefix('v=')}"
    )


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--redis-url", default=os.environ.get("POLYCACHE_REDIS_URL"), help="default: $POLYCACHE_REDIS_URL")
    ap.add_argument("--out")
    args = ap.parse_args()
    url = args.redis_url
    if not url:
        ap.error("--redis-url or POLYCACHE_REDIS_URL is required")

    import django
    from django.conf import settings

    settings.configure(
        CACHES={
            "tiered": {"BACKEND": "polycache.tiered.TieredCache", "LOCATION": url, "KEY_PREFIX": "t"},
            "django_redis": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url, "KEY_PREFIX": "dr"},
            "django_rediscache": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url, "KEY_PREFIX": "d"},
            "polycache": {"BACKEND": "polycache.django.PolyCache", "LOCATION": "bench", "OPTIONS": {"MAX_ENTRIES": 10 * KEYS}},
        }
    )
    django.setup()
    from django.core.cache import caches

    names = {
        "tiered": "polycache TieredCache (tier 1 + Redis)",
        "django_redis": "django-redis RedisCache",
        "django_rediscache": "Django's own RedisCache",
        "polycache": "polycache PolyCache (in-process only, no Redis)",
    }
    values = {
        "str": lambda i: f"value-{i}-" + "x" * 40,
        "dict": lambda i: {"id": i, "name": f"book {i}", "tags": ["a", "b"], "price": 9.5},
    }
    keys = [f"book:{i}" for i in range(KEYS)]
    order = [keys[(i * 7919) % KEYS] for i in range(READS)]  # all keys, scattered

    tiered = caches["tiered"]
    deadline = time.monotonic() + 10
    while not tiered.stats()["tier1_trusted"]:
        if time.monotonic() > deadline:
            raise SystemExit("TieredCache: tier 1 never became trusted (subscriber not connected?)")
        time.sleep(0.01)

    results = {}  # (alias, kind, phase) -> seconds per op (median over rounds)
    for kind, make in values.items():
        caches["tiered"].clear()  # (FLUSHDB: the three Redis backends share the db)
        caches["polycache"].clear()
        jobs = {}  # (alias, phase) -> (function of n, n)
        for alias in names:
            c = caches[alias]
            for i, k in enumerate(keys):
                c.set(k, make(i), None)

            def hot(n, get=c.get):
                for k in order[:n]:
                    get(k)

            hot(KEYS)  # fill tier 1 (TieredCache); warm connections (all)
            for k in keys:  # every key is served, right
                assert c.get(k) == make(int(k.split(":")[1])), (alias, k)
            in_process = alias in ("tiered", "polycache")
            jobs[(alias, "hot get")] = (hot, READS if in_process else REDIS_READS)

            def sets(n, set_=c.set, v=make(1)):
                for k in order[:n]:
                    set_(k, v, None)

            jobs[(alias, "set")] = (sets, REDIS_READS)

        def cold(n, get=tiered.get, store=tiered._tier.store):
            for k in order[:n]:
                store.clear()  # force the tier-1 miss: Redis + fill
                get(k)

        jobs[("tiered", "cold get")] = (cold, REDIS_READS)
        # Rounds interleave the backends, so a load spike on this shared machine hits all.
        times: dict = {job: [] for job in jobs}
        for phase in ("hot get", "cold get", "set"):
            for _ in range(ROUNDS):
                for (alias, p), (fn, n) in jobs.items():
                    if p == phase:
                        start = time.perf_counter()
                        fn(n)
                        times[(alias, p)].append((time.perf_counter() - start) / n)
            if phase == "hot get":
                assert tiered.stats()["tier1_trusted"]
        for (alias, p), ts in times.items():
            results[(alias, kind, p)] = statistics.median(ts)

    lines = []
    out = lines.append
    out("# TieredCache vs Redis-only Django backends")
    out("")
    out("Generated by `bench/tiered_bench.py` (via `make bench-tiered`); do not edit by hand.")
    out("")
    out(f"- Command: `make bench-tiered`, which runs `.venv-tiered/bin/python bench/tiered_bench.py "
        f"--out docs/bench-tiered.md` against a redis-server it starts on 127.0.0.1 (here {url})")
    out(f"- Machine: {machine()}")
    out(f"- Date: {datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}")
    out(f"- Workload: {KEYS} keys, values a 50-character str or a small dict (pickled); "
        f"{READS} (in-process) or {REDIS_READS} (Redis) reads per round over all keys; "
        f"median of {ROUNDS} rounds, backends interleaved; one thread.")
    out("")
    for kind in values:
        out(f"## Values: {kind}")
        out("")
        out("| backend | hot get (µs/op) | hot get (ops/s) | set (µs/op) |")
        out("|---|---:|---:|---:|")
        for alias, name in names.items():
            g, s = results[(alias, kind, "hot get")], results[(alias, kind, "set")]
            out(f"| {name} | {g * 1e6:.2f} | {1 / g:,.0f} | {s * 1e6:.1f} |")
        out("")
        t, dr, d = (results[(a, kind, "hot get")] for a in ("tiered", "django_redis", "django_rediscache"))
        out(f"- **Hot reads: TieredCache is {dr / t:.1f}x django-redis** ({d / t:.1f}x Django's own RedisCache); target >= 10x.")
        out(f"- A tier-1 miss (Redis round trip + fill) costs {results[('tiered', kind, 'cold get')] * 1e6:.1f} µs "
            f"vs {dr * 1e6:.1f} µs for a django-redis get; a TieredCache set (one Lua script: SET + PUBLISH, "
            f"then tier 1) costs {results[('tiered', kind, 'set')] * 1e6:.1f} µs vs "
            f"{results[('django_redis', kind, 'set')] * 1e6:.1f} µs.")
        out("")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text)
    ratio = min(results[("django_redis", k, "hot get")] / results[("tiered", k, "hot get")] for k in values)
    return 0 if ratio >= 10 else 1  # the target: >= 10x on hot reads


if __name__ == "__main__":
    sys.exit(main())
