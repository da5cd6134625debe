"""The plain Python API, `polycache.Cache`, without Django."""

from __future__ import annotations

import pytest

import polycache
from polycache import DEFAULT_TIMEOUT, Cache


def test_get_set_delete_and_defaults():
    c = Cache(100)
    assert c.get("missing") is None
    assert c.get("missing", "dflt") == "dflt"
    c.set("a", "x")
    assert c.get("a") == "x"
    assert "a" in c and c.has_key("a")
    assert c.delete("a") is True
    assert c.delete("a") is False
    assert "a" not in c


def test_add_only_when_missing():
    c = Cache()
    assert c.add("k", 1) is True
    assert c.add("k", 2) is False
    assert c.get("k") == 1


def test_incr_decr_keep_the_value_an_int():
    c = Cache()
    c.set("n", 41)
    assert c.incr("n") == 42
    assert c.incr("n", 10) == 52
    assert c.decr("n", 2) == 50
    assert c.get("n") == 50
    with pytest.raises(ValueError, match="Key 'nope' not found"):
        c.incr("nope")
    c.set("s", "text")
    with pytest.raises(TypeError):
        c.incr("s")
    # Python's integers, as LocMemCache (tests/python/test_habits.py compares them).
    c.set("big", 2**63 - 1)
    assert c.incr("big") == 2**63 and c.get("big") == 2**63
    c.set("huge", 2**64)
    assert c.incr("huge") == 2**64 + 1 and c.get("huge") == 2**64 + 1


def test_timeouts_follow_django(clock):
    c = Cache(default_timeout=10, clock=clock)
    c.set("default", 1)
    c.set("short", 1, 1.5)
    c.set("forever", 1, None)
    c.set("zero", 1, 0)
    c.set("negative", 1, -5)
    assert c.get("zero") is None and c.get("negative") is None
    assert c.ttl("short") == pytest.approx(1.5)
    assert c.ttl("forever") is None
    assert c.ttl("default") == pytest.approx(10)
    assert c.ttl("absent") == 0
    clock.advance(1.499)
    assert c.get("short") == 1
    clock.advance(0.002)
    assert c.get("short") is None
    clock.advance(8.5)
    assert c.get("default") is None
    assert c.get("forever") == 1
    assert c.default_timeout == 10


def test_explicit_default_timeout_marker(clock):
    c = Cache(default_timeout=5, clock=clock)
    c.set("a", 1, DEFAULT_TIMEOUT)
    assert c.ttl("a") == pytest.approx(5)
    assert Cache().default_timeout == 300


def test_touch_expire_persist(clock):
    c = Cache(clock=clock)
    c.set("a", 1, 1)
    assert c.touch("a", 10) is True
    clock.advance(5)
    assert c.get("a") == 1
    assert c.persist("a") is True
    assert c.ttl("a") is None
    assert c.expire("a", 2) is True
    clock.advance(2)
    assert c.get("a") is None
    assert c.touch("a") is False
    assert c.expire("nope", 1) is False
    assert c.persist("nope") is False
    c.set("b", 1)
    assert c.touch("b", 0) is True
    assert c.get("b") is None


def test_get_many_set_many_delete_many():
    c = Cache()
    assert c.set_many({"a": 1, "b": [2], "c": "3"}) == []
    assert c.get_many(["a", "b", "zz"]) == {"a": 1, "b": [2]}
    assert c.delete_many(["a", "zz"]) == 1
    assert c.get_many(iter(["a", "c"])) == {"c": "3"}


def test_get_or_set_calls_a_callable_once():
    c = Cache()
    calls = []

    def make():
        calls.append(1)
        return "made"

    assert c.get_or_set("k", make) == "made"
    assert c.get_or_set("k", make) == "made"
    assert calls == [1]
    assert c.get_or_set("none", None) is None
    assert "none" in c


def test_lru_evicts_least_recently_used():
    c = Cache(3, eviction="lru")
    for k in "abc":
        c.set(k, k)
    c.get("a")
    c.set("d", "d")
    assert c.keys() == ["d", "a", "c"]
    assert c.stats()["evictions"] == 1


