"""Bad input: a clear error (or Django's own behaviour where Django defines one), and
the cache keeps what it had."""

from __future__ import annotations

import math
import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning

import polycache
from polycache import Cache, InvalidConfigError, InvalidTimeoutError, ValueTooLargeError
from polycache.django import PolyCache


def backend(location: str, **options) -> PolyCache:
    return PolyCache(location, {"OPTIONS": options})


@pytest.mark.parametrize("key", [1, 1.5, None, b"bytes", ("t",), object()])
def test_plain_cache_keys_must_be_str(key):
    c = Cache()
    for op in (lambda: c.get(key), lambda: c.set(key, 1), lambda: c.delete(key), lambda: c.has_key(key)):
        with pytest.raises(TypeError, match="cache keys must be str"):
            op()
    assert len(c) == 0


def test_django_formats_non_str_keys_as_its_default_key_function_does():
    cache = backend("bad-nonstr")
    cache.set(42, "int key")
    with pytest.warns(CacheKeyWarning):  # ":1:('a', 1)" has a space
        cache.set(("a", 1), "tuple key")
    assert cache.get(42) == "int key"
    assert cache.get("42") == "int key", "Django formats keys with %s"
    with pytest.warns(CacheKeyWarning):
        assert cache.get(("a", 1)) == "tuple key"
    assert cache.make_key(42) == ":1:42"


def test_long_keys_warn_with_djangos_cache_key_warning():
    cache = backend("bad-long")
    key = "k" * 251
    with pytest.warns(CacheKeyWarning, match="longer than 250"):
        cache.set(key, 1)
    with pytest.warns(CacheKeyWarning):
        assert cache.get(key) == 1
    with pytest.warns(CacheKeyWarning, match="characters that will cause errors"):
        cache.set("has space", 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cache.set("k" * 240, 1)  # ":1:" + 240 characters: no warning


def test_key_warning_as_error_leaves_the_cache_unchanged():
    cache = backend("bad-warn-error")
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        with pytest.raises(CacheKeyWarning):
            cache.set("bad key", 1)
    assert cache.keys() == []


def test_plain_cache_long_keys_are_fine():
    c = Cache()
    c.set("k" * 10_000, 1)
    assert c.get("k" * 10_000) == 1


@pytest.mark.parametrize("timeout", [math.nan, float("nan")])
def test_nan_timeout_is_a_clear_error(timeout):
    c = Cache()
    c.set("k", "old")
    with pytest.raises(InvalidTimeoutError, match="NaN"):
        c.set("k", "new", timeout)
    with pytest.raises(ValueError):
        c.add("other", 1, timeout)
    with pytest.raises(ValueError):
        c.touch("k", timeout)
    assert c.get("k") == "old" and "other" not in c
    cache = backend("bad-nan")
    with pytest.raises(ValueError):
        cache.set("k", 1, timeout)


@pytest.mark.parametrize("timeout", [-1, -0.001, -(10**400), float("-inf"), 0])
def test_zero_and_negative_timeouts_are_already_expired(timeout):
    c = Cache()
    c.set("k", "old")
    c.set("k", "new", timeout)
    assert c.get("k") is None
    assert c.add("k2", 1, timeout) is True, "Django: add with a past timeout answers True"
    assert "k2" not in c


@pytest.mark.parametrize("timeout", [10**400, 1e300, float("inf"), 2**63])
def test_huge_timeouts_never_expire(timeout):
    c = Cache()
    c.set("k", 1, timeout)
    assert c.get("k") == 1
    assert c.ttl("k") is None


@pytest.mark.parametrize("timeout", ["10", [1], object()])
def test_timeout_of_the_wrong_type_is_a_type_error(timeout):
    c = Cache()
    with pytest.raises(TypeError, match="timeout must be"):
        c.set("k", 1, timeout)
    assert "k" not in c


@pytest.mark.parametrize("n", [0, -1, -300])
def test_max_entries_below_one_is_a_value_error(n):
    with pytest.raises(ValueError, match="MAX_ENTRIES must be at least 1"):
        backend("bad-max", MAX_ENTRIES=n)
    with pytest.raises(InvalidConfigError):
        Cache(n)


def test_unparsable_max_entries_falls_back_to_djangos_default():
    # BaseCache turns MAX_ENTRIES it cannot read into 300, for every Django backend.
    assert backend("bad-max-str", MAX_ENTRIES="lots")._n.max_entries == 300


@pytest.mark.parametrize("n", [-1, -3])
def test_negative_cull_frequency_is_a_value_error(n):
    with pytest.raises(ValueError, match="CULL_FREQUENCY"):
        backend("bad-cull", CULL_FREQUENCY=n)
    with pytest.raises(InvalidConfigError):
        Cache(eviction="cull", cull_frequency=n)


def test_cull_frequency_one_and_zero_are_djangos():
    one = backend("cull-one", MAX_ENTRIES=4, CULL_FREQUENCY=1)
    for i in range(5):
        one.set(i, i)
    assert len(one.keys()) == 1, "frequency 1 culls everything, then stores the new key"
    zero = backend("cull-zero", MAX_ENTRIES=4, CULL_FREQUENCY=0)
    for i in range(5):
        zero.set(i, i)
    assert len(zero.keys()) == 1


@pytest.mark.parametrize("value", [0, -5, "big", 1.5, True])
def test_bad_max_bytes(value):
    with pytest.raises(ValueError, match="MAX_BYTES"):
        backend("bad-bytes", MAX_BYTES=value)


def test_bad_eviction():
    with pytest.raises(ValueError, match="EVICTION"):
        backend("bad-eviction", EVICTION="fifo")
    with pytest.raises(InvalidConfigError):
        Cache(eviction="fifo")


def test_value_over_max_bytes_is_refused_and_the_cache_keeps_what_it_had():
    c = Cache(max_bytes=200)
    c.set("k", "small")
    with pytest.raises(ValueTooLargeError, match="'k'|\"k\""):
        c.set("k", "x" * 500)
    assert c.get("k") == "small"
    with pytest.raises(ValueError):
        c.add("new", b"x" * 500)
    assert "new" not in c
    assert c.set_many({"a": 1, "big": "x" * 500}) == ["big"]
    assert c.get("a") == 1 and "big" not in c
    cache = backend("bad-too-large", MAX_BYTES=300)
    cache.set("k", "small")
    with pytest.raises(ValueError):
        cache.set("k", list(range(1000)))
    assert cache.get("k") == "small"


def test_delta_must_be_an_int():
    c = Cache()
    c.set("n", 1)
    with pytest.raises(TypeError):
        c.incr("n", 1.5)
    with pytest.raises(TypeError):
        c.decr("n", "1")
    assert c.get("n") == 1


def test_version_must_be_an_int():
    with pytest.raises(ValueError, match="VERSION"):
        PolyCache("bad-version", {"VERSION": "2"})
    with pytest.raises(ValueError, match="KEY_PREFIX"):
        PolyCache("bad-prefix", {"KEY_PREFIX": 5})


def test_key_warnings_match_the_core():
    assert polycache.key_warnings("x" * 251) == ["too_long"]
    assert polycache.key_warnings("a b") == ["forbidden_character"]


@pytest.mark.parametrize("option", ["MAX_ENTRIES", "CULL_FREQUENCY", "MAX_BYTES"])
def test_huge_bounds_mean_unbounded(option):
    cache = backend("huge-" + option, **{option: 10**30})
    cache.set("k", "v")
    assert cache.get("k") == "v"
