"""How long one full `gc.collect()` takes with 20,000 DRF-like pages (bench/rows.py) cached
in `polycache.Cache`, by VALUES mode: the copies a store keeps are off the cycle
collector's lists (bindings-python/src/tree.rs), so they add nothing to a collection.

    python bench/gc_pause.py        # from a venv with polycache; min of 5 collections
"""
from __future__ import annotations

import gc
import time

import polycache
from rows import drf_value


def pause(values: str, entries: int = 20_000) -> tuple[int, float]:
    c = polycache.Cache(10 * entries, values=values)
    for i in range(entries):
        c.set(str(i), drf_value())
    gc.collect()
    times = []
    for _ in range(5):
        t = time.perf_counter()
        gc.collect()
        times.append(time.perf_counter() - t)
    tracked = len(gc.get_objects())
    del c
    gc.collect()
    return tracked, min(times) * 1e3


if __name__ == "__main__":
    for values in ("copy", "pickle"):
        tracked, ms = pause(values)
        print(f'values="{values}": {tracked} objects tracked, a full collection {ms:.2f} ms')
