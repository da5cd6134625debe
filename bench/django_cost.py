"""Instructions per Django `cache.set` and `cache.get` (valgrind's callgrind), by kind of
value and backend: what COMPRESS_MIN_LENGTH costs on small rows, and where a set of a
DRF-like value stands against LocMemCache's.

    python bench/django_cost.py                          # every kind, every backend
    python bench/django_cost.py --values drf --backends PolyCache,LocMemCache
    python bench/django_cost.py --time                   # microseconds instead
    python bench/django_cost.py --values drf --backends PolyCache,LocMemCache --native .venv311n/bin/python

Kinds (bench/rows.py): `rows` and `varied` are the memory bench's ~200-byte rows, `drf` the
1 KB list of dicts of the Django section. Counted: a run of `--calls` calls (4,000) minus a
run of none, over that many (bench/callgrind.py), after the cache holds `--entries` values
of the kind (2,000; so a compressing store has its dictionary); a set overwrites one of
them, a get hits. `--native PYTHON` adds a row for each PolyCache backend counted with
another interpreter, one that has polycache's native build (not abi3: `make
test-python-native` makes `.venv311n`). Time:
rounds alternated between backends in one process, medians of 9. Run it with the Python of
a venv that has polycache and Django.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

from callgrind import per_op

N = 2000  # distinct keys, written first, then set again or read (--entries)
BACKENDS = {
    "PolyCache": ("polycache.django.PolyCache", {}),
    "PolyCache VALUES=copy": ("polycache.django.PolyCache", {"VALUES": "copy"}),
    "PolyCache VALUES=pickle": ("polycache.django.PolyCache", {"VALUES": "pickle"}),
    "PolyCache VALUES=pickle COMPRESS_MIN_LENGTH=128": ("polycache.django.PolyCache",
                                                       {"VALUES": "pickle", "COMPRESS_MIN_LENGTH": 128}),
    "PolyCache VALUES=compact": ("polycache.django.PolyCache", {"VALUES": "compact"}),
    "PolyCache COMPRESS_MIN_LENGTH=128": ("polycache.django.PolyCache", {"COMPRESS_MIN_LENGTH": 128}),
    "PolyCache VALUES=compact COMPRESS_MIN_LENGTH=128": ("polycache.django.PolyCache",
                                                        {"VALUES": "compact", "COMPRESS_MIN_LENGTH": 128}),
    "LocMemCache": ("django.core.cache.backends.locmem.LocMemCache", {}),
}


def kinds() -> dict:
    from rows import ROWS, drf_value
    return {**ROWS, "drf": lambda i: drf_value()}


def setup(names: list[str]) -> dict:
    import django
    from django.conf import settings

    configs = {name: BACKENDS[name] for name in names}
    settings.configure(CACHES={
        name: {"BACKEND": backend, "LOCATION": name, "OPTIONS": {"MAX_ENTRIES": 10 * N, **options}}
        for name, (backend, options) in {"default": BACKENDS["LocMemCache"], **configs}.items()})
    django.setup()
    from django.core.cache import caches
    return caches


def filled(c, kind: str, entries: int = N) -> tuple[list, list]:
    make = kinds()[kind]
    values = [make(i) for i in range(entries)]
    keys = [f"user:{i}:profile" for i in range(entries)]
    for k, v in zip(keys, values):
        c.set(k, v)
    return keys, values


def child(name: str, kind: str, op: str, entries: int, n: int) -> None:
    c = setup([name])[name]
    keys, values = filled(c, kind, entries)
    if op == "set":
        for i in range(n):
            c.set(keys[i % entries], values[i % entries])
    else:
        for i in range(n):
            c.get(keys[i % entries])


def count(names: list[str], kinds_wanted: list[str], entries: int, n: int, native: str | None) -> dict:
    runs = [(name, name, sys.executable) for name in names]
    if native:
        runs += [(f"{name} [native build]", name, native) for name in names if name.startswith("PolyCache")]
    out: dict = {}
    for kind in kinds_wanted:
        for label, name, python in runs:
            for op in ("set", "get"):
                out.setdefault(kind, {}).setdefault(label, {})[op] = round(
                    per_op([__file__, "--child", name, kind, op, str(entries)], n, python))
    return out


def timed(names: list[str], kinds_wanted: list[str]) -> dict:
    caches = setup(names)
    out: dict = {}
    for kind in kinds_wanted:
        data = {name: filled(caches[name], kind) for name in names}
        samples: dict = {name: {"set": [], "get": []} for name in names}
        for _ in range(9):
            for name in names:
                c, (keys, values) = caches[name], data[name]
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
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if sys.argv[1:2] == ["--child"]:
        name, kind, op, entries, n = sys.argv[2:7]
        return child(name, kind, op, int(entries), int(n))
    ap = argparse.ArgumentParser()
    ap.add_argument("--time", action="store_true", help="microseconds per call instead of instructions")
    ap.add_argument("--values", default="rows,varied,drf", help="kinds of value, comma-separated")
    ap.add_argument("--backends", default=",".join(BACKENDS), help="backends, comma-separated")
    ap.add_argument("--entries", type=int, default=N, help="values held (instructions only)")
    ap.add_argument("--calls", type=int, default=2 * N, help="calls counted (instructions only)")
    ap.add_argument("--native", metavar="PYTHON", help="also count PolyCache with this interpreter's build")
    args = ap.parse_args()
    names, wanted = args.backends.split(","), args.values.split(",")
    result = timed(names, wanted) if args.time else count(names, wanted, args.entries, args.calls, args.native)
    print(json.dumps({"unit": "us per call" if args.time else "instructions per call", **result}, indent=1))


if __name__ == "__main__":
    main()
