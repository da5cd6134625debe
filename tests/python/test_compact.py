"""values="compact" (Django: VALUES: "compact"): JSON-like values kept in polycache's own
encoding (bindings-python/src/compact.rs), rebuilt on every read. What a reader gets must
be what LocMemCache gives, side by side (the same values, types and aliasing: anything the
encoding cannot give back exactly is pickled); it must be isolated from the caller; it
must take less than the pickle; snapshots carry it as JSON, so other bindings read it."""

from __future__ import annotations

import pickle
import sys

import pytest
from hypothesis import given, settings as hsettings, strategies as st

import polycache
from polycache import Cache
from polycache.django import PolyCache

import test_snapshot
import test_tree
from test_tree import VALUES, same_in_both


@pytest.fixture
def compact(monkeypatch):
    monkeypatch.setitem(test_tree.VALUES_MODE, "mode", "compact")


@pytest.mark.parametrize("name", list(VALUES))
def test_a_value_reads_back_as_locmemcache_gives_it(name, compact):
    got = same_in_both(VALUES[name])
    assert got == VALUES[name] or name == "lone surrogate"


def test_aliasing_and_cycles_read_back_as_pickle_gives_them(compact):
    test_tree.test_aliasing_and_cycles_are_kept_as_pickle_keeps_them()
    test_tree.test_containers_reached_twice_without_a_second_reference_keep_their_aliasing()
    leaf_tuple = ("a", 1)
    got = same_in_both([leaf_tuple, {"again": leaf_tuple}])
    assert got[0] is got[1]["again"]


@hsettings(max_examples=300, deadline=None)
@given(st.recursive(test_tree.leaves, test_tree.trees, max_leaves=30), st.booleans())
def test_random_values_read_back_as_locmemcache_gives_them(value, alias):
    test_tree.VALUES_MODE["mode"] = "compact"
    try:
        if alias:
            value = [value, value, {"again": value}]
        same_in_both(value)
    finally:
        test_tree.VALUES_MODE["mode"] = "copy"


def test_mutating_what_was_stored_or_read_never_changes_the_cache():
    test_tree.test_mutating_what_was_stored_or_read_never_changes_the_cache("compact")


def rows(n: int) -> list:
    return [{"id": i, "title": f"A title of some length, number {i}", "tags": ["a", "b"], "price": f"{i}.50"}
            for i in range(n)]


@pytest.mark.parametrize("value", [rows(1)[0], rows(8), test_tree.drf_page()])
def test_a_compact_value_is_charged_less_than_its_pickle(value):
    pickled, compact = Cache(values="pickle"), Cache(values="compact")
    pickled.set("k", value)
    compact.set("k", value)
    overhead = polycache.entry_charge(1, 0)
    assert compact.stats()["bytes"] - overhead < 0.8 * (pickled.stats()["bytes"] - overhead)
    assert pickled.stats()["bytes"] - overhead == sys.getsizeof(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))


def test_field_names_are_shared_by_every_handle_and_every_read():
    a = PolyCache("compact-names", {"OPTIONS": {"VALUES": "compact"}})
    b = PolyCache("compact-names", {"OPTIONS": {"VALUES": "pickle"}})
    a.set("k", rows(3))
    assert b.get("k") == rows(3)  # a handle in another mode reads the same store
    first, second = a.get("k"), b.get("k")
    assert first == second == rows(3) and first is not second
    key_objects = {id(k) for row in first + second for k in row}
    assert len(key_objects) == 4  # one str per field name, from the store's table


def test_many_distinct_keys_fall_back_to_text_and_still_read_back():
    c = Cache(values="compact")
    for i in range(3000):  # more distinct dict keys than the table keeps
        value = {f"field-{i}": i, "x" * 100: [i]}
        c.set(str(i), value)
        assert c.get(str(i)) == value


def test_compressed_compact_values_read_back_and_shrink():
    plain = Cache(values="compact")
    packed = Cache(values="compact", compress_min_length=64)
    for i in range(200):  # past the 1 KB the dictionary learns from
        plain.set(str(i), rows(3))
        packed.set(str(i), rows(3))
    assert packed.get("199") == rows(3) == plain.get("199")
    assert packed.stats()["bytes"] < 0.7 * plain.stats()["bytes"]
    assert packed.get_pickle("199") is None and plain.get_pickle("199") is None


def test_snapshots_carry_compact_values_as_json_and_the_rest_as_pickles():
    src = Cache(values="compact", compress_min_length=32)
    src.set("rows", rows(4), None)
    src.set("tuple", ("a", [1]), None)
    _, _, entries = test_snapshot.parse(src.dump())
    codecs = {k: codec for k, _, codec, _ in entries}
    assert codecs == {"rows": 0, "tuple": 1}
    key = "a snapshot key of 16+ bytes"
    for mode in ("copy", "pickle", "compact"):
        dst = Cache(values=mode)
        dst.load(src.dump(key=key), key=key)
        assert dst.get("rows") == rows(4) and dst.get("tuple") == ("a", [1])


def test_django_refuses_an_unknown_values_option_naming_compact():
    with pytest.raises(ValueError, match='"compact"'):
        PolyCache("bad-values", {"OPTIONS": {"VALUES": "compacted"}})
