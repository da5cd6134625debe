"""drf-extensions' cache_response, and the "catalogue" namespace invalidated on write."""
from django.core.cache import cache

from books import caching
from books.models import Author, Book

from .base import BooksTestCase


class AuthorsCacheResponseTests(BooksTestCase):
    def test_list_is_cached_by_cache_response(self):
        with self.assertNumQueries(2):  # COUNT and the annotated SELECT
            cold = self.anon.get("/api/authors/")
        self.assertEqual(cold.status_code, 200)
        with self.counting() as delta, self.assertNumQueries(0):
            warm = self.anon.get("/api/authors/")
        self.assertEqual(warm.content, cold.content)
        self.assertEqual(delta.misses, 0)
        self.assertGreaterEqual(delta.hits, 1)
        counts = {a["name"]: a["book_count"] for a in warm.json()["results"]}
        self.assertEqual(counts, {"Ursula Le Guin": 9, "Stanislaw Lem": 8, "Octavia Butler": 8})

    def test_pagination_and_search_are_part_of_the_key(self):
        for i in range(12):
            Author.objects.create(name=f"Author {i:02d}")
        page1 = self.get_json(self.anon, "/api/authors/")
        page2 = self.get_json(self.anon, "/api/authors/?page=2")
        found = self.get_json(self.anon, "/api/authors/?search=lem")
        self.assertEqual(len(page1["results"]), 10)
        self.assertEqual(len(page2["results"]), 5)
        self.assertEqual([a["name"] for a in found["results"]], ["Stanislaw Lem"])
        for url, expected in (("/api/authors/?page=2", page2), ("/api/authors/?search=lem", found), ("/api/authors/", page1)):
            with self.assertNumQueries(0):
                self.assertEqual(self.get_json(self.anon, url), expected)

    def test_detail_is_cached_per_pk(self):
        a, b = self.authors[0], self.authors[1]
        self.assertEqual(self.get_json(self.anon, f"/api/authors/{a.pk}/")["name"], a.name)
        self.assertEqual(self.get_json(self.anon, f"/api/authors/{b.pk}/")["name"], b.name)
        with self.assertNumQueries(0):
            self.assertEqual(self.get_json(self.anon, f"/api/authors/{b.pk}/")["name"], b.name)
        # errors are not cached (DEFAULT_CACHE_ERRORS = False)
        self.get_json(self.anon, "/api/authors/999999/", status=404)
        with self.assertNumQueries(1):
            self.get_json(self.anon, "/api/authors/999999/", status=404)

    def test_a_new_book_bumps_book_count_through_the_namespace(self):
        author = self.authors[1]
        self.assertEqual(self.get_json(self.anon, f"/api/authors/{author.pk}/")["book_count"], 8)
        self.get_json(self.anon, "/api/authors/")
        Book.objects.create(title="Solaris", author=author, year=1961, isbn="978-0-15-602760-1")
        self.assertEqual(self.get_json(self.anon, f"/api/authors/{author.pk}/")["book_count"], 9)
        listed = {a["id"]: a["book_count"] for a in self.get_json(self.anon, "/api/authors/")["results"]}
        self.assertEqual(listed[author.pk], 9)

    def test_author_rename_is_fresh(self):
        self.get_json(self.anon, "/api/authors/")
        author = self.authors[2]
        author.name = "Octavia E. Butler"
        author.save()
        names = [a["name"] for a in self.get_json(self.anon, "/api/authors/")["results"]]
        self.assertIn("Octavia E. Butler", names)


class CatalogueNamespaceTests(BooksTestCase):
    def test_stats_summary_is_computed_once_per_generation(self):
        with self.assertNumQueries(4):  # three counts and the top-rated query
            cold = self.get_json(self.anon, "/api/stats/")
        self.assertEqual((cold["authors"], cold["books"], cold["reviews"]), (3, 25, 2))
        self.assertEqual(cold["top_rated"], [{"id": self.books[0].pk, "title": "Book 00", "average": 4.0, "reviews_count": 2}])
        with self.assertNumQueries(0):
            self.assertEqual(self.get_json(self.anon, "/api/stats/"), cold)

    def test_review_through_the_api_invalidates_the_namespace(self):
        self.get_json(self.anon, "/api/stats/")
        response = self.as_alice.post("/api/reviews/", {"book": self.books[4].pk, "rating": 5}, format="json")
        self.assertEqual(response.status_code, 201)
        stats = self.get_json(self.anon, "/api/stats/")
        self.assertEqual(stats["reviews"], 3)
        self.assertEqual([row["id"] for row in stats["top_rated"]], [self.books[4].pk, self.books[0].pk])

    def test_invalidate_drops_the_whole_namespace_and_nothing_else(self):
        for url in ("/api/stats/", "/api/authors/", "/api/authors/?page=2", f"/api/authors/{self.authors[0].pk}/"):
            self.get_json(self.anon, url, status=200 if "page=2" not in url else 404)
        self.get_json(self.anon, f"/api/books/{self.books[0].pk}/")
        self.get_json(self.anon, "/api/books/")
        outside = self.keys("book:*") + self.keys("views.decorators.cache.*")
        self.assertTrue(outside)

        caching.invalidate_catalogue()

        # Everything in the namespace is gone at once...
        with self.assertNumQueries(4):
            self.get_json(self.anon, "/api/stats/")
        with self.assertNumQueries(2):
            self.get_json(self.anon, "/api/authors/")
        with self.assertNumQueries(1):
            self.get_json(self.anon, f"/api/authors/{self.authors[0].pk}/")
        # ...and the keys outside it are untouched.
        for key in outside:
            self.assertTrue(cache.has_key(key), key)
        with self.assertNumQueries(0):
            self.get_json(self.anon, f"/api/books/{self.books[0].pk}/")
            self.get_json(self.anon, "/api/books/")

    def test_namespaced_keys_do_not_collide_with_plain_keys(self):
        ns = cache.namespace(caching.CATALOGUE)
        ns.set("summary", "inside", 60)
        cache.set("summary", "outside", 60)
        self.assertEqual(ns.get("summary"), "inside")
        self.assertEqual(cache.get("summary"), "outside")
        ns.invalidate()
        self.assertIsNone(ns.get("summary"))
        self.assertEqual(cache.get("summary"), "outside")

    def test_a_store_that_raced_an_invalidate_is_dropped(self):
        # A reader starts (pins generation g), a writer invalidates, the reader stores
        # what it computed before the write: that value must not be served afterwards.
        reader = caching.catalogue()
        cache.namespace(caching.CATALOGUE).invalidate()
        reader.set("summary", {"stale": True}, 60)
        self.assertIsNone(caching.catalogue().get("summary"))
        # without an invalidate in between, the same store is kept
        reader = caching.catalogue()
        reader.set("summary", {"stale": False}, 60)
        self.assertEqual(caching.catalogue().get("summary"), {"stale": False})
