"""Invalidation on write in perform_create / perform_destroy (reviews have no signals),
and the cached serializer field it feeds."""
from django.core.cache import cache

from books.caching import book_detail_key, book_rating_key
from books.models import Review

from .base import BooksTestCase


class ReviewWriteTests(BooksTestCase):
    def post_review(self, client, book, rating, text=""):
        return client.post("/api/reviews/", {"book": book.pk, "rating": rating, "text": text}, format="json")

    def test_a_new_review_refreshes_the_rating_everywhere(self):
        book = self.books[12]
        detail_url = f"/api/books/{book.pk}/"
        self.assertEqual(self.get_json(self.anon, detail_url)["rating"], {"average": None, "count": 0})
        page2 = self.get_json(self.anon, "/api/books/?page=2")
        self.assertEqual(next(b for b in page2["results"] if b["id"] == book.pk)["rating"]["count"], 0)
        other = self.books[0]
        self.get_json(self.anon, f"/api/books/{other.pk}/")

        response = self.post_review(self.as_alice, book, 4, "stays with you")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.get_json(self.anon, detail_url)["rating"], {"average": 4.0, "count": 1})
        response = self.post_review(self.as_bob, book, 1)
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.get_json(self.anon, detail_url)["rating"], {"average": 2.5, "count": 2})
        page2 = self.get_json(self.anon, "/api/books/?page=2")
        self.assertEqual(next(b for b in page2["results"] if b["id"] == book.pk)["rating"], {"average": 2.5, "count": 2})

        # Only the reviewed book's keys were dropped: the other book is still a hit.
        self.assertTrue(cache.has_key(book_detail_key(other.pk)))
        self.assertTrue(cache.has_key(book_rating_key(other.pk)))
        with self.assertNumQueries(0):
            self.get_json(self.anon, f"/api/books/{other.pk}/")

    def test_a_refused_review_invalidates_nothing(self):
        book = self.books[0]  # Alice already reviewed it
        self.get_json(self.anon, f"/api/books/{book.pk}/")
        response = self.post_review(self.as_alice, book, 1)
        self.assertEqual(response.status_code, 400)
        self.assertTrue(cache.has_key(book_detail_key(book.pk)))

    def test_deleting_a_review_refreshes_the_rating(self):
        book = self.books[0]
        self.assertEqual(self.get_json(self.anon, f"/api/books/{book.pk}/")["rating"]["average"], 4.0)
        review = Review.objects.get(book=book, user=self.bob)
        # Alice cannot delete Bob's review (and the cache is left alone)...
        self.assertEqual(self.as_alice.delete(f"/api/reviews/{review.pk}/").status_code, 404)
        self.assertEqual(self.get_json(self.anon, f"/api/books/{book.pk}/")["rating"]["average"], 4.0)
        # ...Bob can.
        self.assertEqual(self.as_bob.delete(f"/api/reviews/{review.pk}/").status_code, 204)
        self.assertEqual(self.get_json(self.anon, f"/api/books/{book.pk}/")["rating"], {"average": 5.0, "count": 1})
