"""The manual cache in retrieve, keyed by pk, and signal-based invalidation."""
from django.core.cache import cache

from books import caching
from books.caching import book_detail_key
from books.models import Book

from .base import BooksTestCase


class BookRetrieveTests(BooksTestCase):
    def test_detail_is_cached_by_pk_and_served_without_a_query(self):
        pk = self.books[0].pk
        with self.assertNumQueries(2):  # the book with its author, the rating aggregate
            cold = self.get_json(self.anon, f"/api/books/{pk}/")
        self.assertTrue(cache_has(book_detail_key(pk)))
        with self.counting() as delta, self.assertNumQueries(0):
            warm = self.get_json(self.anon, f"/api/books/{pk}/")
        self.assertEqual(warm, cold)
        self.assertEqual((delta.hits, delta.misses), (1, 0))
        self.assertEqual(cold["title"], "Book 00")
        self.assertEqual(cold["author_name"], "Ursula Le Guin")
        self.assertEqual(cold["rating"], {"average": 4.0, "count": 2})

    def test_entries_carry_their_timeouts(self):
        pk = self.books[5].pk
        self.get_json(self.anon, f"/api/books/{pk}/")
        self.get_json(self.anon, "/api/books/")
        detail_ttl = cache.ttl(book_detail_key(pk))
        self.assertTrue(caching.BOOK_DETAIL_TIMEOUT - 5 < detail_ttl <= caching.BOOK_DETAIL_TIMEOUT, detail_ttl)
        rating_ttl = cache.ttl(caching.book_rating_key(pk))
        self.assertTrue(caching.RATING_TIMEOUT - 5 < rating_ttl <= caching.RATING_TIMEOUT, rating_ttl)
        for key in cache.keys("views.decorators.cache.cache_page.books-list.*"):
            page_ttl = cache.ttl(key)
            self.assertTrue(caching.BOOK_LIST_TIMEOUT - 5 < page_ttl <= caching.BOOK_LIST_TIMEOUT, page_ttl)
        self.assertEqual(cache.ttl("book:0:nothing-here"), 0)

    def test_one_key_per_pk(self):
        a = self.get_json(self.anon, f"/api/books/{self.books[6].pk}/")
        b = self.get_json(self.anon, f"/api/books/{self.books[7].pk}/")
        self.assertNotEqual(a["id"], b["id"])
        self.assertEqual(
            self.keys("book:*:detail"), sorted([book_detail_key(self.books[6].pk), book_detail_key(self.books[7].pk)])
        )

    def test_missing_book_is_a_404_and_is_not_cached(self):
        self.get_json(self.anon, "/api/books/999999/", status=404)
        self.get_json(self.anon, "/api/books/999999/", status=404)
        self.assertEqual(self.keys("book:*:detail"), [])

    def test_orm_save_refreshes_the_detail(self):
        book = self.books[8]
        self.get_json(self.anon, f"/api/books/{book.pk}/")
        book.title = "The Left Hand of Darkness"
        book.save()
        self.assertFalse(cache_has(book_detail_key(book.pk)))
        self.assertEqual(self.get_json(self.anon, f"/api/books/{book.pk}/")["title"], "The Left Hand of Darkness")

    def test_orm_delete_turns_the_cached_detail_into_a_404(self):
        pk = self.books[9].pk
        self.get_json(self.anon, f"/api/books/{pk}/")
        Book.objects.filter(pk=pk).get().delete()
        self.get_json(self.anon, f"/api/books/{pk}/", status=404)

    def test_patch_through_the_api_refreshes_the_detail(self):
        pk = self.books[10].pk
        self.get_json(self.anon, f"/api/books/{pk}/")
        response = self.as_alice.patch(f"/api/books/{pk}/", {"year": 1999}, format="json")
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(self.get_json(self.anon, f"/api/books/{pk}/")["year"], 1999)

    def test_renaming_the_author_refreshes_its_books(self):
        pk = self.books[0].pk
        self.get_json(self.anon, f"/api/books/{pk}/")
        author = self.authors[0]
        author.name = "Ursula K. Le Guin"
        author.save()
        self.assertEqual(self.get_json(self.anon, f"/api/books/{pk}/")["author_name"], "Ursula K. Le Guin")

    def test_anonymous_write_is_refused_and_leaves_the_cache(self):
        pk = self.books[11].pk
        self.get_json(self.anon, f"/api/books/{pk}/")
        response = self.anon.patch(f"/api/books/{pk}/", {"year": 1}, format="json")
        self.assertEqual(response.status_code, 401)
        with self.assertNumQueries(0):
            self.assertEqual(self.get_json(self.anon, f"/api/books/{pk}/")["year"], self.books[11].year)


def cache_has(key):
    return cache.has_key(key)
