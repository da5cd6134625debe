"""Django `get` (hits) at 10k, 100k and 1M entries: PolyCache under each EVICTION policy
beside LocMemCache. A hit's cost grows with the cache once its entries no longer fit the
CPU caches; a policy that touches less memory per hit grows less (issue 14).

Each (backend, size, round) runs in a fresh process, so one backend's million entries do
not weigh on the next one's measurement.

By hand (bench/rust/hit_cost.md, "A Django `get` at 1,000,000 entries"):
`python bench/django_sizes.py child BACKEND EVICTION SIZE N [base]` runs one child in this
process, for valgrind (`base`: the gets replaced by a no-op lookup, to subtract);
`python bench/django_sizes.py ab SIZE ROUNDS BATCH [adaptive-first]` times PolyCache lru
and adaptive in one process, alternating batches.
"""
from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys

BACKENDS = {
    "PolyCache lru": ("polycache.django.PolyCache", "lru"),
    "PolyCache cull": ("polycache.django.PolyCache", "cull"),
    "PolyCache adaptive": ("polycache.django.PolyCache", "adaptive"),
    "LocMemCache": ("django.core.cache.backends.locmem.LocMemCache", None),
}

CHILD = r"""
import json, random, sys, time
import django
from django.conf import settings
backend, eviction, size, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
# "base": the same run with every get replaced by a no-op lookup, to subtract the fill
# and the loop from an instruction count (bench/django_hit_cost.sh).
base = sys.argv[5:6] == ["base"]
opts = {"MAX_ENTRIES": size}
if eviction != "-":
    opts["EVICTION"] = eviction
settings.configure(CACHES={"default": {"BACKEND": backend, "LOCATION": "sizes", "OPTIONS": opts}})
django.setup()
from django.core.cache import cache
keys = ["user:%d:profile" % i for i in range(size)]
for k in keys:
    cache.set(k, "hello, world", None)
rng = random.Random(7)
# Uniform over every key: each hit lands on a different part of the table, the case where
# a large cache pays for memory traffic.
order = [keys[rng.randrange(size)] for _ in range(n)]
get = {}.get if base else cache.get
for k in order[: n // 10]:
    get(k)
t0 = time.perf_counter()
hits = 0
for k in order:
    hits += get(k) is not None
elapsed = time.perf_counter() - t0
print(json.dumps({"ns_per_get": elapsed / n * 1e9, "hit_fraction": hits / n}))
"""


AB = r"""
import json, random, statistics, sys, time
import django
from django.conf import settings
size, rounds, batch = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
# "adaptive-first": fill (and time) the adaptive cache first, to see what the order does.
adaptive_first = sys.argv[4:5] == ["adaptive-first"]
settings.configure(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}} | {
    name: {"BACKEND": "polycache.django.PolyCache", "LOCATION": name, "OPTIONS": {"MAX_ENTRIES": size, "EVICTION": name}}
    for name in ("lru", "adaptive")})
django.setup()
from django.core.cache import caches
keys = ["user:%d:profile" % i for i in range(size)]
lru, adaptive = caches["lru"], caches["adaptive"]
pair = (adaptive, lru) if adaptive_first else (lru, adaptive)
for c in pair:
    for k in keys:
        c.set(k, "hello, world", None)
rng = random.Random(7)
ratios, t_lru, t_adaptive = [], 0.0, 0.0
for r in range(rounds):
    # Each cache reads its own batch (a second pass over the same keys would find their
    # str objects in the CPU caches), and the first to run alternates.
    times = {}
    for c in (pair if r % 2 == 0 else pair[::-1]):
        order = [keys[rng.randrange(size)] for _ in range(batch)]
        get = c.get
        t0 = time.perf_counter()
        for k in order:
            get(k)
        times[c is adaptive] = time.perf_counter() - t0
    t_lru += times[False]
    t_adaptive += times[True]
    ratios.append(times[True] / times[False])
print(json.dumps({"lru_ns": t_lru / (rounds * batch) * 1e9, "adaptive_ns": t_adaptive / (rounds * batch) * 1e9,
                  "median_ratio": statistics.median(ratios)}))
"""


