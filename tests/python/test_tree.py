"""JSON-like values (dicts, lists and tuples of str, bytes, int, float, bool, None) are kept
as private copies of their containers instead of pickles (bindings-python/src/tree.rs).
What a reader gets must be exactly what LocMemCache, which pickles, gives: the same
values, the same types, the same aliasing, and the same isolation from the caller's
later mutations. Checked side by side with the real LocMemCache, on chosen values and on
random ones; and MAX_BYTES still bounds what such values really take."""

from __future__ import annotations

import collections
import enum
import sys
import django
import pytest
from django.conf import settings
from hypothesis import given, settings as hsettings, strategies as st

import polycache
from polycache import Cache

if not settings.configured:
    settings.configure()
    django.setup()

from django.core.cache.backends.locmem import LocMemCache  # noqa: E402
from polycache.django import PolyCache  # noqa: E402


VALUES_MODE = {"mode": "copy"}


def pair():
    poly = PolyCache("tree-poly-" + VALUES_MODE["mode"], {"OPTIONS": {"VALUES": VALUES_MODE["mode"]}})
    return poly, LocMemCache("tree-locmem", {})


def shape(obj, seen=None):
    """Types, values, and which containers are the same object, in visit order."""
    seen = {} if seen is None else seen
    if isinstance(obj, (dict, list, tuple, set)) or type(obj).__module__ not in ("builtins",):
        if id(obj) in seen:
            return ("same-as", seen[id(obj)])
        seen[id(obj)] = len(seen)
    t = type(obj).__qualname__
    if isinstance(obj, dict):
        return (t, [(shape(k, seen), shape(v, seen)) for k, v in obj.items()])
    if isinstance(obj, (list, tuple)):
        return (t, [shape(v, seen) for v in obj])
    if isinstance(obj, float) and obj != obj:
        return (t, "nan")
    return (t, repr(obj))


def same_in_both(value):
    poly, loc = pair()
    poly.set("k", value)
    loc.set("k", value)
    got_poly, got_loc = poly.get("k"), loc.get("k")
    assert shape(got_poly) == shape(got_loc)
    return got_poly


class Color(enum.IntEnum):
    RED = 1


class MyList(list):
    pass


class MyStr(str):
    pass


