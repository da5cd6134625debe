"""`manage.py warm OUT_DIR`: warms the default cache the way a Django app does (JSON-like
values, bytes, a pickled object, namespaced, structured and versioned keys, several
TTLs), dumps it signed with the application's key (OPTIONS["SNAPSHOT_KEY"]), and writes
next to it what Django itself answers `--elapsed` ms later, for the JS side to match."""
import datetime
import json
import os

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand

from polycache import Cache, build_key
from warmapp import clock
from warmapp.lookups import answer

LOOKUPS = [
    {"name": "JSON object", "key": "user:42"},
    {"name": "text outside the BMP", "key": "greeting"},
    {"name": "bytes", "key": "avatar"},
    {"name": "pickled datetime", "key": "when"},
    {"name": "integer counter", "key": "hits"},
    {"name": "version 2", "key": "v2key", "version": 2},
    {"name": "namespaced, after 2 invalidations", "ns": "books", "key": "list:1"},
    {"name": "structured key", "key": "",
     "structured": {"resource": "books", "ids": ["42"], "params": [["page", "2"], ["ordering", "-title"]], "scope": "user:7"}},
    {"name": "expired before the edge reads it", "key": "short-lived"},
    {"name": "never written", "key": "nope"},
]


class Command(BaseCommand):
    help = "Warm the cache, dump a signed snapshot and Django's own answers."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--elapsed", type=int, default=10_000, help="ms between the dump and the reads")

    def handle(self, out, elapsed, **options):
        key = settings.CACHES["default"]["OPTIONS"]["SNAPSHOT_KEY"]
        books = cache.namespace("books")
        books.set("list:1", ["stale"], 600)  # written before the invalidations: never read again
        books.invalidate()
        books.invalidate()
        cache.set("user:42", {"name": "Zoë", "roles": ["admin", "editor"], "score": 9.5, "active": True, "manager": None})
        cache.set("greeting", "héllo 😀 𝄞", 60)
        cache.set("avatar", bytes(range(0, 256, 8)), None)
        cache.set("when", datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc), 120)
        cache.set("hits", 7, None)
        cache.set("v2key", "second version", 45, version=2)
        books.set("list:1", ["Dune", "Emma"], 600)
        s = LOOKUPS[7]["structured"]
        cache.set(build_key(s["resource"], *s["ids"], params=s["params"], scope=s["scope"]), {"page": 2, "results": [1, 2, 3]}, 30)
        cache.set("short-lived", "bye", 5)

        created_at = round(clock.now() * 1000)
        snapshot = cache.dump()
        # The same store signed with another key, and unsigned: every loader must refuse both.
        wrong = cache.dump(key="not the application key")
        unsigned = Cache(10_000, clock=clock.now)
        unsigned.load(snapshot, key=key)
        os.makedirs(out, exist_ok=True)
        for name, data in [("django.snap", snapshot), ("django-wrong.snap", wrong), ("django-unsigned.snap", unsigned.dump())]:
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)

        clock.set_now(clock.now() + elapsed / 1000)
        manifest = {
            "created_at": created_at,
            "serve_at": created_at + elapsed,
            "prefix": cache.key_prefix,
            "version": cache.version,
            "lookups": LOOKUPS,
            "answers": [answer(spec) for spec in LOOKUPS],
        }
        with open(os.path.join(out, "django.json"), "w", encoding="utf-8") as f:
            json.dump(manifest, f, ensure_ascii=False, indent=1)
        self.stdout.write(f"django: warmed {len(cache.keys())} keys, dumped {len(snapshot)} bytes signed")
