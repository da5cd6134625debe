"""values="compact", session 8: dicts written as a store's shape (their keys, in order) with
the usual value of each key kept in the shape's template; strings of 65-256 bytes in a
code each store learns; encodings in pymalloc blocks without a header (bindings-python/
src/shapes.rs, text_code.rs, blob.rs). What a reader gets must stay what LocMemCache gives
(types, values, key order), isolated from the caller and from other readers."""

from __future__ import annotations

import gc
import tracemalloc

import polycache
from polycache import Cache

from test_tree import same_in_both


def charge(value) -> int:
    """Bytes a compact value is charged beside its entry."""
    c = Cache(values="compact")
    c.set("k", value)
    return c.stats()["bytes"] - polycache.entry_charge(1, 0)


def test_dicts_with_the_same_keys_in_another_order_keep_their_order():
    c = Cache(values="compact")
    c.set("k", [{"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 2}])
    got = c.get("k")
    assert [list(d) for d in got] == [["a", "b"], ["b", "a"], ["a", "b"]]
    assert got == [{"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 2}]


def rows(n: int, status: str = "published") -> list:
    return [{"id": i, "status": status, "flag": True, "note": None, "n": 3} for i in range(n)]


def test_usual_values_are_shared_leaves_and_every_read_is_isolated():
    c = Cache(values="compact")
    c.set("k", rows(4))
    first, second = c.get("k"), c.get("k")
    assert first == second == rows(4)
    # The usual value of a key is the template's own str, as the default copy shares leaves.
    assert first[0]["status"] is second[3]["status"]
    assert first[0] is not second[0]
    first[0]["status"] = "draft"
    first[0]["extra"] = 1
    del first[1]["status"]
    first.append("more")
    assert c.get("k") == rows(4)
    assert list(c.get("k")[1]) == ["id", "status", "flag", "note", "n"]


def test_values_unlike_the_usual_ones_read_back_with_their_own_types():
    values = [{"v": 1, "s": "a", "z": None}, {"v": True, "s": "b", "z": False}, {"v": 1.0, "s": "a", "z": 0},
              {"v": 1, "s": "A", "z": None}, {"v": 2**70, "s": "a" * 70, "z": ()}]
    got = same_in_both(values)
    assert [type(d["v"]) for d in got] == [int, bool, float, int, int]
    assert [type(d["z"]) for d in got] == [type(None), bool, int, type(None), tuple]


def test_a_value_whose_first_rows_differ_from_the_rest_reads_back():
    c = Cache(values="compact")
    c.set("a", rows(2, "draft"))
    c.set("b", rows(5, "published"))
    assert c.get("a") == rows(2, "draft") and c.get("b") == rows(5, "published")


def test_more_shapes_than_the_table_holds_still_read_back():
    c = Cache(values="compact", max_entries=5000)
    for i in range(600):  # past the 256 shapes a store keeps
        value = [{f"f{i % 40}": i, f"g{i // 40}": "x", "h": [i]}]
        c.set(str(i), value)
        assert c.get(str(i)) == value
    assert all(c.get(str(i)) == [{f"f{i % 40}": i, f"g{i // 40}": "x", "h": [i]}] for i in range(600))


def title(i: int) -> str:
    words = "the quick brown fox jumps over a lazy dog while seven tired wizards brew strange potions".split()
    return " ".join(words[(i * 7 + j) % len(words)] for j in range(24))[:120]


def test_longer_strings_are_coded_once_the_store_has_learned_its_code():
    c = Cache(values="compact")
    charges = []
    for i in range(20):  # past the 1 KB of text the code is learned from
        before = c.stats()["bytes"]
        c.set(str(i), {"t": title(i)})
        charges.append(c.stats()["bytes"] - before - polycache.entry_charge(len(str(i)), 0))
    assert charges[-1] < 0.75 * charges[0]
    assert all(c.get(str(i)) == {"t": title(i)} for i in range(20))
    before = c.stats()["bytes"]
    c.set("bytes", {"t": title(19).encode()})  # bytes are never coded
    assert c.stats()["bytes"] - before - polycache.entry_charge(5, 0) >= charges[0]


def test_coded_strings_at_every_length_and_in_any_script_read_back():
    c = Cache(values="compact")
    for i in range(20):
        c.set(f"teach{i}", [title(i)])
    texts = ["a" * 64, "a" * 65, title(3) * 2, ("é" * 128)[:128], "x" * 256, "y" * 257, "日本語のテキスト" * 12,
             "\U0001F600" * 20 + "z" * 60, "\ud800" + "a" * 100, "the " * 40]
    for t in texts:
        value = {"t": t, "list": [t, t], "again": t[:40]}
        assert same_in_both(value) == value
        c.set("k", value)
        assert c.get("k") == value


def test_a_small_encoding_is_charged_one_pymalloc_block():
    # [1] encodes as 3 bytes and a 1-byte length: one 16-byte block, no header.
    assert charge([1]) == 16
    assert charge([1] * 13) == 16 and charge([1] * 14) == 32


def test_blocks_are_freed_with_their_entries_and_after_every_read():
    c = Cache(values="compact", max_entries=50)
    value = rows(8) + [{"t": title(i)} for i in range(4)]
    for i in range(200):
        c.set(str(i), value)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for i in range(5000):
            c.set(str(i % 300), value)
            c.get(str((i * 7) % 300))
            c.delete(str((i * 13) % 300))
        c.clear()
        gc.collect()
        assert tracemalloc.get_traced_memory()[0] - start < 64 * 1024
    finally:
        tracemalloc.stop()


def test_compact_is_the_default_of_cache_and_of_the_django_backend():
    from polycache.django import PolyCache

    assert charge([1]) == 16
    plain = Cache()
    plain.set("k", [1])
    assert plain.stats()["bytes"] - polycache.entry_charge(1, 0) == 16
    django = PolyCache("default-values", {})
    django.set("k", [1])
    assert django.stats()["bytes"] - polycache.entry_charge(len(django.make_key("k")), 0) == 16


def test_a_compressing_store_leaves_strings_to_its_compressor():
    # LZ4 against the store's dictionary finds the text rows share; in a code it could not.
    plain, packed = Cache(values="compact"), Cache(values="compact", compress_min_length=64)
    for c in (plain, packed):
        for i in range(300):
            c.set(str(i), {"id": i, "title": title(i), "tags": ["a", "b"]})
    assert packed.get("299") == plain.get("299") == {"id": 299, "title": title(299), "tags": ["a", "b"]}
    assert packed.stats()["bytes"] < 0.8 * plain.stats()["bytes"]