VALUES = {
    "drf page": [{"id": i, "title": f"Book {i}", "author": {"id": i, "name": "Ada"}, "tags": ["a", "b"],
                  "price": "12.50", "in_stock": i % 2 == 0, "rating": 4.5, "cover": None} for i in range(8)],
    "nested tuples": (1, ("a", [2, 3]), {"k": (4, 5)}),
    "tuple of leaves": ("a", 1, 2.5, None, True, b"x"),
    "non-str keys": {1: "a", 2.5: "b", b"k": "c", None: "d", True: "e", -(2**80): "f"},
    "wide text": {"é": "😀" * 10, "€": ["ü" * 3]},
    "big ints": [2**100, -(2**70), 0],
    "floats": [0.0, -0.0, float("inf"), 1e308],
    "empty": [{}, [], ()],
    "deep": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["bottom"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    "ordered dict": collections.OrderedDict(a=1),
    "defaultdict": {"d": collections.defaultdict(int, a=1)},
    "list subclass": {"l": MyList([1, 2])},
    "int enum leaf": [Color.RED],
    "str subclass key": {MyStr("k"): 1},
    "lone surrogate": ["\ud800"],
    "set inside": {"s": {1, 2}},
}


@pytest.mark.parametrize("name", list(VALUES))
def test_a_value_reads_back_as_locmemcache_gives_it(name):
    got = same_in_both(VALUES[name])
    assert got == VALUES[name] or name == "lone surrogate"


def test_aliasing_and_cycles_are_kept_as_pickle_keeps_them():
    shared = [1, 2]
    got = same_in_both({"a": shared, "b": shared})
    assert got["a"] is got["b"]
    loop = [1]
    loop.append(loop)
    got = same_in_both(loop)
    assert got[1] is got
    inner = {"x": 1}
    got = same_in_both([(inner,), (inner,)])
    assert got[0][0] is got[1][0]


def test_containers_reached_twice_without_a_second_reference_keep_their_aliasing():
    # The walk skips its aliasing check for containers with no more references than the
    # path it came by; a tuple reached twice gives its items a second way in without a
    # second reference, and so do the other shapes here. Each built in a helper, so no
    # local name adds a reference.
    def through_a_shared_tuple():
        t = ([1], {"k": [2]})
        return [t, {"again": t}]

    def a_tuple_in_a_tuple():
        t = ({"a": 1},)
        return ((t,), (t, t))

    def a_cycle_through_a_tuple():
        items: list = []
        items.append(({"back": items},))
        return {"items": items}

    def a_list_under_a_dict_and_a_list():
        inner = [1]
        return {"a": inner, "b": [inner]}

    got = same_in_both(through_a_shared_tuple())
    assert got[0] is got[1]["again"] and got[0][0] is got[1]["again"][0]
    got = same_in_both(a_tuple_in_a_tuple())
    assert got[0][0][0] is got[1][0][0] is got[1][1][0]
    got = same_in_both(a_cycle_through_a_tuple())
    assert got["items"][0][0]["back"] is got["items"]
    got = same_in_both(a_list_under_a_dict_and_a_list())
    assert got["a"] is got["b"][0]


@pytest.mark.parametrize("values", ["copy", "pickle"])
def test_mutating_what_was_stored_or_read_never_changes_the_cache(values):
    c = Cache(values=values)
    value = {"rows": [{"id": 1, "tags": ["a"]}], "meta": ({"n": 1}, "x")}
    c.set("k", value)
    value["rows"][0]["tags"].append("mutated")
    value["meta"][0]["n"] = 99
    value["new"] = 1
    first = c.get("k")
    assert first == {"rows": [{"id": 1, "tags": ["a"]}], "meta": ({"n": 1}, "x")}
    first["rows"][0]["tags"].append("mutated")
    first["rows"].append(None)
    first["meta"][0]["n"] = 7
    second = c.get("k")
    assert second == {"rows": [{"id": 1, "tags": ["a"]}], "meta": ({"n": 1}, "x")}
    assert second is not first and second["rows"] is not first["rows"]
    assert second["meta"][0] is not first["meta"][0]


def test_get_many_namespaces_and_get_or_set_give_fresh_copies():
    c = Cache(values="copy")
    c.set_many({"a": [1], "b": {"x": [2]}})
    many = c.get_many(["a", "b"])
    many["a"].append(9)
    many["b"]["x"].append(9)
    assert c.get_many(["a", "b"]) == {"a": [1], "b": {"x": [2]}}
    ns = c.namespace("n")
    ns.set("k", {"l": [1]})
    ns.get("k")["l"].append(2)
    assert ns.get("k") == {"l": [1]}
    made = c.get_or_set("g", lambda: {"l": [1]})
    made["l"].append(2)
    assert c.get("g") == {"l": [1]}


def real_size(obj):
    """What a value copied by the cache takes: its containers and its distinct leaves (a
    str with the UTF-8 copy it may come to hold)."""
    total, seen, todo = 0, set(), [obj]
    while todo:
        o = todo.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        total += o.__sizeof__()
        if isinstance(o, dict):
            todo.extend(o.keys())
            todo.extend(o.values())
        elif isinstance(o, (list, tuple)):
            todo.extend(o)
        elif isinstance(o, str) and not o.isascii():
            total += len(o.encode("utf-8", "surrogatepass")) + 1
    return total


def dicts_of_every_make():
    big = dict.fromkeys(range(1000))
    for i in range(997):
        del big[i]
    presized = {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, "j": 10}
    for k in "abcdefgh":
        del presized[k]
    had_int = {"a": 1, 5: 2}
    del had_int[5]
    class Row:
        pass

    row = Row()
    row.a, row.b = 1, "x"
    mixed = {"a": 1, "b": 2, "c": 3, 4: 4, "e": 5}
    del mixed["e"]
    popped = {f"k{i}": i for i in range(30)}
    while len(popped) > 3:
        popped.popitem()
    return {
        "literal": {"a": 1, "b": "x"},
        "an instance's __dict__ (split table)": vars(row),
        "str keys then an int key, one deleted": mixed,
        "grown then popped": popped,
        "a copy of a copy": dict(dict(presized)),
        "comprehension": {f"k{i}": i for i in range(40)},
        "shrunk from 1000": big,
        "shrunk literal": presized,
        "str keys after an int key": had_int,
        "int keys": {i: str(i) for i in range(70)},
        "wide": {"é": "ü" * 40},
    }


@pytest.mark.parametrize("name", list(dicts_of_every_make()))
def test_a_tree_is_charged_at_least_what_its_copy_takes(name):
    value = dicts_of_every_make()[name]
    c = Cache(values="copy")
    c.set("k", [value, (value["literal"] if "literal" in value else 1,)])
    charged = c.stats()["bytes"] - polycache.entry_charge(1, 0)
    held = c.get("k")  # a copy of the stored containers: the same table sizes
    assert real_size(held) <= charged


def charged_exactly(obj):
    """What the cache charges a value of exact str, dict and list: every container and
    every str at its `__sizeof__`, once each time it appears (a shared key twice)."""
    if isinstance(obj, dict):
        return obj.__sizeof__() + sum(charged_exactly(k) + charged_exactly(v) for k, v in obj.items())
    if isinstance(obj, list):
        return obj.__sizeof__() + sum(charged_exactly(v) for v in obj)
    assert type(obj) is str and obj.isascii()
    return obj.__sizeof__()


def text_dicts():
    """The dicts of every make whose keys are ASCII str, their values made str in place
    (which keeps each table as its history left it)."""
    out = {}
    for name, d in dicts_of_every_make().items():
        if all(type(k) is str and k.isascii() for k in d):
            for k in d:
                d[k] = f"{k}={d[k]}"
            out[name] = d
    return out


@pytest.mark.parametrize("name", list(text_dicts()))
def test_text_trees_are_charged_exactly_in_every_build(name):
    # ASCII str, dict and list only: what both builds charge is exact (the native build
    # reads an ASCII str's length, the abi3 one asks for its UTF-8; both ask each dict
    # copy its size), so `make test-python-native` and `make test-python-311` pin the same
    # number. The dict, and another made alike nested beside a list of its keys.
    d = text_dicts()[name]
    value = [d, {"in": text_dicts()[name], "keys": list(d)}]
    c = Cache(values="copy")
    c.set("k", value)
    charged = c.stats()["bytes"] - polycache.entry_charge(1, 0)
    assert charged == charged_exactly(c.get("k"))


def test_max_bytes_bounds_the_memory_of_tree_values():
    limit = 64 << 10
    c = Cache(100_000, max_bytes=limit, values="copy")
    for i in range(2000):
        c.set(f"k{i}", {"id": i, "name": "é" * (i % 50), "tags": [str(i)] * (i % 7), "n": (2**70 + i, i)})
    held = [v for v in (c.get(f"k{i}") for i in range(2000)) if v is not None]
    assert held, "some values fit"
    assert 0 < sum(real_size(v) for v in held) <= limit


leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8),
                   st.binary(max_size=8))
