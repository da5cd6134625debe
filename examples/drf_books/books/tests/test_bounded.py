"""The same traffic through a small, bounded cache: entries get evicted all the time,
and no response is ever wrong or another user's."""
import random

from django.core.cache import cache
from django.test import override_settings

from .base import BooksTestCase


def small_cache(location, **options):
    return {"default": {"BACKEND": "polycache.django.PolyCache", "LOCATION": location, "TIMEOUT": 300, "OPTIONS": options}}


class BoundedCacheMixin:
    max_entries = None
    max_bytes = None

    def urls(self):
        urls = [(client, f"/api/books/{b.pk}/") for b in self.books for client in ("anon",)]
        for client in ("anon", "alice", "bob"):
            urls += [(client, "/api/books/"), (client, "/api/books/?page=2"), (client, "/api/books/?page=3")]
        urls += [("alice", "/api/me/shelf/"), ("bob", "/api/me/shelf/"), ("anon", "/api/authors/"), ("anon", "/api/stats/")]
        urls += [("anon", f"/api/authors/{a.pk}/") for a in self.authors]
        return urls

    def fetch(self, who, url):
        client = {"anon": self.anon, "alice": self.as_alice, "bob": self.as_bob}[who]
        response = client.get(url)
        self.assertEqual(response.status_code, 200, (who, url))
        return response.json()

    def test_evictions_never_change_an_answer(self):
        urls = self.urls()
        expected = {}
        for who, url in urls:
            cache.clear()  # each expectation computed from the database alone
            expected[who, url] = self.fetch(who, url)
        self.assertNotIn("alice-secret", str(expected["bob", "/api/me/shelf/"]))

        before = cache.stats()
        rng = random.Random(7)
        for _ in range(4):
            rng.shuffle(urls)
            for who, url in urls:
                self.assertEqual(self.fetch(who, url), expected[who, url], (who, url))
        stats = cache.stats()
        self.assertGreater(stats["hits"], before["hits"])
        self.assertGreater(stats["evictions"], before["evictions"])
        if self.max_entries:
            self.assertLessEqual(stats["entries"], self.max_entries)
        if self.max_bytes:
            self.assertLessEqual(stats["bytes"], self.max_bytes)


@override_settings(CACHES=small_cache("drf-books-cull", MAX_ENTRIES=30))
class DjangoCullBoundedTests(BoundedCacheMixin, BooksTestCase):
    max_entries = 30


@override_settings(CACHES=small_cache("drf-books-lru-bytes", MAX_ENTRIES=10_000, MAX_BYTES=16 * 1024, EVICTION="lru"))
class LruByteBoundedTests(BoundedCacheMixin, BooksTestCase):
    max_bytes = 16 * 1024
