"""The same caches under Django's real threaded server: concurrent readers and writers
over HTTP on 127.0.0.1, and no response of one user ever reaches another."""
import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import LiveServerTestCase
from rest_framework.authtoken.models import Token

from books.models import Author, Book, Review, ShelfEntry

THREADS = 8
ROUNDS = 30  # requests per thread; bounded in count and time


class ConcurrentUsersLiveServerTests(LiveServerTestCase):
    host = "127.0.0.1"

    def setUp(self):
        cache.clear()
        author = Author.objects.create(name="Tove Jansson")
        self.books = [
            Book.objects.create(title=f"Moomin {i}", author=author, year=1945 + i, isbn=f"978-9-{i:06d}") for i in range(12)
        ]
        self.users = []
        for i in range(4):
            user = User.objects.create_user(f"reader{i}")
            ShelfEntry.objects.create(user=user, book=self.books[i], note=f"secret-of-reader{i}")
            self.users.append((user, Token.objects.create(user=user).key))

    def call(self, path, token=None, method="GET", body=None):
        request = urllib.request.Request(self.live_server_url + path, method=method)
        if token:
            request.add_header("Authorization", f"Token {token}")
        if body is not None:
            request.add_header("Content-Type", "application/json")
            request.data = json.dumps(body).encode()
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()

    def test_concurrent_readers_and_writers_never_see_each_others_data(self):
        before = cache.stats()
        errors = []
        # (no ORM in the client threads: they only talk HTTP, as real clients do)
        initial_of = {user.pk: self.books[i].pk for i, (user, _) in enumerate(self.users)}
        initial = set(initial_of.values())

        def worker(n):
            user, token = self.users[n % len(self.users)]
            me = f"secret-of-{user.username}".encode()
            for r in range(ROUNDS):
                path = ("/api/me/shelf/", "/api/books/", "/api/books/?page=2", f"/api/books/{self.books[r % 12].pk}/")[r % 4]
                status, body = self.call(path, token)
                if status != 200:
                    errors.append((user.username, path, status, body[:200]))
                    continue
                if path == "/api/me/shelf/":
                    others = [b for b in body.split(b'"') if b.startswith(b"secret-of-") and b != me]
                    if others or me not in body:
                        errors.append((user.username, "shelf leak or loss", others))
                if path == "/api/books/":
                    # books 0-3 are each on exactly one reader's shelf, set up before the run:
                    # the page must flag this reader's one and no other reader's.
                    flagged = {b["id"] for b in json.loads(body)["results"] if b["on_my_shelf"]}
                    if flagged & initial != {initial_of[user.pk]}:
                        errors.append((user.username, "shelf flags of another user", flagged & initial))
                if r % 3 == 1:  # the catalogue summary, read while others write reviews
                    status, body = self.call("/api/stats/")
                    if status != 200:
                        errors.append(("anonymous", "/api/stats/", status, body[:200]))
                if r % 6 == 2:
                    book = self.books[(3 * n + r) % 12]
                    status, body = self.call("/api/reviews/", token, "POST", {"book": book.pk, "rating": 1 + r % 5})
                    if status not in (201, 400):  # 400: this reader already reviewed it
                        errors.append((user.username, "review", status, body[:200]))
                if r % 10 == 5:  # a write in the middle of the readers
                    book = self.books[4 + (n + r) % 8]
                    status, body = self.call("/api/me/shelf/", token, "POST", {"book": book.pk, "note": f"secret-of-{user.username}"})
                    if status not in (201, 400):  # 400: already on the shelf
                        errors.append((user.username, "write", status, body[:200]))

        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(worker, range(THREADS)))
        self.assertEqual(errors, [])

        after = cache.stats()
        self.assertGreater(after["hits"], before["hits"])
        # The final state read over HTTP matches the database: no reader put back a
        # value it computed before a write that had already invalidated it
        status, body = self.call("/api/stats/")
        self.assertEqual(json.loads(body)["reviews"], Review.objects.count())
        for user, token in self.users:
            status, body = self.call("/api/me/shelf/", token)
            notes_in_db = ShelfEntry.objects.filter(user=user).count()
            self.assertEqual(json.loads(body)["count"], notes_in_db)
        # every shelf the server now holds is keyed by its owner and has only the owner's notes
        for user, _token in self.users:
            keys = cache.keys(f"shelf:user:{user.pk}:v*:page:*")
            self.assertTrue(keys)
            for key in keys:
                cached = json.dumps(cache.get(key))
                self.assertIn(f"secret-of-{user.username}", cached)
                self.assertNotIn("secret-of-reader", cached.replace(f"secret-of-{user.username}", ""))
