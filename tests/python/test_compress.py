"""compress_min_length / COMPRESS_MIN_LENGTH: large pickles kept LZ4-compressed
(bindings-python/src/compress.rs). What a reader gets must not change (checked against the
same cache without compression and against LocMemCache, through Django's own cache_page),
the bytes charged must shrink for compressible pickles and not grow for others, and bad
settings are refused before anything is stored."""

from __future__ import annotations

import os
import pickle
import sys
import uuid

import django
import pytest
from django.conf import settings

from polycache import Cache, InvalidConfigError

if not settings.configured:
    settings.configure()
    django.setup()

from django.core.cache import caches  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import override_settings  # noqa: E402
from django.views.decorators.cache import cache_page  # noqa: E402

from polycache.django import PolyCache  # noqa: E402


class Page:
    """Not JSON-like, so always pickled: what cache_page stores is such an object."""

    def __init__(self, body: bytes, title: str):
        self.body, self.title = body, title

    def __eq__(self, other):
        return type(other) is Page and (self.body, self.title) == (other.body, other.title)


HTML = b"<tr><td class='cell'>row</td><td>a book title</td></tr>\n" * 200  # ~11 KB, compressible


def charged(cache: Cache) -> int:
    return cache.stats()["bytes"]


def test_round_trip_and_smaller_charge():
    plain, packed = Cache(), Cache(compress_min_length=1024)
    page = Page(HTML, "books")
    plain.set("p", page)
    packed.set("p", page)
    assert packed.get("p") == page == plain.get("p")
    assert packed.get("p") is not packed.get("p")  # a fresh object per read, as a pickle gives
    # The pickle compresses several times; the entry is charged what it keeps.
    assert charged(packed) * 4 < charged(plain)


def test_isolation_from_the_caller():
    c = Cache(compress_min_length=0)
    value = Page(HTML, "t")
    c.set("k", value)
    value.title = "changed after set"
    got = c.get("k")
    assert got.title == "t"
    got.title = "changed after get"
    assert c.get("k").title == "t"


def test_below_the_length_or_incompressible_is_kept_as_it_was():
    small = Page(b"x" * 100, "s")
    noise = Page(os.urandom(8192), "n")
    for value in (small, noise):
        plain, packed = Cache(), Cache(compress_min_length=1024)
        plain.set("k", value)
        packed.set("k", value)
        assert packed.get("k") == value
        assert charged(packed) == charged(plain)


def test_json_like_values_are_compressed_only_when_pickled():
    rows = [{"id": i, "title": "a book title " * 4, "tags": ["x", "y"]} for i in range(100)]
    copy = Cache(values="copy", compress_min_length=0)
    pickled, packed = Cache(values="pickle"), Cache(values="pickle", compress_min_length=0)
    for c in (copy, pickled, packed):
        c.set("rows", rows)
        assert c.get("rows") == rows
    assert charged(packed) < charged(pickled)
    fresh = Cache(values="copy")
    fresh.set("rows", rows)
    assert charged(copy) == charged(fresh)  # copies are never compressed


def test_max_bytes_holds_more_compressed_pages():
    bound = 60_000
    plain, packed = Cache(max_bytes=bound), Cache(max_bytes=bound, compress_min_length=1024)
    for i in range(20):
        page = Page(HTML, f"page {i}")
        plain.set(f"p{i}", page)
        packed.set(f"p{i}", page)
    assert charged(plain) <= bound and charged(packed) <= bound
    assert len(packed.keys()) > 2 * len(plain.keys())
    assert all(packed.get(k) == Page(HTML, f"page {k[1:]}") for k in packed.keys())


def rows_like_a_list_endpoint(n: int) -> list:
    """Small similar values, as a DRF detail view caches them: the same field names, words
    drawn from one vocabulary, each pickle ~200 bytes."""
    words = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()
    return [{"id": i, "title": " ".join(words[(i * j) % 12] for j in range(12)), "tags": ["new", "sale"],
             "price": f"{i % 97}.99"} for i in range(n)]


def test_small_similar_pickles_compress_against_the_stores_dictionary():
    # Alone, one such pickle barely compresses (LZ4 finds few repeats inside 200 bytes) and
    # is kept as it is; after the first 1 KB of pickles, the store compresses each against
    # those.
    rows = rows_like_a_list_endpoint(300)
    last = str(len(rows) - 1)

    def value_charge(cache: Cache) -> int:
        # What the last row's entry is charged beyond the same key holding None (8 bytes).
        with_row = charged(cache)
        cache.set(last, None)
        without = charged(cache)
        cache.set(last, rows[-1])
        return with_row - without + 8

    alone = Cache(values="pickle", compress_min_length=0)
    alone.set(last, rows[-1])
    pickled, packed = Cache(values="pickle"), Cache(values="pickle", compress_min_length=0)
    for i, row in enumerate(rows):
        pickled.set(str(i), row)
        packed.set(str(i), row)
    assert all(packed.get(str(i)) == row for i, row in enumerate(rows))
    pickle_length = len(pickle.dumps(rows[-1], pickle.HIGHEST_PROTOCOL))
    assert value_charge(alone) > pickle_length  # kept as its `bytes`
    # Both are `bytes` objects: the compressed one is under half as long, header aside.
    header = sys.getsizeof(b"")
    assert (value_charge(packed) - header) * 2 < value_charge(alone) - header
    assert charged(packed) * 3 < charged(pickled) * 2


