"""Bounds that hold whatever the values and names: MAX_BYTES charges what a value takes
in memory, and the namespace generation table stays bounded without ever bringing an
invalidated key back."""

import sys

import pytest

import polycache
from polycache import Cache


def charged(value):
    c = Cache()
    c.set("k", value)
    return c.stats()["bytes"] - polycache.entry_charge(1, 0)


@pytest.mark.parametrize(
    "value",
    [2**64, 2**1000, -(2**200), "abc", "x" * 5000, b"\x00" * 77, 1.5],
    ids=lambda v: f"{type(v).__name__}-{sys.getsizeof(v)}",
)
def test_a_value_is_charged_what_it_takes(value):
    assert charged(value) == sys.getsizeof(value)


def with_utf8_copy(text):
    """A copy of `text` holding the UTF-8 copy CPython caches once asked (pickle asks)."""
    import pickle

    copy = "".join(list(text))
    pickle.dumps([copy])
    return copy


@pytest.mark.parametrize(
    "text",
    [
        "é" * 10,
        "€" * 1000,  # 2 bytes a character in CPython, 3 in UTF-8
        "😀" * 1000,  # 4 bytes a character in CPython and in UTF-8
        "x" * 999 + "😀",  # one wide character widens the whole string
    ],
    ids=lambda t: f"{t[:3]!r}x{len(t)}",
)
def test_a_wide_str_is_charged_what_it_may_come_to_take(text):
    worst = sys.getsizeof(with_utf8_copy(text))
    assert worst > sys.getsizeof(text), "the UTF-8 copy takes room"
    assert worst <= charged(text) <= worst + 3 * len(text)


def test_small_ints_and_constants_are_charged_8():
    for value in (0, 2**63 - 1, -(2**63), True, None):
        assert charged(value) == 8, value


@pytest.mark.parametrize("value, values", [({"a": {1, 2, 3}}, "copy"), ({"a": [1, 2, 3]}, "pickle")],
                         ids=["a set (not JSON-like)", "JSON-like, values=pickle"])
def test_a_pickled_value_is_charged_its_pickle_object(value, values):
    import pickle

    c = Cache(values=values)
    c.set("k", value)
    charged = c.stats()["bytes"] - polycache.entry_charge(1, 0)
    assert charged == sys.getsizeof(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def test_max_bytes_bounds_the_memory_of_wide_strings_and_big_ints():
    limit = 64 << 10
    c = Cache(100_000, max_bytes=limit)
    values = ["😀" * 200 + str(i) for i in range(500)] + [2**4000 + i for i in range(500)]
    for i, v in enumerate(values):
        c.set(f"k{i}", v)
    held = [c.get(f"k{i}") for i in range(len(values))]
    # Each str counted with the UTF-8 copy it may come to hold.
    real = sum(sys.getsizeof(with_utf8_copy(v) if isinstance(v, str) else v) for v in held if v is not None)
    assert 0 < real <= limit


@pytest.mark.parametrize("text", ["é" * 10, "é" * 10_000, "😀" * 30, "ascii only"])
def test_dump_and_set_leave_no_utf8_copy_in_stored_strings(text):
    # sys.getsizeof counts the UTF-8 copy CPython caches inside a str once asked for one.
    text = "".join(list(text))  # a fresh object: the literal is shared with other tests
    before = sys.getsizeof(text)
    c = Cache()
    c.set("k", text)
    c.set("d", {"nested": "text"})  # pickled: dump reads it back to write it as JSON
    c.dump()
    assert sys.getsizeof(text) == before


def test_namespace_generations_stay_bounded_under_churn():
    c = Cache(300, max_bytes=64 << 10)
    for i in range(200_000):
        c.invalidate(f"user:{i}")
        if i % 7 == 0:
            c.namespace(f"reader:{i}").get("k")
    assert c.stats()["namespaces"] <= 300


def test_a_forgotten_namespace_never_brings_its_old_keys_back():
    c = Cache(100_000)
    victim = c.namespace("victim")
    victim.set("k", "old")
    assert victim.invalidate() == 2
    seen = []
    for i in range(300_000):  # far more names than the table keeps rows
        c.invalidate(f"user:{i}")
        if i % 50_000 == 0:
            seen.append(victim.generation)
    assert seen == sorted(seen) and seen[0] >= 2, seen
    assert victim.get("k") is None
    victim.set("k", "new")
    assert victim.get("k") == "new"
    # A snapshot carries the floor: the old key stays dead in the cache that loads it.
    data = c.dump()
    fresh = Cache(100_000)
    fresh.load(data, allow_unsigned=True)
    assert fresh.namespace("victim").generation >= victim.generation
    assert fresh.namespace("victim").get("k") == "new"
