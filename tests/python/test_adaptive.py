"""eviction="adaptive" from Python: polycache.Cache, the Django backend beside Django's
LocMemCache, and TieredCache's tier 1. The policy's exact decisions are pinned by
tests/vectors/adaptive.json (test_vectors.py); here, what a user sees."""

from __future__ import annotations

import pytest
from django.core.cache.backends.locmem import LocMemCache

import polycache
from polycache.django import PolyCache
from polycache.tiered import _options

HOT = [f"hot:{i}" for i in range(60)]


def warm_then_scan(cache) -> int:
    """Reads 60 hot keys many times (storing them on a miss), then 1,000 keys once each;
    how many hot keys the cache still holds."""
    def access(key):
        if cache.get(key) is None:
            cache.set(key, key)

    for _ in range(20):
        for k in HOT:
            access(k)
    for i in range(1_000):
        access(f"scan:{i}")
    return sum(cache.get(k) is not None for k in HOT)


def test_plain_cache_keeps_its_hot_set_through_a_scan_where_lru_does_not():
    assert warm_then_scan(polycache.Cache(100, eviction="lru")) == 0
    assert warm_then_scan(polycache.Cache(100, eviction="adaptive")) >= 57
    c = polycache.Cache(100, eviction="adaptive")
    assert c.eviction == "adaptive" and c.cull_frequency is None


def test_adaptive_is_the_default_of_cache_not_of_the_django_backend():
    default = polycache.Cache(100)
    assert default.eviction == "adaptive"
    assert warm_then_scan(default) >= 57
    django_default = PolyCache("adaptive-default", {"OPTIONS": {"MAX_ENTRIES": 100}})
    assert django_default._n.eviction == "cull"


def test_django_option_beside_locmemcache():
    locmem = LocMemCache("adaptive-peer", {"OPTIONS": {"MAX_ENTRIES": 100}})
    ours = PolyCache("adaptive-django", {"OPTIONS": {"MAX_ENTRIES": 100, "EVICTION": "adaptive"}})
    assert ours._n.eviction == "adaptive"
    assert warm_then_scan(locmem) <= 10, "Django's cull loses the hot set to a scan"
    assert warm_then_scan(ours) >= 57
    assert len(ours.keys()) <= 100


def test_django_rejects_an_unknown_eviction_naming_the_choices():
    with pytest.raises(ValueError, match='"cull", "lru" or "adaptive"'):
        PolyCache("adaptive-bad", {"OPTIONS": {"EVICTION": "arc"}})


def test_adaptive_keeps_byte_bound_ttl_and_incr():
    c = polycache.Cache(100, max_bytes=2_000, eviction="adaptive")
    for i in range(200):
        c.set(f"k{i}", "x" * 50)
        assert c.stats()["bytes"] <= 2_000
    c.set("n", 1, timeout=None)
    assert c.incr("n", 2) == 3
    c.set("gone", 1, timeout=0)
    assert c.get("gone") is None


def test_tiered_tier1_eviction_option():
    assert _options({"OPTIONS": {"EVICTION": "adaptive"}})["EVICTION"] == "adaptive"
    assert _options({})["EVICTION"] == "lru"
    with pytest.raises(ValueError, match="EVICTION"):
        _options({"OPTIONS": {"EVICTION": "cull"}})
