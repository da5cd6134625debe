"""`manage.py serve IN_DIR`: loads the snapshot JavaScript dumped (js.snap, signed with
the application's key) into the default cache, answers the lookups of js.json at its
`serve_at`, and checks that js-wrong.snap and js-unsigned.snap are refused without
changing the cache. Prints one JSON object."""
import json
import os

from django.core.cache import cache
from django.core.management.base import BaseCommand

from polycache import SnapshotError
from warmapp import clock
from warmapp.lookups import answer


class Command(BaseCommand):
    help = "Load the JS snapshot and answer its lookups as Django."

    def add_arguments(self, parser):
        parser.add_argument("dir")

    def handle(self, dir, **options):
        with open(os.path.join(dir, "js.json"), encoding="utf-8") as f:
            manifest = json.load(f)
        read = lambda name: open(os.path.join(dir, name), "rb").read()  # noqa: E731
        clock.set_now(manifest["serve_at"] / 1000)
        cache.set("before-the-load", 1, None)
        refusals = []
        for name in ["js-wrong.snap", "js-unsigned.snap"]:
            before = cache.dump(key=b"fingerprint of the cache")
            try:
                cache.load(read(name))
                refusals.append({"name": name, "refused": False})
            except SnapshotError as e:
                refusals.append({"name": name, "refused": True, "error": str(e), "unchanged": cache.dump(key=b"fingerprint of the cache") == before})
        loaded = cache.load(read("js.snap"))
        out = {
            "loaded": loaded,
            "answers": [answer(spec) for spec in manifest["lookups"]],
            "refusals": refusals,
            "replaced": cache.get("before-the-load") is None,
        }
        self.stdout.write(json.dumps(out, ensure_ascii=False))
