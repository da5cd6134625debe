"""The native code neither leaks nor steals references: after many calls, every object
it was handed has the reference count it started with."""

from __future__ import annotations

import gc
import sys

from polycache import DEFAULT_TIMEOUT, Cache
from polycache.django import PolyCache

ROUNDS = 200


def counts(*objs):
    gc.collect()
    return [sys.getrefcount(o) for o in objs]


def test_plain_cache_keeps_reference_counts_stable():
    c = Cache(10)
    key, text, default, obj = "refcount-key", "".join(["refcount value "] * 10), object(), ("tuple", 1)
    c.set(key, text)  # the cache holds one reference to the text, the namespace another
    c.namespace("ns").set(key, text)
    c.set("o", obj)  # a tuple of leaves is immutable all the way down: the cache shares it
    before = counts(key, text, default, obj, DEFAULT_TIMEOUT)
    for i in range(ROUNDS):
        c.set(key, text, 300)
        c.set(key, text, DEFAULT_TIMEOUT)
        c.get(key)
        c.get("missing", default)
        c.add(key, text)
        c.set("o", obj)
        c.get("o")
        c.get_many([key, "o", "missing"])
        c.set_many({key: text})
        c.has_key(key)
        c.touch(key, None)
        c.ttl(key)
        c.namespace("ns").set(key, text)
        c.namespace("ns").get(key, default)
        c.get_or_set("gos", default)
        c.delete("gos")
    assert counts(key, text, default, obj, DEFAULT_TIMEOUT) == before


def test_django_backend_keeps_reference_counts_stable():
    c = PolyCache("refcounts", {"OPTIONS": {"MAX_ENTRIES": 10}})
    key, text, default = "refcount-key", "".join(["value "] * 20), object()
    c.set(key, text)
    before = counts(key, text, default)
    for i in range(ROUNDS):
        c.set(key, text)
        c.get(key)
        c.get("missing", default)
        c.add(key, text)
        c.get_many([key])
        c.incr_version(key)
        c.decr_version(key, version=2)
        c.set(i, text)  # a non-str key, formatted as Django does
        c.delete(i)
    assert counts(key, text, default) == before


def test_evicted_values_are_released():
    c = Cache(2)
    big = "".join(["x y"] * 300)  # built at run time: not interned, so not immortal (3.12+)
    start = sys.getrefcount(big)
    for i in range(100):
        c.set(f"k{i}", big)
    assert sys.getrefcount(big) == start + 2, "only the two live entries hold it"
    c.clear()
    assert sys.getrefcount(big) == start
