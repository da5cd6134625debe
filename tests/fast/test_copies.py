"""A stored copy is unpickled once and what the fast path made of it is remembered
(``fast_answer.Copies``), but only used while the cache still holds that very pickle:
a copy replaced, deleted or expired under the same key is never answered from memory.
Each test would serve the remembered (old, or now refused) answer if that check were
wrong."""

import json
import time

import pytest
from django.core.cache import caches
from conftest import NETWORK
from fastsite import clock
from fastsite.wsgi_client import call

from polycache.fast_answer import Copies, Copy, Prepared
from polycache.fast_store import store_of

pytestmark = pytest.mark.django_db


def page_keys(cache):
    """The cache_page keys stored (as the caller of ``get``/``set`` writes them)."""
    if NETWORK:  # django-redis
        return cache.keys("*.cache_page.*")
    if hasattr(cache, "keys"):  # PolyCache
        return [k for k in cache.keys() if ".cache_page." in k]
    return [k.split(":", 2)[2] for k in cache._cache if ".cache_page." in k]  # LocMemCache: ":1:<key>"


def hot(fast_app, path):
    """A page stored and answered fast once (so the fast path remembers it); its key."""
    call(fast_app, path)
    assert call(fast_app, path).header("X-Polycache") == "fast"
    (key,) = page_keys(caches["default"])
    return key


def test_a_copy_replaced_under_the_same_key_is_served_as_the_new_one(apps):
    django_app, fast_app = apps
    cache = caches["default"]
    key = hot(fast_app, "/books/")
    replaced = cache.get(key)
    replaced.content = json.dumps({"page": "books", "run": 99}).encode()
    cache.set(key, replaced, 60)
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "fast" and json.loads(answer.body)["run"] == 99
    assert answer.comparable() == call(django_app, "/books/").comparable()


def test_a_copy_replaced_by_one_the_fast_path_refuses_is_refused(apps):
    _, fast_app = apps
    cache = caches["default"]
    key = hot(fast_app, "/books/")
    replaced = cache.get(key)
    replaced["Cache-Control"] = "private"
    cache.set(key, replaced, 60)
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "django"
    assert fast_app.stats()["refusals"] == {"private": 1}


def test_a_deleted_copy_is_a_miss(apps):
    _, fast_app = apps
    key = hot(fast_app, "/books/")
    caches["default"].delete(key)
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "django" and json.loads(answer.body)["run"] == 2


def test_an_expired_copy_made_again_is_served_as_the_new_one(apps):
    _, fast_app = apps
    if not hasattr(caches["default"], "_get_pickle"):
        pytest.skip("moves PolyCache's clock")  # LocMemCache reads time.time()
    hot(fast_app, "/books/")
    clock.OFFSET[0] = 61.0
    again = call(fast_app, "/books/")
    assert again.header("X-Polycache") == "django" and json.loads(again.body)["run"] == 2
    hit = call(fast_app, "/books/")
    assert hit.header("X-Polycache") == "fast" and hit.body == again.body


def test_age_is_djangos_at_each_second(apps, monkeypatch):
    """The answer's headers are made once per second: Age still moves as Django's does."""
    django_app, fast_app = apps
    hot(fast_app, "/books/")
    now, ages = time.time(), []
    for later in (0, 7, 30):
        monkeypatch.setattr(time, "time", lambda: now + later)
        fast, django = call(fast_app, "/books/"), call(django_app, "/books/")
        assert fast.header("X-Polycache") == "fast"
        assert fast.header("Age") == django.header("Age") is not None
        ages.append(int(fast.header("Age")))
    assert ages[1] - ages[0] == 7 and ages[2] - ages[0] == 30


def test_a_compressed_page_is_read_with_get_and_never_remembered(apps, settings):
    """PolyCache's COMPRESS_MIN_LENGTH: _get_pickle gives None for a compressed entry, so
    the fast path reads such a page with get on every hit (a replaced one is new)."""
    _, fast_app = apps
    if not hasattr(caches["default"], "_get_pickle"):
        pytest.skip("a PolyCache option")
    default = settings.CACHES["default"]
    options = dict(default["OPTIONS"], COMPRESS_MIN_LENGTH=1)
    settings.CACHES = {"default": dict(default, LOCATION="fast-tests-compressed", OPTIONS=options)}
    cache = caches["default"]
    key = hot(fast_app, "/books/")
    for run in (98, 97):
        replaced = cache.get(key)
        replaced.content = json.dumps({"page": "books", "run": run, "titles": ["A long title"] * 200}).encode()
        cache.set(key, replaced, 60)
        assert cache._get_pickle(key) is None  # kept compressed
        answer = call(fast_app, "/books/")
        assert answer.header("X-Polycache") == "fast" and json.loads(answer.body)["run"] == run


def test_the_store_gives_the_stored_bytes():
    cache = caches["default"]
    store = store_of(cache)
    assert store is not None

    def read(key):
        return store.read([key])[0]

    cache.set("k", {"a set": {1}})
    first = read("k")
    assert isinstance(first, bytes) and store.loads(first) == {"a set": {1}}
    if store.equal:  # django-redis: new bytes on each read, equal while the value is
        assert read("k") == first and store.same(first, read("k"))
        cache.set("k", {"a set": {2}})
        assert not store.same(first, read("k"))
    else:
        assert read("k") is first
        cache.set("k", {"a set": {1}})  # the same value stored again: another entry
        assert read("k") is not first and read("k") == first and not store.same(first, read("k"))
    cache.delete("k")
    assert read("k") is None


def test_copies_stay_within_their_bounds():
    copies = Copies(max_entries=3, max_bytes=4000)
    prepared = Prepared(None)
    pickles = [bytes([n]) * 300 for n in range(10)]
    for n, raw in enumerate(pickles):
        copies.put("default", f"k{n}", Copy(raw, "en", True, ("default", ()), prepared, b"x" * 300))
        assert len(copies._memo) <= 3 and copies._bytes <= 4000
    assert copies.get("default", "k9", pickles[9], "en", True) is not None
    equal = pickles[9][:150] + pickles[9][150:]
    assert equal == pickles[9] and copies.get("default", "k9", equal, "en", True) is None  # not the same object
    assert copies.get("default", "k9", pickles[9], "fr", True) is None
    big = b"x" * 2000
    copies.put("default", "big", Copy(big, "en", True, ("default", ()), prepared, b""))
    assert copies.get("default", "big", big, "en", True) is None  # over a quarter of the bytes: never kept