def child_main(argv: list[str]) -> None:
    """`python bench/django_sizes.py child BACKEND EVICTION SIZE N [base]`: one child run in
    this process (for valgrind)."""
    sys.argv = [sys.argv[0], *argv]
    exec(compile(CHILD, "django_sizes_child", "exec"), {"__name__": "__child__"})


def bench_sizes(sizes: list[int], rounds: int, n: int) -> dict:
    """{size: {backend: {"ns_per_get": median, "hit_fraction": min}}}; within a round the
    backends run in a shuffled order."""
    samples: dict = {size: {name: [] for name in BACKENDS} for size in sizes}
    for _ in range(rounds):
        for size in sizes:
            order = list(BACKENDS)
            random.shuffle(order)
            for name in order:
                backend, eviction = BACKENDS[name]
                p = subprocess.run([sys.executable, "-c", CHILD, backend, eviction or "-", str(size), str(n)],
                                   capture_output=True, text=True, env=dict(os.environ), check=True)
                samples[size][name].append(json.loads(p.stdout))
    return {
        str(size): {
            name: {"ns_per_get": statistics.median(r["ns_per_get"] for r in runs),
                   "hit_fraction": min(r["hit_fraction"] for r in runs)}
            for name, runs in by_name.items()
        }
        for size, by_name in samples.items()
    }


def sizes_section(py: dict, lines: list[str]) -> None:
    """The report's table: ns per `get` hit, and each PolyCache policy's time over LocMemCache's."""
    data = py["django_get_by_size"]
    sizes = list(data)
    names = list(next(iter(data.values())))
    lines += ["## Django `get` by cache size", "",
              "One `cache.get` hit (a short str value) through `django.core.cache`, keys drawn uniformly "
              "from a full cache of that many entries (`MAX_ENTRIES` = entries), each backend in a fresh "
              "process; nanoseconds per call (lower is better), medians of "
              f"{py.get('sizes_rounds', py.get('rounds'))} rounds (`bench/django_sizes.py`). "
              f"Command: `{py.get('sizes_command', py.get('command'))}`.", "",
              "| backend | " + " | ".join(f"{int(s):,} entries" for s in sizes) + " |",
              "|---|" + "---:|" * len(sizes)]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(f"{data[s][name]['ns_per_get']:.0f} ns" for s in sizes) + " |")
    lines += ["", "Time over LocMemCache's (lower is better):", "",
              "| backend | " + " | ".join(f"{int(s):,}" for s in sizes) + " |", "|---|" + "---:|" * len(sizes)]
    for name in names:
        if name == "LocMemCache":
            continue
        lines.append(f"| {name} | " + " | ".join(
            f"{data[s][name]['ns_per_get'] / data[s]['LocMemCache']['ns_per_get']:.2f}" for s in sizes) + " |")
    short = [f"{name} at {int(s):,} ({data[s][name]['hit_fraction']:.3f})"
             for s in sizes for name in names if data[s][name]["hit_fraction"] < 1.0]
    if short:
        lines += ["", "Not every get hit (the fill was culled or evicted): " + ", ".join(short) + "."]
    lines.append("")


if __name__ == "__main__" and sys.argv[1:2] == ["child"]:
    child_main(sys.argv[2:])
elif __name__ == "__main__" and sys.argv[1:2] == ["ab"]:
    # `python bench/django_sizes.py ab SIZE ROUNDS BATCH [adaptive-first]`: PolyCache lru and adaptive in one
    # process, batches of uniform gets alternated so both see the same machine load.
    sys.argv = [sys.argv[0], *sys.argv[2:]]
    exec(compile(AB, "django_sizes_ab", "exec"), {"__name__": "__ab__"})
