"""An async Django view on the cache's async API (aget / aset), sharing its key with the
DRF serializer field."""
from django.core.cache import cache

from books.caching import book_rating_key
from books.models import Review

from .base import BooksTestCase


class AsyncViewTests(BooksTestCase):
    async def test_async_view_caches_and_shares_the_rating_key(self):
        pk = self.books[0].pk
        response = await self.async_client.get(f"/books/{pk}/rating.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"book": pk, "rating": {"average": 4.0, "count": 2}})
        self.assertEqual(await cache.aget(book_rating_key(pk)), {"average": 4.0, "count": 2})
        # A change the cache is not told about is not seen: the value is served from the
        # cache, not recomputed (so the view really reads it).
        await Review.objects.filter(book_id=pk, user=self.bob).aupdate(rating=1)
        again = await self.async_client.get(f"/books/{pk}/rating.json")
        self.assertEqual(again.json()["rating"], {"average": 4.0, "count": 2})
        await cache.adelete(book_rating_key(pk))
        fresh = await self.async_client.get(f"/books/{pk}/rating.json")
        self.assertEqual(fresh.json()["rating"], {"average": 3.0, "count": 2})

    def test_cached_by_the_async_view_then_read_by_drf_without_the_aggregate(self):
        pk = self.books[1].pk
        self.assertEqual(self.client.get(f"/books/{pk}/rating.json").json()["rating"], {"average": None, "count": 0})
        with self.assertNumQueries(1):  # the book only: the rating comes from the cache
            self.assertEqual(self.get_json(self.anon, f"/api/books/{pk}/")["rating"], {"average": None, "count": 0})

    async def test_missing_book_is_a_404_and_not_cached(self):
        response = await self.async_client.get("/books/999999/rating.json")
        self.assertEqual(response.status_code, 404)
        self.assertFalse(await cache.ahas_key(book_rating_key(999999)))