def test_every_handle_on_a_store_reads_the_blocks_of_the_others():
    # Django's caches with one LOCATION share a store: a block compressed against its
    # dictionary by one handle is read by another, compressing or not.
    rows = rows_like_a_list_endpoint(100)
    root = Cache(values="pickle", compress_min_length=0)
    django_like = root.view(max_entries=1000, max_bytes=None, eviction="cull", cull_frequency=3,
                            default_timeout=300, key_prefix="", values="pickle")
    for i, row in enumerate(rows):
        root.set(f":1:{i}", row)
    assert [django_like.get(str(i)) for i in range(100)] == rows
    snap = root.dump(key="a secret of 16+ bytes")
    other = Cache(values="pickle", compress_min_length=0)
    other.load(snap, key="a secret of 16+ bytes")
    assert [other.get(f":1:{i}") for i in range(100)] == rows


@pytest.mark.parametrize("bad", [-1, True, "1024", 1.5])
def test_bad_settings_are_refused(bad):
    if bad is not True:  # the plain Cache takes a bool as an int, as for max_entries
        with pytest.raises((InvalidConfigError, TypeError)):
            Cache(compress_min_length=bad)
    with pytest.raises(ValueError, match="COMPRESS_MIN_LENGTH"):
        PolyCache("compress-bad", {"OPTIONS": {"COMPRESS_MIN_LENGTH": bad}})


def test_a_value_that_cannot_be_pickled_loses_nothing():
    c = Cache(compress_min_length=0)
    c.set("k", Page(HTML, "kept"))
    with pytest.raises((pickle.PicklingError, TypeError, AttributeError)):
        c.set("k", Page(HTML, lambda: None))
    assert c.get("k") == Page(HTML, "kept")


def test_snapshots_carry_the_pickle_not_the_block():
    key = "a secret of 16+ bytes"
    packed = Cache(values="pickle", compress_min_length=0)
    page, rows = Page(HTML, "snap"), [{"id": i, "t": "title " * 10} for i in range(50)]
    packed.set("page", page)
    packed.set("rows", rows)
    snap = packed.dump(key=key)
    for reader in (Cache(), Cache(compress_min_length=16)):
        reader.load(snap, key=key)
        assert reader.get("page") == page and reader.get("rows") == rows
    # Unsigned, a JSON-like value is written as JSON, which a reader takes without a key,
    # while a pickle is skipped: the compressed pickle of `rows` was written as JSON.
    loose = Cache()
    info = loose.load(packed.dump(), allow_unsigned=True)
    assert (info["entries"], info["skipped_pickles"]) == (1, 1)
    assert loose.get("rows") == rows and loose.get("page") is None


def test_cache_page_serves_the_same_response_as_locmem():
    """Django's own cache_page on PolyCache with COMPRESS_MIN_LENGTH, beside LocMemCache."""
    calls = []

    def view(request):
        calls.append(1)
        return HttpResponse(HTML, content_type="text/html")

    def request():
        r = HttpRequest()
        r.method, r.path = "GET", "/books/"
        r.META = {"SERVER_NAME": "testserver", "SERVER_PORT": "80"}
        return r

    where = uuid.uuid4().hex
    aliases = {
        "poly": {"BACKEND": "polycache.django.PolyCache", "LOCATION": "z" + where,
                 "OPTIONS": {"COMPRESS_MIN_LENGTH": 512}},
        "plain": {"BACKEND": "polycache.django.PolyCache", "LOCATION": "p" + where},
        "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": where},
    }
    bodies = {}
    with override_settings(CACHES={"default": aliases["locmem"], **aliases}, ALLOWED_HOSTS=["testserver"]):
        for alias in aliases:
            calls.clear()
            cached = cache_page(60, cache=alias)(view)
            first, second = cached(request()), cached(request())
            assert len(calls) == 1, alias  # the second response came from the cache
            bodies[alias] = (first.content, second.content, second["Content-Type"])
        assert bodies["poly"] == bodies["plain"] == bodies["locmem"]
        assert bodies["poly"][1] == HTML
        assert caches["poly"].stats()["bytes"] * 4 < caches["plain"].stats()["bytes"]
