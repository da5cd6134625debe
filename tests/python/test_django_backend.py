"""The Django backend beyond what Django's own suite checks (tests/django runs that)."""

from __future__ import annotations

import asyncio
import inspect
import pickle

import pytest
from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache

from polycache.django import PolyCache


def backend(location: str, **params) -> PolyCache:
    return PolyCache(location, params)


def test_instances_with_one_location_share_one_store():
    a = backend("share", KEY_PREFIX="")
    b = backend("share", OPTIONS={"MAX_ENTRIES": 50})
    other = backend("share-other")
    a.set("k", 1)
    assert b.get("k") == 1
    assert other.get("k") is None
    b.clear()
    assert a.get("k") is None


def test_each_instance_keeps_its_own_bounds_on_the_shared_store():
    big = backend("bounds", OPTIONS={"MAX_ENTRIES": 1000})
    small = backend("bounds", OPTIONS={"MAX_ENTRIES": 30})
    for i in range(100):
        big.set(f"k{i}", i)
    assert len(big.keys()) == 100
    small.set("one-more", 1)
    assert len(small.keys()) <= 30


def test_prefix_and_version_are_part_of_the_key():
    v1 = backend("versions", KEY_PREFIX="site")
    v2 = backend("versions", KEY_PREFIX="site", VERSION=2)
    v1.set("k", "one")
    assert v2.get("k") is None
    assert v2.get("k", version=1) == "one"
    assert v1.keys() == ["k"]
    assert v2.keys(version=1) == ["k"] and v2.keys() == []
    assert v1.incr_version("k") == 2
    assert v2.get("k") == "one"


def test_key_func_prefix_version_are_read_on_each_call():
    c = backend("rekey")
    c.set("k", 1)
    c.key_prefix = "p"
    assert c.get("k") is None and c.make_key("k") == "p:1:k"
    c.key_prefix = ""
    c.key_func = lambda key, prefix, version: f"custom/{key}"
    c.set("k", 2)
    assert c.get("k") == 2
    assert "custom/k" in c.keys()
    c.version = 3
    assert c.get("k") == 2, "the custom key function ignores the version"
    assert c.get("k", version=1) == 2


def test_subclass_overriding_make_key_is_honoured():
    class Upper(PolyCache):
        def make_key(self, key, version=None):
            return super().make_key(key, version).upper()

    c = Upper("subclass", {})
    c.set("abc", 1)
    assert c.get("ABC") == 1, "both spell :1:ABC"
    assert c.keys() == [":1:ABC"]
    assert c.delete_pattern("*ABC") == 1
    assert c.get("abc") is None


def test_default_timeout_setting_and_runtime_change():
    c = backend("timeouts", TIMEOUT=None)
    c.set("k", 1)
    assert c.ttl("k") is None
    c.default_timeout = 60
    c.set("k", 1)
    assert 59 < c.ttl("k") <= 60
    c.set("k", 1, DEFAULT_TIMEOUT)
    assert 59 < c.ttl("k") <= 60


def test_django_redis_extras():
    c = backend("extras", KEY_PREFIX="x")
    for k in ("user:1", "user:2", "post:1"):
        c.set(k, k, 100)
    assert sorted(c.keys("user:*")) == ["user:1", "user:2"]
    assert sorted(c.iter_keys("*:1")) == ["post:1", "user:1"]
    assert 99 < c.ttl("post:1") <= 100
    assert c.persist("post:1") is True and c.ttl("post:1") is None
    assert c.expire("post:1", 5) is True and 4 < c.ttl("post:1") <= 5
    assert c.ttl("absent") == 0
    assert c.delete_pattern("user:*") == 2
    assert c.keys() == ["post:1"]


def test_namespaces_and_stats():
    c = backend("ns", KEY_PREFIX="site")
    books = c.namespace("books")
    books.set("list:1", [1, 2])
    assert books.get("list:1") == [1, 2]
    books.invalidate()
    assert books.get("list:1") is None
    s = c.stats()
    assert s["hits"] >= 1 and s["misses"] >= 1
    assert set(s) == {"hits", "misses", "hit_ratio", "sets", "deletes", "evictions", "expirations", "entries", "bytes", "namespaces"}


def test_eviction_lru_and_max_bytes_options():
    c = backend("lru-bytes", OPTIONS={"EVICTION": "lru", "MAX_ENTRIES": 3, "MAX_BYTES": 10_000})
    for k in "abcd":
        c.set(k, k)
    assert sorted(c.keys()) == ["b", "c", "d"]
    assert c._n.eviction == "lru" and c._n.max_bytes == 10_000


def test_runtime_max_entries_and_cull_frequency():
    c = backend("runtime", OPTIONS={"MAX_ENTRIES": 100})
    for i in range(50):
        c.set(i, i)
    c._max_entries = 10
    c.set("new", 1)
    assert len(c.keys()) <= 10
    c._cull_frequency = 0
    assert c._n.cull_frequency == 0
    c._max_entries = -1  # Django's own suite does this to cull on every new key
    c.set("again", 1)
    assert c.keys() == ["again"]


ASYNC_TWINS = [name for name in dir(BaseCache) if name.startswith("a") and inspect.iscoroutinefunction(getattr(BaseCache, name))]


