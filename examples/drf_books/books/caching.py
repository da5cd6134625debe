"""Every cache key and every invalidation of the example, in one place.

Key layout (all in the "default" cache, a polycache.django.PolyCache):

    book:<pk>:detail            BookViewSet.retrieve, the serialized book (manual cache)
    book:<pk>:rating            BookSerializer.get_rating, the cached serializer field
    shelf:user:<uid>:version    a per-user version stamp (time.time_ns() of the last write)
    shelf:user:<uid>:v<stamp>:page:<n>  ShelfViewSet.list: one user's private shelf, per page
    template.cache.book_card.*  {% cache %} fragment of the HTML book page
    template.cache.my_shelf.*   {% cache %} fragment, per user and version
    views.decorators.cache.cache_{page,header}.books-list.*   cache_page on /api/books/
    views.decorators.cache.cache_{page,header}.site.*         site-wide middleware, /site/
    namespace "catalogue"       drf-extensions cache_response of /api/authors/ and
                                the /api/stats/ summary: invalidated in O(1) on any write

cache_page and drf-extensions build opaque, hashed keys; the two ways polycache gives
to drop them without knowing them are delete_pattern() on the readable prefix that
cache_page puts in front of its hash, and a namespace whose generation a write bumps.
"""
import time

from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key

BOOK_LIST_PREFIX = "books-list"  # key_prefix of cache_page on the book list
BOOK_LIST_TIMEOUT = 60
BOOK_DETAIL_TIMEOUT = 300
RATING_TIMEOUT = 600
SHELF_TIMEOUT = 300
FRAGMENT_TIMEOUT = 600
CATALOGUE = "catalogue"


def book_detail_key(pk):
    return f"book:{int(pk)}:detail"


def book_rating_key(pk):
    return f"book:{int(pk)}:rating"


def shelf_version(user_id):
    """The version stamp of a user's shelf caches; a write replaces it.

    Readers take the stamp before they read the database and store under it. A write
    that lands in between replaces the stamp, so the reader's (now stale) result goes to
    a key nobody reads again: the race a plain delete-on-write leaves open, where a
    slow reader puts back what the writer just dropped. A stamp from the clock (not a
    counter) stays unique even if the LRU evicts it."""
    return cache.get_or_set(f"shelf:user:{int(user_id)}:version", time.time_ns, None)


def shelf_key(user_id, version, page):
    # The user id is part of the key: one user's shelf is never read under another's key.
    return f"shelf:user:{int(user_id)}:v{version}:page:{page}"


def book_card_fragment_key(pk):
    return make_template_fragment_key("book_card", [pk])


def my_shelf_fragment_key(user_id, version):
    return make_template_fragment_key("my_shelf", [user_id, version])


def catalogue():
    """The namespace that holds everything derived from the whole catalogue, as a view
    for one read-compute-store cycle (see PinnedNamespace)."""
    if hasattr(cache, "namespace"):
        return PinnedNamespace(cache.namespace(CATALOGUE))
    return _GenerationKeyNamespace(CATALOGUE)  # only for comparing with LocMemCache in the demo


_MISSING = object()


class PinnedNamespace:
    """A polycache namespace for one request: it remembers the generation it started
    from, and a value stored after an invalidate() that happened meanwhile is dropped.

    Without this, a reader that missed, then computed from the database while a writer
    committed and invalidated, would store its stale result in the new generation, where
    every later reader finds it. polycache's Namespace.set() writes into the generation
    current at set time and Namespace has no get_or_set, so the check is made here:
    set, then read the generation again; if it moved, delete what was just stored."""

    def __init__(self, namespace):
        self.namespace = namespace
        self.generation = namespace.generation

    def get(self, key, default=None):
        return self.namespace.get(key, default)

    def set(self, key, value, timeout=None):
        self.namespace.set(key, value, timeout)
        if self.namespace.generation != self.generation:
            self.namespace.delete(key)

    def get_or_set(self, key, default, timeout=None):
        value = self.namespace.get(key, _MISSING)
        if value is _MISSING:
            value = default() if callable(default) else default
            self.set(key, value, timeout)
        return value

    def invalidate(self):
        return self.namespace.invalidate()


class _GenerationKeyNamespace:
    """What one writes without native namespaces: a generation counter kept in the cache
    and read before every access (two cache reads per get). Used by demo.py's LocMemCache
    comparison only; the tests run on polycache's own namespace."""

    def __init__(self, name):
        self.gen_key = f"nsgen:{name}"

    def _key(self, key):
        return f"ns:{self.gen_key}:{cache.get_or_set(self.gen_key, 1, None)}:{key}"

    def get(self, key, default=None):
        return cache.get(self._key(key), default)

    def set(self, key, value, timeout=None):
        cache.set(self._key(key), value, timeout)

    def get_or_set(self, key, default, timeout=None):
        return cache.get_or_set(self._key(key), default, timeout)

    def invalidate(self):
        cache.set(self.gen_key, cache.get_or_set(self.gen_key, 1, None) + 1, None)


def _cache_page_pattern(prefix):
    # cache_page / CacheMiddleware keys: views.decorators.cache.cache_page.<prefix>.GET.<md5>...
    # and views.decorators.cache.cache_header.<prefix>.<md5>...
    return f"views.decorators.cache.cache_*.{prefix}.*"


def invalidate_book(pk):
    """A book (or one of its reviews) changed: drop what is keyed by its pk."""
    cache.delete_many([book_detail_key(pk), book_rating_key(pk), book_card_fragment_key(pk)])


def invalidate_book_lists():
    """Drop every cached page of /api/books/ (all pages, all users) and of /site/."""
    return cache.delete_pattern(_cache_page_pattern(BOOK_LIST_PREFIX)) + cache.delete_pattern(
        _cache_page_pattern("site")
    )


def invalidate_catalogue():
    catalogue().invalidate()


def invalidate_shelf(user_id):
    """Retire one user's private caches (and nobody else's): a new version stamp makes
    every key built on the old one unreachable; deleting them just frees the memory."""
    old = cache.get(f"shelf:user:{int(user_id)}:version")
    cache.set(f"shelf:user:{int(user_id)}:version", time.time_ns(), None)
    cache.delete_pattern(f"shelf:user:{int(user_id)}:v*:page:*")
    if old is not None:
        cache.delete(my_shelf_fragment_key(user_id, old))
