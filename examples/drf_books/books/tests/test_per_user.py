"""Per-user keys: one reader's private data never reaches another."""
from django.core.cache import cache
from django.db import transaction

from books import caching
from books.caching import my_shelf_fragment_key, shelf_key, shelf_version
from books.models import Book, ShelfEntry

from .base import BooksTestCase


class ShelfPrivacyTests(BooksTestCase):
    def test_each_user_reads_only_their_own_shelf(self):
        alice = self.get_json(self.as_alice, "/api/me/shelf/")
        self.assertEqual([e["note"] for e in alice["results"]], ["alice-secret: gift for mum"])
        self.assertTrue(cache.has_key(shelf_key(self.alice.pk, shelf_version(self.alice.pk), "1")))

        # Bob asks for the same URL right after: his request misses and runs the view.
        with self.counting() as delta:
            bob_response = self.as_bob.get("/api/me/shelf/")
        self.assertGreater(delta.misses, 0)
        self.assertNotIn(b"alice-secret", bob_response.content)
        self.assertEqual([e["note"] for e in bob_response.json()["results"]], ["bob-secret: reread in May"])

        # Both are cached now, under two keys; a repeat costs only the token lookup.
        self.assertEqual(self.keys("shelf:user:*:page:*"), sorted([shelf_key(self.alice.pk, shelf_version(self.alice.pk), "1"), shelf_key(self.bob.pk, shelf_version(self.bob.pk), "1")]))
        with self.assertNumQueries(1):
            again = self.as_bob.get("/api/me/shelf/")
        self.assertNotIn(b"alice-secret", again.content)
        with self.assertNumQueries(1):
            self.assertEqual(self.get_json(self.as_alice, "/api/me/shelf/"), alice)

    def test_version_stamps_never_expire_and_pages_do(self):
        self.get_json(self.as_alice, "/api/me/shelf/")
        self.assertIsNone(cache.ttl(f"shelf:user:{self.alice.pk}:version"))
        page_ttl = cache.ttl(shelf_key(self.alice.pk, shelf_version(self.alice.pk), "1"))
        self.assertTrue(caching.SHELF_TIMEOUT - 5 < page_ttl <= caching.SHELF_TIMEOUT, page_ttl)

    def test_anonymous_gets_401_and_nothing_is_cached(self):
        self.get_json(self.as_alice, "/api/me/shelf/")
        response = self.anon.get("/api/me/shelf/")
        self.assertEqual(response.status_code, 401)
        self.assertNotIn(b"secret", response.content)
        self.assertEqual(self.keys("shelf:user:*:page:*"), [shelf_key(self.alice.pk, shelf_version(self.alice.pk), "1")])

    def test_a_bad_token_never_reads_a_cached_shelf(self):
        self.get_json(self.as_alice, "/api/me/shelf/")
        from rest_framework.test import APIClient

        forged = APIClient(HTTP_AUTHORIZATION="Token " + "0" * 40)
        response = forged.get("/api/me/shelf/")
        self.assertEqual(response.status_code, 401)
        self.assertNotIn(b"secret", response.content)

    def test_adding_to_my_shelf_drops_my_keys_only(self):
        self.get_json(self.as_alice, "/api/me/shelf/")
        self.get_json(self.as_bob, "/api/me/shelf/")
        alice_old = shelf_key(self.alice.pk, shelf_version(self.alice.pk), "1")
        bob_key = shelf_key(self.bob.pk, shelf_version(self.bob.pk), "1")
        self.assertTrue(cache.has_key(alice_old))
        response = self.as_alice.post("/api/me/shelf/", {"book": self.books[7].pk, "note": "alice-secret: book club"}, format="json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertFalse(cache.has_key(alice_old))
        self.assertNotEqual(shelf_key(self.alice.pk, shelf_version(self.alice.pk), "1"), alice_old)
        self.assertEqual(shelf_key(self.bob.pk, shelf_version(self.bob.pk), "1"), bob_key)
        self.assertTrue(cache.has_key(bob_key))
        notes = [e["note"] for e in self.get_json(self.as_alice, "/api/me/shelf/")["results"]]
        self.assertEqual(notes, ["alice-secret: gift for mum", "alice-secret: book club"])
        with self.assertNumQueries(1):
            bob = self.as_bob.get("/api/me/shelf/")
        self.assertNotIn(b"alice-secret", bob.content)

    def test_removing_from_my_shelf_through_the_api(self):
        entry_id = self.get_json(self.as_bob, "/api/me/shelf/")["results"][0]["id"]
        # Alice cannot see, hence cannot delete, Bob's entry.
        self.assertEqual(self.as_alice.delete(f"/api/me/shelf/{entry_id}/").status_code, 404)
        self.assertEqual(self.as_bob.delete(f"/api/me/shelf/{entry_id}/").status_code, 204)
        self.assertEqual(self.get_json(self.as_bob, "/api/me/shelf/")["results"], [])

    def test_paginated_shelf_pages_have_their_own_keys(self):
        for book in self.books[10:22]:
            self.alice.shelf.create(book=book, note=f"alice-secret: {book.pk}")
        page1 = self.get_json(self.as_alice, "/api/me/shelf/")
        page2 = self.get_json(self.as_alice, "/api/me/shelf/?page=2")
        self.assertEqual((page1["count"], len(page1["results"]), len(page2["results"])), (13, 10, 3))
        self.assertEqual(
            self.keys(f"shelf:user:{self.alice.pk}:v*:page:*"),
            sorted([shelf_key(self.alice.pk, shelf_version(self.alice.pk), "1"), shelf_key(self.alice.pk, shelf_version(self.alice.pk), "2")]),
        )
        with self.assertNumQueries(1):
            self.assertEqual(self.get_json(self.as_alice, "/api/me/shelf/?page=2"), page2)
        # a page that is not a number is answered by the paginator, and not cached
        self.get_json(self.as_alice, "/api/me/shelf/?page=x", status=404)
        self.assertEqual(len(self.keys(f"shelf:user:{self.alice.pk}:v*:page:*")), 2)


class ShelfFragmentPrivacyTests(BooksTestCase):
    """The {% cache 300 my_shelf user.pk %} fragment on the HTML book page."""

    def test_per_user_fragment_is_keyed_by_user(self):
        url = f"/books/{self.books[0].pk}/"
        self.client.force_login(self.alice)
        alice_page = self.client.get(url).content.decode()
        self.assertIn("alice-secret: gift for mum", alice_page)
        self.assertTrue(cache.has_key(my_shelf_fragment_key(self.alice.pk, shelf_version(self.alice.pk))))

        self.client.force_login(self.bob)
        bob_page = self.client.get(url).content.decode()
        self.assertIn("bob-secret: reread in May", bob_page)
        self.assertNotIn("alice-secret", bob_page)

        self.client.logout()
        anon_page = self.client.get(url).content.decode()
        self.assertNotIn("secret", anon_page)
        self.assertNotIn("my-shelf", anon_page)

    def test_shelf_change_refreshes_the_fragment(self):
        url = f"/books/{self.books[0].pk}/"
        self.client.force_login(self.bob)
        self.client.get(url)
        self.bob.shelf.create(book=self.books[3], note="bob-secret: new")
        self.assertIn("bob-secret: new", self.client.get(url).content.decode())


class InvalidateOnCommitTests(BooksTestCase):
    """post_save runs before the commit; what a reader caches in between must not last."""

    def test_a_read_cached_between_the_write_and_its_commit_is_dropped(self):
        with self.captureOnCommitCallbacks(execute=True) as callbacks:
            with transaction.atomic():
                ShelfEntry.objects.create(user=self.bob, book=self.books[8], note="bob-secret: late")
                # a concurrent reader that still saw the old rows caches them now
                stale_key = shelf_key(self.bob.pk, shelf_version(self.bob.pk), "1")
                cache.set(stale_key, {"count": 1, "next": None, "previous": None, "results": []}, 300)
                cache.set(caching.my_shelf_fragment_key(self.bob.pk, shelf_version(self.bob.pk)), "stale", 300)
        self.assertTrue(callbacks)
        self.assertFalse(cache.has_key(stale_key))
        notes = [e["note"] for e in self.get_json(self.as_bob, "/api/me/shelf/")["results"]]
        self.assertEqual(notes, ["bob-secret: reread in May", "bob-secret: late"])
        self.client.force_login(self.bob)
        self.assertContains(self.client.get(f"/books/{self.books[0].pk}/"), "bob-secret: late")

    def test_a_catalogue_summary_cached_before_the_commit_is_dropped(self):
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                Book.objects.create(title="Late", author=self.authors[0], year=2020, isbn="978-0-00-999999-9")
                caching.catalogue().set("summary", {"authors": 3, "books": 25, "reviews": 2, "top_rated": []}, 300)
        self.assertEqual(self.get_json(self.anon, "/api/stats/")["books"], 26)
