"""/api/v2/: the same catalogue cached the polycache.drf way (books/library.py), checked
like the hand-written way: a cached response runs no query beyond the token lookup,
every kind of write is visible on the very next read of every page and filter, one
user's shelf never reaches another."""
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polycache import drf

from books.models import Author, Book, Review, ShelfEntry

from .base import BooksTestCase


class LibraryWayTests(BooksTestCase):
    urls = [
        "/api/v2/books/",
        "/api/v2/books/?page=2",
        "/api/v2/books/?page=3",
        "/api/v2/books/?author={author}",
        "/api/v2/books/{book}/",
        "/api/v2/me/shelf/",
        "/api/v2/stats/",
    ]

    def read_all(self, client):
        urls = [u.format(author=self.authors[0].pk, book=self.books[0].pk) for u in self.urls]
        return {u: (r.status_code, r.content) for u in urls for r in [client.get(u)]}

    def assert_fresh_after(self, write):
        before = self.read_all(self.as_alice)
        self.assertEqual(self.read_all(self.as_alice), before)  # all cached now
        write()
        after = self.read_all(self.as_alice)
        from django.core.cache import cache

        cache.clear()
        truth = self.read_all(self.as_alice)  # nothing cached
        for url in truth:
            self.assertEqual(after[url], truth[url], f"{url} was stale after the write")
        self.assertNotEqual(after, before, "the write changed nothing the test reads")

    def test_a_cached_response_runs_only_the_token_lookup(self):
        for url in ("/api/v2/books/?page=2", f"/api/v2/books/{self.books[3].pk}/", "/api/v2/me/shelf/", "/api/v2/stats/"):
            self.as_alice.get(url)
            for _ in range(3):
                with CaptureQueriesContext(connection) as queries:
                    self.assertEqual(self.as_alice.get(url).status_code, 200)
                self.assertEqual(len(queries), 1, [q["sql"] for q in queries])  # authtoken_token

    def test_fresh_after_a_review_through_the_v1_api(self):
        def write():
            response = self.as_bob.post("/api/reviews/", {"book": self.books[4].pk, "rating": 1})
            self.assertEqual(response.status_code, 201, response.content)

        self.assert_fresh_after(write)

    def test_fresh_after_a_shelf_entry_through_the_v1_api(self):
        def write():
            response = self.as_alice.post("/api/me/shelf/", {"book": self.books[0].pk, "note": "new"})
            self.assertEqual(response.status_code, 201, response.content)

        self.assert_fresh_after(write)

    def test_fresh_after_orm_writes(self):
        def rename_author():
            author = Author.objects.get(pk=self.authors[0].pk)
            author.name = "Ursula K. Le Guin"
            author.save()

        def delete_book():
            Book.objects.get(pk=self.books[0].pk).delete()

        def create_book():
            Book.objects.create(title="New", author=self.authors[0], year=2001, isbn="978-9-99-999999-9")

        def delete_review():
            Review.objects.filter(book=self.books[0]).first().delete()

        for write in (rename_author, create_book, delete_review, delete_book):
            with self.subTest(write.__name__):
                self.assert_fresh_after(write)

    def test_queryset_update_needs_the_documented_invalidate(self):
        """Book's manager is Django's own: update() sends no signal, so the explicit call
        is the answer (drf.InvalidatingManager would make it automatic)."""

        def write():
            Book.objects.filter(author=self.authors[0]).update(year=1900)
            drf.invalidate(Book)

        self.assert_fresh_after(write)

    def test_one_users_shelf_never_reaches_another(self):
        alice = self.as_alice.get("/api/v2/me/shelf/").content
        bob = self.as_bob.get("/api/v2/me/shelf/").content
        self.assertIn(b"alice-secret", alice)
        self.assertNotIn(b"bob-secret", alice)
        self.assertIn(b"bob-secret", bob)
        self.assertNotIn(b"alice-secret", bob)
        self.assertEqual(self.anon.get("/api/v2/me/shelf/").status_code, 401)
        mine = lambda c: [b["id"] for b in c.get("/api/v2/books/").json()["results"] if b["on_my_shelf"]]  # noqa: E731
        self.assertEqual((mine(self.as_alice), mine(self.as_bob), mine(self.anon)), ([self.books[1].pk], [self.books[2].pk], []))
        ShelfEntry.objects.filter(user=self.alice).delete()
        self.assertEqual(mine(self.as_alice), [])
