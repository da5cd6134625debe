"""The site-wide UpdateCacheMiddleware / FetchFromCacheMiddleware pair (on /site/) and
{% cache %} template fragments (on /books/<pk>/)."""
from django.test import override_settings

from books.caching import book_card_fragment_key
from books.models import Book

from .base import BooksTestCase

SITE = "views.decorators.cache.cache_page.site.*"


class SiteWideMiddlewareTests(BooksTestCase):
    def test_catalogue_page_is_cached_whole(self):
        with self.assertNumQueries(1):
            cold = self.client.get("/site/catalogue/")
        self.assertEqual(cold.status_code, 200)
        self.assertContains(cold, "Book 24")
        self.assertEqual(len(self.keys(SITE)), 1)
        with self.counting() as delta, self.assertNumQueries(0):
            warm = self.client.get("/site/catalogue/")
        self.assertEqual(warm.content, cold.content)
        self.assertGreaterEqual(delta.hits, 2)
        self.assertIn("max-age=60", warm["Cache-Control"])

    def test_a_write_refreshes_the_page(self):
        self.client.get("/site/catalogue/")
        book = self.books[5]
        book.title = "Kindred"
        book.save()
        self.assertContains(self.client.get("/site/catalogue/"), "Kindred")
        Book.objects.filter(pk=book.pk).get().delete()
        self.assertNotContains(self.client.get("/site/catalogue/"), "Kindred")

    def test_api_and_other_pages_stay_out_of_the_site_cache(self):
        self.as_alice.get("/api/me/shelf/")
        self.as_alice.get("/api/stats/")
        self.client.get(f"/books/{self.books[0].pk}/")
        self.assertEqual(self.keys(SITE), [])
        self.assertEqual(self.keys("views.decorators.cache.cache_header.site.*"), [])

    def test_post_is_never_served_from_the_site_cache(self):
        self.client.get("/site/catalogue/")
        with self.assertNumQueries(0):
            self.client.get("/site/catalogue/")
        with self.assertNumQueries(1):  # the view runs (this plain view answers POST too)
            response = self.client.post("/site/catalogue/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(self.keys(SITE)), 1)

    def test_head_is_served_from_the_cached_get(self):
        self.client.get("/site/catalogue/")
        with self.assertNumQueries(0):
            response = self.client.head("/site/catalogue/")
        self.assertEqual(response.status_code, 200)


class TemplateFragmentTests(BooksTestCase):
    def test_fragment_saves_its_queries(self):
        url = f"/books/{self.books[0].pk}/"
        with self.assertNumQueries(3):  # the book, its author, its reviews
            cold = self.client.get(url)
        self.assertContains(cold, "alice: 5/5 superb")
        self.assertContains(cold, "bob: 3/5 fine")
        self.assertTrue(self.keys("template.cache.book_card.*"))
        with self.assertNumQueries(1):  # only the view's own get_object_or_404
            warm = self.client.get(url)
        self.assertEqual(warm.content, cold.content)

    def test_fragments_are_per_book(self):
        a = self.client.get(f"/books/{self.books[0].pk}/").content.decode()
        b = self.client.get(f"/books/{self.books[1].pk}/").content.decode()
        self.assertIn("Book 00", a)
        self.assertIn("Book 01", b)
        self.assertNotIn("Book 00", b)
        self.assertEqual(
            self.keys("template.cache.book_card.*"),
            sorted([book_card_fragment_key(self.books[0].pk), book_card_fragment_key(self.books[1].pk)]),
        )

    def test_new_review_and_edit_reach_the_fragment(self):
        book = self.books[13]
        url = f"/books/{book.pk}/"
        self.assertContains(self.client.get(url), "No reviews yet.")
        response = self.as_bob.post("/api/reviews/", {"book": book.pk, "rating": 2, "text": "slow"}, format="json")
        self.assertEqual(response.status_code, 201)
        page = self.client.get(url)
        self.assertContains(page, "bob: 2/5 slow")
        self.assertNotContains(page, "No reviews yet.")
        book.year = 2001
        book.save()
        self.assertContains(self.client.get(url), "2001")


class UnscopedSiteCacheTests(BooksTestCase):
    """What Django's plain pair would do in front of the API. Django 5.2's
    UpdateCacheMiddleware adds Vary: Authorization by itself when the request carries
    that header, so per-user API responses do not leak; they are stored a second time,
    per user, beside the API's own caches. books.middleware keeps the pair to /site/."""

    @override_settings(
        MIDDLEWARE=[
            "django.middleware.cache.UpdateCacheMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.cache.FetchFromCacheMiddleware",
        ]
    )
    def test_plain_pair_varies_on_authorization_by_itself(self):
        alice = self.as_alice.get("/api/me/shelf/")
        self.assertContains(alice, "alice-secret")
        self.assertIn("Authorization", alice["Vary"])
        bob = self.as_bob.get("/api/me/shelf/")
        self.assertNotContains(bob, "alice-secret")
        self.assertContains(bob, "bob-secret")
        self.assertEqual(len(self.keys(SITE)), 2)  # one more copy per user
        with self.assertNumQueries(0):  # served by the middleware, before DRF authenticates
            self.assertContains(self.as_alice.get("/api/me/shelf/"), "alice-secret")
