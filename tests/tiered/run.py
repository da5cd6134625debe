"""Runs the TieredCache tests against a real redis-server:

1. Django's OWN cache suite (``BaseCacheTests`` from the Django sdist's
   ``tests/cache/tests.py``) against ``polycache.tiered.TieredCache``;
2. ours, in this folder (``test_*.py``): API beyond Django, several real OS processes
   (cross-process invalidation, late start, reconnect), faults with Redis stopped, hung
   or pausing writes (both IGNORE_EXCEPTIONS modes, bounded time), the fault suite
   during writes from three processes (test_chaos), lost namespace counters, user code
   that calls the cache, and fork() with locks held.

    POLYCACHE_REDIS_URL=redis://127.0.0.1:PORT/0 python tests/tiered/run.py path/to/Django-X.tar.gz

``POLYCACHE_REDIS_OPTIONS`` (JSON) adds OPTIONS to every cache of the run: mk/tiered.mk runs
Django's suite and test_api on a Redis Cluster that way (``{"CLUSTER": true}``).

As Django does for its own RedisCache, the ``cull`` / ``zero_cull`` caches are left out of
the settings (Redis does not cull by entry count), so Django's three culling tests skip
themselves with "Culling isn't implemented."; those three are the only skips allowed and
they are listed in the summary. Any other skip, failure or error fails the run.
"""

from __future__ import annotations

import json
import os
import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "django"))

from sdist import extract_cache_tests  # noqa: E402
BACKEND = "polycache.tiered.TieredCache"
ALLOWED_SKIPS = {"test_cull", "test_zero_cull", "test_cull_delete_when_store_empty"}


def summarize(title: str, result: unittest.TestResult, took: float, allowed_skips: set) -> bool:
    bad_skips = [(t, r) for t, r in result.skipped if t._testMethodName not in allowed_skips]
    def tests(pairs):  # a test with failing subtests counts once
        return {getattr(t, "test_case", t).id() for t, _ in pairs}

    failed, errors = tests(result.failures), tests(result.errors)
    bad = failed | errors | tests((t, None) for t in result.unexpectedSuccesses) | tests(result.expectedFailures)
    skipped = len(result.skipped)
    passed = result.testsRun - len(bad) - skipped
    problems = len(bad)
    print(
        f"{title}: {result.testsRun} run, {passed} passed, {len(failed)} failed, "
        f"{len(errors - failed)} errors, {skipped} skipped, in {took:.1f}s"
    )
    for test, reason in result.skipped:
        allowed = "" if (test, reason) in bad_skips else " (as for Django's own RedisCache)"
        print(f"  skipped: {test._testMethodName}: {reason}{allowed}")
    return problems == 0 and not bad_skips and result.testsRun > 0


def main() -> int:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    url = os.environ.get("POLYCACHE_REDIS_URL")
    if not url:
        raise SystemExit("set POLYCACHE_REDIS_URL=redis://127.0.0.1:PORT/0")
    options = json.loads(os.environ.get("POLYCACHE_REDIS_OPTIONS") or "{}")
    extra = {"OPTIONS": options} if options else {}
    only = set(sys.argv[2:])  # optional: "django" and/or our module names
    sys.path.insert(0, str(extract_cache_tests(Path(sys.argv[1]), HERE)))
    sys.path.insert(0, str(HERE))

    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="polycache-tiered-suite",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "cache"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": BACKEND, "LOCATION": url, **extra}},
        USE_TZ=True,
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    )
    django.setup()

    from cache.tests import BaseCacheTests, caches_setting_for_tests  # Django's own
    from django.core.cache import caches
    from django.test import TestCase, override_settings
    from django.test.runner import DiscoverRunner

    from polycache.tiered import TieredCache

    setting = caches_setting_for_tests(BACKEND=BACKEND, LOCATION=url, exclude={"cull", "zero_cull"}, **extra)

    @override_settings(CACHES=setting)
    class TieredCacheDjangoTests(BaseCacheTests, TestCase):
        pass

    with override_settings(CACHES=setting):
        assert all(isinstance(caches[alias], TieredCache) for alias in setting), "not testing TieredCache"

    runner = DiscoverRunner(verbosity=1, interactive=False)
    runner.setup_test_environment()
    old_config = runner.setup_databases()
    ok = True
    try:
        if not only or "django" in only:
            suite = unittest.defaultTestLoader.loadTestsFromTestCase(TieredCacheDjangoTests)
            start = time.monotonic()
            result = runner.run_suite(suite)
            ok &= summarize(
                f"Django {django.get_version()} BaseCacheTests against {BACKEND} (Python {sys.version.split()[0]}, "
                f"real redis-server{', OPTIONS ' + json.dumps(options) if options else ''})",
                result, time.monotonic() - start, ALLOWED_SKIPS,
            )
            with override_settings(CACHES=setting):
                s = caches["default"].stats()  # the tier every alias of the suite shared
            print(
                f"  during the suite: {s['hits']} tier-1 hits, {s['redis_hits']} Redis hits, "
                f"{s['redis_misses']} Redis misses, {s['redis_errors']} Redis errors"
            )
            ok &= s["hits"] > 0
        for path in sorted(HERE.glob("test_*.py")):
            if only and path.stem not in only:
                continue
            suite = unittest.defaultTestLoader.loadTestsFromName(path.stem)
            start = time.monotonic()
            result = runner.run_suite(suite)
            ok &= summarize(f"tests/tiered/{path.name}", result, time.monotonic() - start, set())
    finally:
        runner.teardown_databases(old_config)
        runner.teardown_test_environment()
    print("tiered: all passed" if ok else "tiered: FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
