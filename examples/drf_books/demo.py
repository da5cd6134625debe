"""Run the drf_books example in-process and show what the cache does.

For each caching pattern of the example it times the same request cold (the cache
cleared before each request) and cached (the response already in the cache), with
Django's test client, and counts the SQL queries of each. Then it prints the cache's
own stats(). Every number below is measured on this run; nothing is typed in.

    python demo.py [--cold N] [--warm N]
"""
import argparse
import json
import os
import pickle
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "books_site.settings")
os.environ.setdefault("DRF_BOOKS_DB", ":memory:")

import django  # noqa: E402

django.setup()

import rest_framework  # noqa: E402
from books.models import Author, Book, Review, ShelfEntry  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

N_AUTHORS, N_BOOKS, N_USERS, REVIEWS_PER_USER, SHELF_PER_USER = 40, 400, 20, 60, 12


def seed():
    call_command("migrate", verbosity=0)
    rng = random.Random(42)
    Author.objects.bulk_create(Author(name=f"Author {i:03d}", bio="A writer. " * 20) for i in range(N_AUTHORS))
    authors = list(Author.objects.all())
    Book.objects.bulk_create(
        Book(title=f"Book {i:04d}", author=authors[i % N_AUTHORS], year=1900 + i % 120, isbn=f"978-1-{i:08d}")
        for i in range(N_BOOKS)
    )
    books = list(Book.objects.all())
    users = [User(username=f"reader{i:02d}") for i in range(N_USERS)]
    User.objects.bulk_create(users)
    users = list(User.objects.all())
    Token.objects.bulk_create(Token(user=u, key=f"{u.pk:040d}") for u in users)
    Review.objects.bulk_create(
        Review(book=b, user=u, rating=rng.randint(1, 5), text="review text " * 5)
        for u in users
        for b in rng.sample(books, REVIEWS_PER_USER)
    )
    ShelfEntry.objects.bulk_create(
        ShelfEntry(user=u, book=b, note=f"private note of {u.username}") for u in users for b in rng.sample(books, SHELF_PER_USER)
    )
    return books, users


class Scenario:
    def __init__(self, pattern, label, url, *, token=None, login=None):
        self.pattern, self.label, self.url = pattern, label, url
        self.client = Client(HTTP_AUTHORIZATION=f"Token {token}") if token else Client()
        if login is not None:
            self.client.force_login(login)

    def request(self):
        response = self.client.get(self.url)
        if response.status_code != 200:
            raise SystemExit(f"demo: GET {self.url} answered {response.status_code}")
        return response

    def timed(self):
        start = time.perf_counter()
        self.request()
        return (time.perf_counter() - start) * 1000

    def queries(self):
        with CaptureQueriesContext(connection) as ctx:
            self.request()
        return len(ctx.captured_queries)

    def measure(self, n_cold, n_warm):
        cold = []
        for _ in range(n_cold):
            cache.clear()
            cold.append(self.timed())
        cache.clear()
        cold_queries = self.queries()
        warm_queries = self.queries()
        warm = [self.timed() for _ in range(n_warm)]
        return statistics.median(cold), statistics.median(warm), cold_queries, warm_queries


def build_scenarios(books, users):
    reader, other = users[0], users[1]
    token = Token.objects.get(user=reader).key
    book = books[7]
    return [
        Scenario("cache_page + Vary: Authorization", "GET /api/books/  anonymous", "/api/books/"),
        Scenario("cache_page, paginated, per token", "GET /api/books/?page=3  token", "/api/books/?page=3", token=token),
        Scenario("manual cache in retrieve (pk)", f"GET /api/books/{book.pk}/", f"/api/books/{book.pk}/"),
        Scenario("drf-extensions cache_response", "GET /api/authors/?page=2", "/api/authors/?page=2"),
        Scenario("namespace 'catalogue'", "GET /api/stats/", "/api/stats/"),
        Scenario("per-user keys", "GET /api/me/shelf/  token", "/api/me/shelf/", token=token),
        Scenario("site-wide cache middleware", "GET /site/catalogue/", "/site/catalogue/"),
        Scenario("{% cache %} fragments (+ per user)", f"GET /books/{book.pk}/  logged in", f"/books/{book.pk}/", login=other),
    ]


