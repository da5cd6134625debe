"""Why a dict copy's size is asked, not bounded from its item count (bench/misses.md, the
Django DRF-like paragraph): what `__sizeof__` gives for copies of n-item dicts of
several histories, made as the cache makes them (`PyDict_Copy`, i.e. `dict.copy()`; and
merged into a new dict, `{}.update(d)`, as before session 6).

    python bench/dict_tables.py        # any CPython; prints one line per item count
"""
from __future__ import annotations

import sys


def histories(n: int) -> dict:
    plain = {f"k{i}": i for i in range(n)}

    class Row:
        pass

    row = Row()
    for i in range(n):
        setattr(row, f"k{i}", i)
    mixed = {f"k{i}": i for i in range(n - 1)}
    mixed[0] = 0  # a non-str key after str ones
    shrunk = {f"k{i}": i for i in range(3 * n + 3)}
    for i in range(n, 3 * n + 3):
        del shrunk[f"k{i}"]
    return {"plain": plain, "instance __dict__": vars(row), "str then int key": mixed,
            "grown then shrunk": shrunk}


def merged(d: dict) -> dict:
    out: dict = {}
    out.update(d)
    return out


def main() -> None:
    print(f"Python {sys.version.split()[0]}: __sizeof__ of a copy (copy / merged), by history")
    names = list(histories(2))
    print("n  " + " | ".join(f"{name:>21}" for name in names))
    for n in range(1, 25):
        row = []
        for name, d in histories(n).items():
            row.append(f"{d.copy().__sizeof__():>10} / {merged(d).__sizeof__():>8}")
        print(f"{n:<3}" + " | ".join(row))


if __name__ == "__main__":
    main()