keys = st.one_of(st.text(max_size=6), st.integers(), st.none(), st.booleans())


def trees(children):
    return st.one_of(st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=5),
                     st.tuples(children, children), st.lists(children, max_size=3).map(tuple))


@hsettings(max_examples=300, deadline=None)
@given(st.recursive(leaves, trees, max_leaves=30), st.booleans())
def test_random_values_read_back_as_locmemcache_gives_them(value, alias):
    if alias:  # the same container twice: pickle keeps it shared
        value = [value, value, {"again": value}]
    same_in_both(value)


@pytest.mark.parametrize("name", ["drf page", "nested tuples", "non-str keys", "ordered dict"])
def test_values_pickle_reads_back_as_locmemcache_gives_it(name, monkeypatch):
    monkeypatch.setitem(VALUES_MODE, "mode", "pickle")
    assert same_in_both(VALUES[name]) == VALUES[name]


def test_values_pickle_keeps_json_like_values_as_pickles():
    import pickle

    value = {"rows": [{"id": i, "name": f"n{i}"} for i in range(20)]}
    copy, pickled = Cache(values="copy"), Cache(values="pickle")
    copy.set("k", value)
    pickled.set("k", value)
    assert pickled.stats()["bytes"] - polycache.entry_charge(1, 0) == sys.getsizeof(pickle.dumps(value, 5))
    assert copy.stats()["bytes"] > pickled.stats()["bytes"]  # the copy keeps every object alive


@pytest.mark.parametrize("bad", ["json", "", None, 1])
def test_a_bad_values_option_is_refused_in_the_callers_terms(bad):
    with pytest.raises((polycache.InvalidConfigError, TypeError)):
        Cache(values=bad)
    with pytest.raises(ValueError, match="VALUES"):
        PolyCache("bad-values", {"OPTIONS": {"VALUES": bad}})


def drf_page(n: int = 8) -> list:
    return [{"id": i, "title": f"Book {i}", "author": {"id": i % 7, "name": "A. Writer"},
             "tags": ["fiction", "classic"], "in_stock": i % 2 == 0} for i in range(n)]


def test_stored_copies_are_not_walked_by_the_cycle_collector():
    # They can never be part of a cycle (they hold only leaves and copies nobody else
    # holds), so the store takes them off the collector's lists: a big cache of such
    # values adds nothing to every full collection.
    import gc

    c = Cache(values="copy")
    page = drf_page()
    c.set("warm", drf_page())
    gc.collect()
    before = len(gc.get_objects())
    for i in range(200):
        c.set(f"p{i}", drf_page())
    gc.collect()
    added = len(gc.get_objects()) - before
    assert added < 20, added  # 200 pages of 25 containers each, if they were tracked
    assert c.get("p7") == page


def test_what_a_reader_gets_is_collected_as_any_value_is():
    # A reader's copy is its own: tracked as CPython tracks a new dict or list, so a cycle
    # the reader makes through it is collected.
    import gc
    import weakref

    class Marker:
        pass

    c = Cache(values="copy")
    c.set("page", drf_page())
    c.set("row", {"id": 1, "name": "leaves only"})
    got = c.get("page")
    assert gc.is_tracked(got) and gc.is_tracked(got[0])  # they hold containers
    for key in ("page", "row"):
        m = Marker()
        alive = weakref.ref(m)
        value = c.get(key)
        if isinstance(value, list):
            value.append(value)
            value.append(m)
        else:
            value["self"] = value
            value["marker"] = m
        del m, value
        gc.collect()
        assert alive() is None, key
    assert c.get("row") == {"id": 1, "name": "leaves only"}
