"""`cache.set(key, serializer.data)`, the pattern of the DRF tutorials: `serializer.data` is
a `ReturnList` / `ReturnDict`, which pickle as a plain list and dict. PolyCache keeps them
as JSON-like trees (bindings-python/src/tree.rs) and must read back exactly what the real
LocMemCache does: plain containers, equal values, no serializer backlink, and isolation
from later mutations."""

import pytest
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from polycache.django import PolyCache


@pytest.fixture
def data(catalog):
    from catalog.models import Book
    from catalog.views import BookWriteSerializer

    many = BookWriteSerializer(Book.objects.order_by("id"), many=True).data
    one = BookWriteSerializer(Book.objects.order_by("id").first()).data
    assert type(many) is ReturnList and type(one) is ReturnDict
    return many, one


def test_serializer_data_reads_back_as_locmemcache_gives_it(data):
    poly, loc = PolyCache("tree-drf", {}), LocMemCache("tree-drf", {})
    for value in data + ({"page": data[0], "first": data[1]},):
        poly.set("k", value)
        loc.set("k", value)
        got, expected = poly.get("k"), loc.get("k")
        assert got == expected == value
        assert type(got) is type(expected)
        assert not hasattr(got, "serializer") and not hasattr(expected, "serializer")


def test_serializer_data_is_isolated_both_ways(data):
    many, _ = data
    cache = PolyCache("tree-drf-iso", {})
    cache.set("k", many)
    first_title = many[0]["title"]
    many[0]["title"] = "changed after set"
    got = cache.get("k")
    assert got[0]["title"] == first_title
    got[0]["title"] = "changed after get"
    got.append({})
    again = cache.get("k")
    assert again[0]["title"] == first_title and len(again) == len(many)


def test_a_subclass_of_returnlist_reads_back_as_locmemcache_gives_it(data):
    many, _ = data

    class Mine(ReturnList):  # not taken as a tree: pickled, through the inherited __reduce__
        pass

    value = Mine(list(many), serializer=None)
    poly, loc = PolyCache("tree-drf-sub", {}), LocMemCache("tree-drf-sub", {})
    poly.set("k", value)
    loc.set("k", value)
    got, expected = poly.get("k"), loc.get("k")
    assert type(got) is type(expected) is list and got == expected == list(many)
