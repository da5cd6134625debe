"""Values the Python benchmarks store (bench/python_bench.py, bench/django_cost.py).

The ~200-byte rows of the memory bench are a dict of an int, a 120-character str, a list
of two str and a short str, as a DRF serializer gives for one small model. Fresh objects on
every call, as rows read from a database are: a cache that keeps the caller's strings
(values="copy") must pay for each entry's own."""
from __future__ import annotations

import random

WORDS = "the quick brown fox jumps over a lazy dog while seven tired wizards brew strange potions".split()


def row(i: int) -> dict:
    """The title is one sentence rotated: rows that share most of their text."""
    title = " ".join(WORDS[(i * 7 + j) % len(WORDS)] for j in range(24))[:120]
    return {"id": i, "title": title, "tags": ["a", "b"], "price": f"{i % 100}.50"}


_vocab_rng = random.Random(7)
VOCABULARY = ["".join(_vocab_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_vocab_rng.randint(2, 10)))
              for _ in range(5000)]


def _draws(i: int):
    """Pseudo-random numbers from `i` (a 64-bit LCG): no `random.Random` per row, whose
    2.5 KB state would be allocated and freed between the cache's own allocations."""
    x = i
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) % 2**64
        yield x >> 33


def varied_row(i: int) -> dict:
    """The same fields, with words drawn at random from 5,000 made-up ones: rows that share
    their structure but little of their text."""
    d = _draws(i)
    title = " ".join(VOCABULARY[next(d) % 5000] for _ in range(24))[:120]
    return {"id": next(d) % 10**6, "title": title, "tags": [VOCABULARY[next(d) % 5000], VOCABULARY[next(d) % 5000]],
            "price": f"{next(d) % 1000}.{next(d) % 100:02d}"}


def drf_value() -> list:
    """About 1 KB pickled: what a DRF list serializer returns for a small page."""
    return [
        {"id": i, "title": f"Book number {i}", "author": {"id": i % 7, "name": "A. Writer"},
         "price": "12.50", "tags": ["fiction", "classic"], "in_stock": i % 2 == 0}
        for i in range(8)
    ]


def small_int(i: int) -> int:
    """An int the store keeps as a Rust integer: what an entry costs beside its value."""
    return i


ROWS = {"rows": row, "varied": varied_row, "ints": small_int}
