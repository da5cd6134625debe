"""Shared fixtures: a small catalogue, two readers with tokens, helpers on the cache."""
import json

from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import TestCase
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from books.models import Author, Book, Review, ShelfEntry

N_BOOKS = 25  # three pages of ten


class CacheStats:
    """Hit and miss counters of the backend, read from its stats()."""

    @staticmethod
    def read():
        stats = cache.stats()
        return {"hits": stats["hits"], "misses": stats["misses"], "sets": stats.get("sets")}


class BooksTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.authors = [Author.objects.create(name=name) for name in ("Ursula Le Guin", "Stanislaw Lem", "Octavia Butler")]
        cls.books = [
            Book.objects.create(
                title=f"Book {i:02d}",
                author=cls.authors[i % 3],
                year=1960 + i,
                isbn=f"978-0-00-{i:06d}-0",
            )
            for i in range(N_BOOKS)
        ]
        cls.alice = User.objects.create_user("alice", password="pw-alice")
        cls.bob = User.objects.create_user("bob", password="pw-bob")
        cls.alice_token = Token.objects.create(user=cls.alice).key
        cls.bob_token = Token.objects.create(user=cls.bob).key
        Review.objects.create(book=cls.books[0], user=cls.alice, rating=5, text="superb")
        Review.objects.create(book=cls.books[0], user=cls.bob, rating=3, text="fine")
        ShelfEntry.objects.create(user=cls.alice, book=cls.books[1], note="alice-secret: gift for mum")
        ShelfEntry.objects.create(user=cls.bob, book=cls.books[2], note="bob-secret: reread in May")

    def setUp(self):
        cache.clear()
        self.anon = APIClient()
        self.as_alice = APIClient(HTTP_AUTHORIZATION=f"Token {self.alice_token}")
        self.as_bob = APIClient(HTTP_AUTHORIZATION=f"Token {self.bob_token}")

    # helpers -----------------------------------------------------------------
    def get_json(self, client, url, status=200):
        response = client.get(url)
        self.assertEqual(response.status_code, status, response.content[:300])
        return json.loads(response.content)

    def counting(self):
        """Context manager that records the stats() delta of the block in .delta."""
        test = self

        class _Delta:
            def __enter__(self):
                self.before = CacheStats.read()
                return self

            def __exit__(self, *exc):
                after = CacheStats.read()
                self.hits = after["hits"] - self.before["hits"]
                self.misses = after["misses"] - self.before["misses"]
                test.assertGreaterEqual(self.hits, 0)

        return _Delta()

    def keys(self, pattern):
        return sorted(cache.keys(pattern))
