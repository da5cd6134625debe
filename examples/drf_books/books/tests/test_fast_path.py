"""books_site/wsgi.py: the /api/v2/ responses answered by polycache.fast before Django
runs, side by side with Django's own WSGI application: the same answer, never another
reader's, never after a write or a deleted token."""
import io
import json
from wsgiref.util import setup_testing_defaults

from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from rest_framework.authtoken.models import Token

from books.models import ShelfEntry
from books_site.wsgi import application as fast_application

from .base import BooksTestCase


def call(app, path, token=None):
    path, _, query = path.partition("?")
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query, "wsgi.input": io.BytesIO(b""),
               "HTTP_HOST": "testserver"}
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"], seen["headers"] = status, headers

    body = b"".join(app(environ, start_response))
    return seen["status"], sorted((k.lower(), v) for k, v in seen["headers"] if k.lower() not in ("date", "server")), body


class FastPathTests(BooksTestCase):
    def setUp(self):
        super().setUp()
        # As Django's test client does: a request must not close the test's transaction.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        self.django = get_wsgi_application()
        self.hits = lambda: fast_application.stats()["hits"]

    def tearDown(self):
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
        super().tearDown()

    def assert_same(self, fast, django):
        """Status, headers and body as Django's; a per-reader fast copy also says
        Vary: Cookie, Authorization (for HTTP caches between the server and the client)."""
        def split(answer):
            status, headers, body = answer
            vary = {v.strip().lower() for k, value in headers if k == "vary" for v in value.split(",")}
            return (status, [h for h in headers if h[0] != "vary"], body), vary

        (fast_answer, fast_vary), (django_answer, django_vary) = split(fast), split(django)
        self.assertEqual(fast_answer, django_answer)
        self.assertLessEqual(django_vary, fast_vary)

    def assert_fast(self, path, token=None):
        first = call(fast_application, path, token)
        before = self.hits()
        again = call(fast_application, path, token)
        self.assertEqual(self.hits(), before + 1, path)  # answered before Django ran
        self.assert_same(again, first)
        self.assert_same(again, call(self.django, path, token))  # what Django itself answers
        return json.loads(again[2])

    def test_public_stats_and_per_reader_pages_are_served_fast_as_django_serves_them(self):
        self.assert_fast("/api/v2/stats/")
        self.assert_fast("/api/v2/books/?page=2", self.alice_token)
        self.assert_fast("/api/v2/books/?page=2")

    def test_a_shelf_reaches_its_reader_only(self):
        alice = self.assert_fast("/api/v2/me/shelf/", self.alice_token)
        self.assertIn("alice-secret", json.dumps(alice))
        for _ in range(2):
            bob = json.loads(call(fast_application, "/api/v2/me/shelf/", self.bob_token)[2])
            self.assertNotIn("alice-secret", json.dumps(bob))
            self.assertIn("bob-secret", json.dumps(bob))
        status, _, _ = call(fast_application, "/api/v2/me/shelf/")
        self.assertEqual(status, "401 Unauthorized")

    def test_a_write_and_a_deleted_token_retire_the_fast_copies(self):
        self.assert_fast("/api/v2/me/shelf/", self.alice_token)
        ShelfEntry.objects.create(user=self.alice, book=self.books[3], note="alice-new")
        hits = self.hits()
        status, _, body = call(fast_application, "/api/v2/me/shelf/", self.alice_token)
        self.assertEqual(self.hits(), hits)
        self.assertIn("alice-new", body.decode())
        Token.objects.filter(user=self.alice).delete()
        status, _, _ = call(fast_application, "/api/v2/me/shelf/", self.alice_token)
        self.assertEqual(status, "401 Unauthorized")
        self.assertEqual(self.hits(), hits)
