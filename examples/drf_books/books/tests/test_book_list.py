"""cache_page + vary_on_headers("Authorization") on the DRF list view, paginated."""
from books.caching import BOOK_LIST_PREFIX, book_rating_key, invalidate_book_lists
from books.models import Book, ShelfEntry

from .base import N_BOOKS, BooksTestCase

PAGES = f"views.decorators.cache.cache_page.{BOOK_LIST_PREFIX}.*"


class BookListCachePageTests(BooksTestCase):
    def test_second_anonymous_request_is_a_cache_hit_with_no_query(self):
        # cold: COUNT, the page's SELECT, one rating aggregate per book on the page
        with self.assertNumQueries(12):
            first = self.anon.get("/api/books/")
        self.assertEqual(first.status_code, 200)
        self.assertEqual(len(self.keys(PAGES)), 1)
        with self.counting() as delta, self.assertNumQueries(0):
            second = self.anon.get("/api/books/")
        self.assertEqual(second.status_code, 200)
        self.assertEqual(second.content, first.content)
        self.assertGreaterEqual(delta.hits, 2)  # the header key and the page itself
        self.assertEqual(delta.misses, 0)
        self.assertIn("max-age=60", second["Cache-Control"])
        self.assertIn("Authorization", second["Vary"])

    def test_each_token_gets_its_own_copy(self):
        alice_books = self.get_json(self.as_alice, "/api/books/")["results"]
        on_alices_shelf = {b["id"] for b in alice_books if b["on_my_shelf"]}
        self.assertEqual(on_alices_shelf, {self.books[1].pk})

        # Bob's first request is not answered from Alice's copy: it runs the view.
        with self.counting() as delta:
            bob_books = self.get_json(self.as_bob, "/api/books/")["results"]
        self.assertGreater(delta.misses, 0)
        self.assertEqual({b["id"] for b in bob_books if b["on_my_shelf"]}, {self.books[2].pk})

        anon_books = self.get_json(self.anon, "/api/books/")["results"]
        self.assertFalse(any(b["on_my_shelf"] for b in anon_books))
        self.assertEqual(len(self.keys(PAGES)), 3)  # anonymous, Alice, Bob

        # Alice again: served from her copy; the only query is the token lookup.
        with self.assertNumQueries(1):
            again = self.get_json(self.as_alice, "/api/books/")["results"]
        self.assertEqual(again, alice_books)

    def test_anonymous_copy_cached_first_is_not_served_to_a_token(self):
        # Django adds Vary: Authorization by itself only to responses for requests that
        # carry the header; vary_on_headers puts it on the anonymous response too, so
        # the URL's learned header list keeps Authorization in the key.
        anon = self.anon.get("/api/books/")
        self.assertIn("Authorization", anon["Vary"])
        alice = self.get_json(self.as_alice, "/api/books/")["results"]
        self.assertEqual({b["id"] for b in alice if b["on_my_shelf"]}, {self.books[1].pk})
        with self.assertNumQueries(0):
            self.assertEqual(self.anon.get("/api/books/").content, anon.content)

    def test_pages_are_cached_under_their_own_keys(self):
        page1 = self.get_json(self.anon, "/api/books/")
        page2 = self.get_json(self.anon, "/api/books/?page=2")
        page3 = self.get_json(self.anon, "/api/books/?page=3")
        self.assertEqual(page1["count"], N_BOOKS)
        self.assertEqual([len(p["results"]) for p in (page1, page2, page3)], [10, 10, N_BOOKS - 20])
        self.assertEqual(len(self.keys(PAGES)), 3)
        for url, expected in (("/api/books/?page=2", page2), ("/api/books/", page1), ("/api/books/?page=3", page3)):
            with self.assertNumQueries(0):
                self.assertEqual(self.get_json(self.anon, url), expected)
        # an out-of-range page is a 404, and a 404 is not cached
        self.anon.get("/api/books/?page=9")
        self.assertEqual(len(self.keys(PAGES)), 3)

    def test_create_through_the_api_drops_every_cached_page(self):
        for url in ("/api/books/", "/api/books/?page=3"):
            self.get_json(self.anon, url)
            self.get_json(self.as_bob, url)
        self.assertEqual(len(self.keys(PAGES)), 4)
        response = self.as_alice.post(
            "/api/books/",
            {"title": "The Dispossessed", "author": self.authors[0].pk, "year": 1974, "isbn": "978-0-06-051275-4"},
            format="json",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(self.keys(PAGES), [])
        page3 = self.get_json(self.anon, "/api/books/?page=3")
        self.assertEqual(page3["count"], N_BOOKS + 1)
        self.assertEqual(page3["results"][-1]["title"], "The Dispossessed")

    def test_orm_update_and_delete_reach_the_cached_list(self):
        self.get_json(self.anon, "/api/books/")
        book = self.books[3]
        book.title = "Solaris"
        book.save()  # not through the API: the post_save receiver does the work
        titles = [b["title"] for b in self.get_json(self.anon, "/api/books/")["results"]]
        self.assertIn("Solaris", titles)
        Book.objects.get(pk=self.books[4].pk).delete()
        ids = [b["id"] for b in self.get_json(self.anon, "/api/books/")["results"]]
        self.assertNotIn(self.books[4].pk, ids)

    def test_shelf_change_refreshes_the_users_flag(self):
        self.get_json(self.as_bob, "/api/books/")
        ShelfEntry.objects.create(user=self.bob, book=self.books[5], note="")
        flagged = {b["id"] for b in self.get_json(self.as_bob, "/api/books/")["results"] if b["on_my_shelf"]}
        self.assertEqual(flagged, {self.books[2].pk, self.books[5].pk})

    def test_rating_field_is_served_from_the_cache_when_the_page_is_not(self):
        self.get_json(self.anon, "/api/books/")
        self.assertTrue(all(key in self.keys("book:*:rating") for key in [book_rating_key(b.pk) for b in self.books[:10]]))
        # Drop only the cached pages: the ratings stay, so the ten aggregates are not run again.
        self.assertGreater(invalidate_book_lists(), 0)
        with self.assertNumQueries(2):  # COUNT and SELECT only
            rebuilt = self.get_json(self.anon, "/api/books/")
        first = rebuilt["results"][0]
        self.assertEqual(first["rating"], {"average": 4.0, "count": 2})
        self.assertEqual(rebuilt["results"][1]["rating"], {"average": None, "count": 0})