def backend_costs(books, batches=7, per_batch=2000):
    """The cache's own share of a cached request: cache.get of the values the views read,
    timed directly (median over batches), with their pickled sizes."""
    from books.caching import BOOK_LIST_PREFIX, book_detail_key
    from django.test import RequestFactory
    from django.utils.cache import get_cache_key

    cache.clear()
    client = Client()
    book = books[7]
    client.get("/api/books/")
    client.get(f"/api/books/{book.pk}/")
    page_key = get_cache_key(RequestFactory().get("/api/books/"), BOOK_LIST_PREFIX, "GET", cache=cache)
    targets = [("the /api/books/ page (a pickled response)", page_key), ("a book's detail (a dict)", book_detail_key(book.pk))]
    costs = []
    for label, key in targets:
        value = cache.get(key)
        if value is None:
            raise SystemExit(f"demo: {key} is not in the cache")
        size = len(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
        runs = []
        for _ in range(batches):
            start = time.perf_counter()
            for _ in range(per_batch):
                cache.get(key)
            runs.append((time.perf_counter() - start) / per_batch * 1e6)
        costs.append((label, size, statistics.median(runs)))
    return costs


def print_invalidation_costs(sizes=(1_000, 10_000), repeats=21):
    """What one write costs the cache: delete_pattern (a scan of every key) for the
    cache_page lists, against a namespace invalidate() (one counter)."""
    from books import caching

    print(f"\nInvalidation on a write, by the number of entries in the cache (median of {repeats}):")
    for size in sizes:
        cache.clear()
        cache.set_many({f"filler:{i}": i for i in range(size)}, 300)
        scans, bumps = [], []
        for _ in range(repeats):
            start = time.perf_counter()
            caching.invalidate_book_lists()
            scans.append((time.perf_counter() - start) * 1000)
        for _ in range(repeats):
            start = time.perf_counter()
            caching.invalidate_catalogue()
            bumps.append((time.perf_counter() - start) * 1000)
        print(
            f"  {size:>6,} entries: delete_pattern of the cached list pages {statistics.median(scans):7.3f} ms,"
            f"  namespace invalidate() {statistics.median(bumps):7.4f} ms"
        )
    cache.clear()


def run_other_backend(name, args):
    """The same measurements in a child process on another backend (e.g. LocMemCache)."""
    env = dict(os.environ, DRF_BOOKS_CACHE=name)
    cmd = [sys.executable, __file__, "--json", "--cold", str(args.cold), "--warm", str(args.warm)]
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=25, help="cold requests per pattern (median taken)")
    parser.add_argument("--warm", type=int, default=200, help="cached requests per pattern (median taken)")
    parser.add_argument("--compare", default="locmem", help="backend to time alongside ('' for none)")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    books, users = seed()
    scenarios = build_scenarios(books, users)
    rows = [s.measure(args.cold, args.warm) for s in scenarios]
    stats_after_requests = cache.stats() if hasattr(cache, "stats") else {}
    costs = backend_costs(books)
    if args.json:
        print(json.dumps({"rows": rows, "costs": costs}))
        return 0
    other = run_other_backend(args.compare, args) if args.compare else None
    other_rows = other["rows"] if other else None

    backend = settings.CACHES["default"]["BACKEND"]
    print("polycache in a Django + DRF project: examples/drf_books")
    print(f"Django {django.get_version()}, Django REST framework {rest_framework.VERSION}, Python {sys.version.split()[0]}")
    print(f"cache backend: {backend}")
    print(
        f"data: {N_AUTHORS} authors, {N_BOOKS} books, {Review.objects.count()} reviews, "
        f"{N_USERS} readers with {ShelfEntry.objects.count()} private shelf entries (SQLite in memory)"
    )
    print()
    compare_head = f" {args.compare + ' cached':>14}" if other_rows else ""
    header = (
        f"{'pattern':<35} {'request':<30} {'cold ms':>8} {'cached ms':>10} {'speed-up':>9} {'SQL cold->cached':>17}"
        + compare_head
    )
    print(header)
    print("-" * len(header))
    for i, (s, (cold, warm, q_cold, q_warm)) in enumerate(zip(scenarios, rows, strict=True)):
        line = f"{s.pattern:<35} {s.label:<30} {cold:>8.2f} {warm:>10.3f} {cold / warm:>8.1f}x {q_cold:>9} -> {q_warm:<4}"
        if other_rows:
            line += f" {other_rows[i][1]:>11.3f} ms"
        print(line)
    print()
    print(
        f"medians of {args.cold} cold requests (cache cleared before each) and {args.warm} cached ones, "
        "Django's test client, in process."
    )
    print("A cached request with a token still runs one query (DRF's token lookup); the logged-in")
    print("page still runs three (session, user, and the book its fragments are keyed on).")
    if other_rows:
        print(f"The last column is the same cached request with the {args.compare} backend, in a child process.")

    print("\nThe cache's own share of a cached request: cache.get of what the views read")
    print(f"(median of 7 batches of 2,000 gets each){', next to ' + args.compare if other else ''}:")
    for i, (label, size, micros) in enumerate(costs):
        line = f"  {label:<44} {size:>6} bytes  {micros:>6.2f} us"
        if other:
            line += f"   {args.compare}: {other['costs'][i][2]:.2f} us"
        print(line)

    if hasattr(cache, "namespace"):
        print_invalidation_costs()

    # A write, then the same request: fresh data, from the invalidation hooks.
    book = books[7]
    client = Client()
    cache.clear()
    before = client.get(f"/api/books/{book.pk}/").json()["title"]
    obj = Book.objects.get(pk=book.pk)
    obj.title = before + " (revised)"
    obj.save()
    after = client.get(f"/api/books/{book.pk}/").json()["title"]
    print(f"\nafter a write: GET /api/books/{book.pk}/ title {before!r} -> {after!r} (post_save receiver)")

    # Privacy check on the per-user cache: the other reader never sees the first one's shelf.
    reader, other = users[0], users[1]
    mine = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=reader).key}").get("/api/me/shelf/")
    theirs = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=other).key}").get("/api/me/shelf/").content
    leak = f"private note of {reader.username}".encode() in theirs
    print(
        f"per-user keys: {reader.username}'s shelf cached ({mine.status_code}), {other.username} asks the same URL -> "
        f"{'LEAK' if leak else 'sees only their own notes'}"
    )

    n_requests = len(scenarios) * (args.cold + 2 + args.warm)
    print(f"\ncache stats() after the {n_requests:,} timed requests above (before the direct gets):")
    for name, value in stats_after_requests.items():
        print(f"  {name:<16} {value:.4f}" if isinstance(value, float) else f"  {name:<16} {value}")
    return 1 if leak else 0


if __name__ == "__main__":
    sys.exit(main())
