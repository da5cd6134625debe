"""Cost of one call into the extension: `polycache.Cache.get` beside cachebox's
`TTLCache.get`, a short str hit from a 10,000-entry cache with a TTL, the loop of
bench/python_bench.py's plain section (`get(keys[i % 10000])`).

    python bench/get_calls.py            # instructions per get (callgrind) and ns per get
    python bench/get_calls.py --time     # ns per get only (no valgrind needed)

Instructions are counted by valgrind's callgrind: the run with N gets minus the run with
none, over N, so start-up cancels out (hash seed fixed); the machine's noise does not reach them. The ns
figures are the median of 5 rounds, both caches timed in one process. Run it with the
Python of a venv that has polycache (the wheel under test) and cachebox==6.2.10.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from callgrind import per_op

CHILD = r"""
import sys
which, n = sys.argv[1], int(sys.argv[2])
keys = [f"user:{i}:profile" for i in range(10_000)]
if which == "polycache":
    import polycache
    c = polycache.Cache(max_entries=100_000, default_timeout=60)
    for k in keys:
        c.set(k, "value")
else:
    import cachebox
    c = cachebox.TTLCache(100_000, 60)
    for k in keys:
        c.insert(k, "value")
g = c.get
for i in range(n):
    g(keys[i % 10000])
"""


def per_get_instructions(which: str, n: int = 100_000) -> float:
    return per_op(["-c", CHILD, which], n)


def ns_per_get(which: str, n: int = 300_000) -> float:
    ns: dict = {}
    exec(CHILD.split("g = c.get")[0].replace("sys.argv[1], int(sys.argv[2])", f"{which!r}, 0"), ns)
    g, keys = ns["c"].get, ns["keys"]
    t = time.perf_counter_ns()
    for i in range(n):
        g(keys[i % 10000])
    return (time.perf_counter_ns() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", action="store_true", help="only the ns per get")
    args = ap.parse_args()
    import polycache

    print(f"Python {sys.version.split()[0]}, polycache native module {polycache._native.__file__}")
    if not args.time:
        ir = {w: per_get_instructions(w) for w in ("polycache", "cachebox")}
        print(f"instructions per get: polycache {ir['polycache']:.0f}, cachebox {ir['cachebox']:.0f}, "
              f"polycache speed {ir['cachebox'] / ir['polycache']:.2f}x cachebox")
    rounds: dict = {"polycache": [], "cachebox": []}
    for _ in range(5):
        for w in rounds:
            rounds[w].append(ns_per_get(w))
    ns = {w: statistics.median(v) for w, v in rounds.items()}
    print(f"ns per get (median of 5): polycache {ns['polycache']:.1f}, cachebox {ns['cachebox']:.1f}, "
          f"polycache speed {ns['cachebox'] / ns['polycache']:.2f}x cachebox")


if __name__ == "__main__":
    main()