def test_every_async_twin_is_overridden():
    assert len(ASYNC_TWINS) >= 16
    for name in ASYNC_TWINS:
        assert getattr(PolyCache, name) is not getattr(BaseCache, name), name


def test_async_twins_call_the_sync_methods_directly():
    c = backend("async")

    async def scenario():
        await c.aset("k", 1)
        assert await c.aget("k") == 1
        assert await c.aadd("k", 2) is False
        assert await c.aincr("k", 5) == 6
        assert await c.adecr("k") == 5
        assert await c.ahas_key("k")
        assert await c.atouch("k", 10)
        await c.aset_many({"a": 1, "b": 2})
        assert await c.aget_many(["a", "b"]) == {"a": 1, "b": 2}
        await c.adelete_many(["a"])
        assert await c.aget_or_set("z", "zz") == "zz"
        assert await c.aincr_version("z") == 2
        assert await c.adecr_version("z", version=2) == 1
        assert await c.adelete("k") is True
        await c.aclear()
        await c.aclose()
        assert await c.aget("b") is None

    asyncio.run(scenario())


def test_get_many_is_the_backends_own():
    c = backend("func")
    assert c.get_many.__func__ is PolyCache.get_many


def test_unpicklable_values_raise_pickle_error():
    class Unpicklable:
        def __getstate__(self):
            raise pickle.PickleError("no")

    c = backend("pickle")
    c.set("k", "old")
    with pytest.raises(pickle.PickleError):
        c.set("k", Unpicklable())
    assert c.get("k") == "old"


def test_hot_methods_are_native_yet_overridable_and_mockable():
    from unittest import mock

    from polycache import _native

    assert PolyCache.get is _native.DjangoBackend.get
    assert isinstance(backend("mro"), BaseCache)

    class Logged(PolyCache):
        seen: list = []

        def get(self, key, default=None, version=None):
            self.seen.append(key)
            return super().get(key, default, version)

    c = Logged("mro", {})
    c.set("k", 1)
    assert c.get("k") == 1 and Logged.seen == ["k"]
    with mock.patch.object(PolyCache, "get", return_value="mocked"):
        assert backend("mro").get("k") == "mocked"
    assert backend("mro").get("k") == 1


# LocMemCacheTests' own checks (Django's suite runs them on LocMemCache only), on PolyCache.


def lru_backend(location: str) -> PolyCache:
    return backend(location, OPTIONS={"MAX_ENTRIES": 9})


def test_lru_get_moves_keys():
    c = lru_backend("lru-get")
    for key in range(9):
        c.set(key, key, timeout=None)
    for key in range(6):
        assert c.get(key) == key
    c.set(9, 9, timeout=None)
    assert [c.get(k) for k in range(6)] == list(range(6))
    assert [c.get(k) for k in range(6, 9)] == [None] * 3
    assert c.get(9) == 9


def test_lru_set_moves_keys():
    c = lru_backend("lru-set")
    for key in range(9):
        c.set(key, key, timeout=None)
    for key in range(3, 9):
        c.set(key, key, timeout=None)
    c.set(9, 9, timeout=None)
    assert [c.get(k) for k in range(3, 10)] == list(range(3, 10))
    assert [c.get(k) for k in range(3)] == [None] * 3


def test_lru_incr_moves_keys():
    c = lru_backend("lru-incr")
    for key in range(9):
        c.set(key, key, timeout=None)
    for key in range(6):
        assert c.incr(key) == key + 1
    c.set(9, 9, timeout=None)
    assert [c.get(k) for k in range(6)] == [k + 1 for k in range(6)]
    assert [c.get(k) for k in range(6, 9)] == [None] * 3


def test_incr_decr_keep_the_expiry():
    c = backend("incr-expiry")
    c.set("n", 1, timeout=3000)
    before = c.ttl("n")
    assert c.incr("n") == 2 and c.decr("n") == 1
    assert before - 1 < c.ttl("n") <= before


class UsesCache:
    """Uses the cache while being pickled and unpickled."""

    cache: PolyCache

    def __getstate__(self):
        c = UsesCache.cache
        c.set("dumps", c.get("dumps", 0) + 1)
        return {}

    def __setstate__(self, state):
        UsesCache.cache.incr("loads")


def test_pickling_runs_outside_the_lock():
    # If (un)pickling ran under the store's lock, these would deadlock: the lock is not
    # re-entrant.
    c = UsesCache.cache = backend("pickle-lock")
    c.set("loads", 0)
    c.set("set", UsesCache())
    assert c.add("add", UsesCache()) is True
    assert c.set_many({"m": UsesCache()}) == []
    assert c.get("dumps") == 3
    assert isinstance(c.get("set"), UsesCache)
    c.get_many(["add", "m"])
    assert c.get("loads") == 3


def test_key_function_may_use_the_cache():
    c = backend("keyfunc-lock")

    def key_func(key, prefix, version):
        c.__dict__.setdefault("calls", 0)
        c.__dict__["calls"] += 1
        return f"{prefix}:{version}:{key}"

    c.key_func = key_func
    c.set("k", 1)
    assert c.get("k") == 1 and c.__dict__["calls"] == 2


def test_a_copy_shares_the_store():
    import copy

    c = backend("copy")
    c.set("k", 1)
    d = copy.copy(c)
    assert d.get("k") == 1
    d.set("k", 2)
    assert c.get("k") == 2
