"""What COMPRESS_MIN_LENGTH costs on small rows: a Django `cache.set` and `cache.get` of the
memory bench's ~200-byte rows (bench/rows.py), PolyCache with VALUES=pickle with and without
compression beside LocMemCache.

    python bench/compress_cost.py          # instructions per call (valgrind's callgrind)
    python bench/compress_cost.py --time   # microseconds per call, all in one process

Instructions: a run of N calls minus a run of none, over N (start-up cancels out, hash seed
fixed), after the cache holds 2,000 rows (so a compressing store has its dictionary). Time:
rounds alternated between backends, medians of 9. Run it with the Python of a venv that has
polycache and Django.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
N = 2000  # distinct keys, written first, then set again or read
BACKENDS = {
    "PolyCache VALUES=pickle": ("polycache.django.PolyCache", {"VALUES": "pickle"}),
    "PolyCache VALUES=pickle COMPRESS_MIN_LENGTH=128": ("polycache.django.PolyCache",
                                                       {"VALUES": "pickle", "COMPRESS_MIN_LENGTH": 128}),
    "LocMemCache": ("django.core.cache.backends.locmem.LocMemCache", {}),
}


def setup() -> dict:
    import django
    from django.conf import settings

    settings.configure(CACHES={
        name: {"BACKEND": backend, "LOCATION": name, "OPTIONS": {"MAX_ENTRIES": 10 * N, **options}}
        for name, (backend, options) in {"default": BACKENDS["LocMemCache"], **BACKENDS}.items()})
    django.setup()
    from django.core.cache import caches
    return caches


def child(name: str, kind: str, op: str, n: int) -> None:
    sys.path.insert(0, HERE)
    from rows import ROWS
    c = setup()[name]
    values = [ROWS[kind](i) for i in range(N)]
    keys = [f"user:{i}:profile" for i in range(N)]
    for k, v in zip(keys, values):
        c.set(k, v)
    if op == "set":
        for i in range(n):
            c.set(keys[i % N], values[i % N])
    else:
        for i in range(n):
            c.get(keys[i % N])


def instructions(args: list[str]) -> int:
    p = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                        sys.executable, __file__, "--child", *args],
                       capture_output=True, text=True, check=True, env={**os.environ, "PYTHONHASHSEED": "0"})
    m = re.search(r"Collected : (\d+)", p.stderr)
    if not m:
        raise SystemExit(f"no instruction count from callgrind:\n{p.stderr}")
    return int(m.group(1))


def count_all(n: int = 4000) -> dict:
    out: dict = {}
    for kind in ("rows", "varied"):
        for name in BACKENDS:
            for op in ("set", "get"):
                base = instructions([name, kind, op, "0"])
                out.setdefault(kind, {}).setdefault(name, {})[op] = round(
                    (instructions([name, kind, op, str(n)]) - base) / n)
    return out


def time_all() -> dict:
    from rows import ROWS
    caches = setup()
    out: dict = {}
    for kind, make in ROWS.items():
        values = [make(i) for i in range(N)]
        keys = [f"user:{i}:profile" for i in range(N)]
        samples: dict = {name: {"set": [], "get": []} for name in BACKENDS}
        for _ in range(9):
            for name in BACKENDS:
                c = caches[name]
                t0 = time.perf_counter()
                for k, v in zip(keys, values):
                    c.set(k, v)
                t1 = time.perf_counter()
                for k in keys:
                    c.get(k)
                t2 = time.perf_counter()
                samples[name]["set"].append((t1 - t0) / N * 1e6)
                samples[name]["get"].append((t2 - t1) / N * 1e6)
        out[kind] = {name: {op: round(statistics.median(v), 2) for op, v in ops.items()}
                     for name, ops in samples.items()}
    return out


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        name, kind, op, n = sys.argv[2:6]
        return child(name, kind, op, int(n))
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", action="store_true", help="microseconds per call instead of instructions")
    args = ap.parse_args()
    result = time_all() if args.time else count_all()
    print(json.dumps({"unit": "us per call" if args.time else "instructions per call", **result}, indent=1))


if __name__ == "__main__":
    main()