def test_django_cull_mode():
    c = Cache(30, eviction="cull", cull_frequency=3)
    for i in range(1, 50):
        c.set(f"cull{i}", "v")
    assert len(c.keys()) == 29
    assert c.cull_frequency == 3 and c.eviction == "cull"


def test_keys_patterns_and_delete_pattern():
    c = Cache()
    for k in ("user:1", "user:2", "post:1"):
        c.set(k, 1)
    assert sorted(c.keys("user:*")) == ["user:1", "user:2"]
    assert sorted(c.iter_keys("*:1")) == ["post:1", "user:1"]
    assert c.delete_pattern("user:?") == 2
    assert c.keys() == ["post:1"]


def test_namespaces_invalidate_in_one_step():
    c = Cache()
    books = c.namespace("books")
    authors = c.namespace("authors")
    for i in range(1000):
        books.set(f"b{i}", i)
    authors.set("a", 1)
    assert books.get("b7") == 7 and "b7" in books
    assert books.generation == 1
    assert books.invalidate() == 2
    assert books.get("b7") is None
    assert authors.get("a") == 1, "other namespaces are untouched"
    books.set("b7", "new")
    assert books.get("b7") == "new"
    assert c.namespace("books").get("b7") == "new"
    assert c.generation("books") == 2
    c.clear()
    assert c.generation("books") == 2, "generations survive clear()"
    assert books.add("x", 1) and books.incr("x", 2) == 3 and books.decr("x") == 2
    assert books.touch("x", None) and books.ttl("x") is None
    assert books.delete("x") and not books.has_key("x")
    assert books.name == "books" and "books" in repr(books)


def test_namespace_keys_cannot_collide_with_plain_keys():
    c = Cache()
    ns = c.namespace("a|b")
    ns.set("k", "ns")
    c.set("a|b|1|k", "plain")
    assert ns.get("k") == "ns"


def test_stats_add_up():
    c = Cache(2)
    c.set("a", 1)
    c.set("b", 2)
    c.get("a")
    c.get("zz")
    c.set("c", 3)
    c.delete("a")
    s = c.stats()
    assert (s["hits"], s["misses"], s["sets"], s["deletes"], s["evictions"]) == (1, 1, 3, 1, 1)
    assert s["entries"] == 1 and s["hit_ratio"] == 0.5
    assert s["bytes"] == polycache.entry_charge(1, 8)


def test_byte_bound_is_never_passed():
    c = Cache(1000, max_bytes=1000)
    for i in range(100):
        c.set(f"k{i}", "x" * 50)
        assert c.stats()["bytes"] <= 1000
    assert 0 < len(c) < 100


def test_runtime_bounds():
    c = Cache(10)
    for i in range(10):
        c.set(str(i), i)
    c.set_max_entries(5)
    c.set("new", 1)
    assert len(c) == 5 and c.max_entries == 5
    c.set_max_bytes(500)
    assert c.max_bytes == 500
    c.set_max_bytes(None)
    assert c.max_bytes is None
    c.set_cull_frequency(0)
    assert c.eviction == "cull"


def test_clear_and_len_and_repr():
    c = Cache()
    c.set("a", 1)
    assert len(c) == 1
    assert "1 entries" in repr(c)
    c.clear()
    assert len(c) == 0 and c.get("a") is None
    assert c.purge_expired() == 0


def test_purge_expired(clock):
    c = Cache(clock=clock)
    c.set("a", 1, 1)
    c.set("b", 1, None)
    clock.advance(2)
    assert c.purge_expired() == 1
    assert len(c) == 1


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_failing_clock_falls_back_to_system_time():
    def broken():
        raise RuntimeError("no time")

    c = Cache(clock=broken)
    c.set("a", 1, 60)
    assert c.get("a") == 1


def test_subclass_is_a_native_cache():
    assert issubclass(Cache, polycache._native.Cache)
    assert isinstance(Cache(), polycache._native.Cache)


def test_long_text_values_are_not_doubled_in_memory():
    import sys

    text = "é" * 10_000  # CPython would cache a UTF-8 copy inside it if asked for one
    before = sys.getsizeof(text)
    c = Cache()
    c.set("k", text)
    assert sys.getsizeof(text) == before
