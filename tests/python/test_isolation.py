"""Mutating a value after set or after get never changes what the cache holds; the
immutable built-in types skip pickle."""

from __future__ import annotations

import pickle

import pytest

from polycache import Cache


class MyStr(str):
    pass


class Unpicklable:
    def __getstate__(self):
        raise pickle.PickleError("refuses to be pickled")


def test_mutating_after_set_does_not_change_the_cache():
    c = Cache()
    value = {"a": [1, 2]}
    c.set("k", value)
    value["a"].append(3)
    value["b"] = 1
    assert c.get("k") == {"a": [1, 2]}


def test_mutating_after_get_does_not_change_the_cache():
    c = Cache()
    c.set("k", [1, 2])
    got = c.get("k")
    got.append(3)
    assert c.get("k") == [1, 2]
    assert c.get("k") is not c.get("k")


@pytest.mark.parametrize("value", ["text", b"bytes", 3.5, True, False, None, 2**100, -(2**70)])
def test_immutable_builtins_are_stored_as_they_are(value):
    c = Cache()
    c.set("k", value)
    got = c.get("k", "missing")
    assert got == value and type(got) is type(value)
    assert got is value, "no copy, no pickle"


def test_small_ints_round_trip_exactly():
    c = Cache()
    for n in (0, 1, -1, 2**63 - 1, -(2**63)):
        c.set("n", n)
        got = c.get("n")
        assert got == n and type(got) is int


def test_tuples_and_subclasses_are_pickled():
    c = Cache()
    inner = [1]
    c.set("t", (inner,))
    inner.append(2)
    assert c.get("t") == ([1],)
    s = MyStr("x")
    c.set("s", s)
    got = c.get("s")
    assert got == "x" and type(got) is MyStr and got is not s


def test_bool_stays_bool():
    c = Cache()
    c.set("b", True)
    assert c.get("b") is True


def test_unpicklable_value_raises_and_leaves_the_cache_as_it_was():
    c = Cache()
    c.set("k", "old")
    with pytest.raises(pickle.PickleError):
        c.set("k", Unpicklable())
    with pytest.raises(pickle.PickleError):
        c.add("new", Unpicklable())
    with pytest.raises(pickle.PickleError):
        c.set_many({"k": "would change", "x": Unpicklable()})
    assert c.get("k") == "old"
    assert "new" not in c and "x" not in c
    assert c.stats()["sets"] == 1


def test_lambda_cannot_be_pickled():
    c = Cache()
    with pytest.raises((pickle.PicklingError, AttributeError)):
        c.set("f", lambda: 1)
    assert "f" not in c
