"""Runs Django's OWN cache test suite (``BaseCacheTests`` from the Django sdist's
``tests/cache/tests.py``, and the tests there of what sits on top of a cache, see
``ON_TOP``) against ``polycache.django.PolyCache``.

    python tests/django/run.py path/to/Django-X.tar.gz [--values copy]

With ``--values MODE``, every PolyCache of the suite gets ``OPTIONS["VALUES"] = MODE``
(the default, ``"compact"``, otherwise).

The sdist's ``tests/cache`` folder is extracted to ``tests/django/_django_src/<name>/cache``
(gitignored) and imported as the top-level app ``cache``, as Django's own runner does.
Every test must run and pass: a skipped test fails the run.
"""

from __future__ import annotations

import sys
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent

from sdist import extract_cache_tests  # noqa: E402
BACKEND = "polycache.django.PolyCache"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"

# Django's tests of what sits on top of a cache (the cache middleware and cache_page,
# django.utils.cache, i18n-aware keys, TemplateResponse): written against LocMemCache,
# they run again here with every LocMemCache swapped for PolyCache.
ON_TOP = [
    "CacheUtils",
    "PrefixedCacheUtils",
    "CacheHEADTest",
    "CacheI18nTest",
    "PrefixedCacheI18nTest",
    "CacheMiddlewareTest",
    "TestWithTemplateResponse",
]


def with_values(caches: dict, values: str | None) -> dict:
    """`caches` with every cache's OPTIONS["VALUES"] set to `values` (unchanged if None)."""
    if values is not None:
        for c in caches.values():
            c["OPTIONS"] = {**c.get("OPTIONS", {}), "VALUES": values}
    return caches


def main() -> int:
    values = None
    if len(sys.argv) == 4 and sys.argv[2] == "--values":
        values = sys.argv[3]
    elif len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.path.insert(0, str(extract_cache_tests(Path(sys.argv[1]), HERE)))

    import django
    from django.conf import settings

    settings.configure(
        SECRET_KEY="polycache-django-suite",
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "cache"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": {"BACKEND": BACKEND}},
        USE_TZ=False,  # as Django's own test settings (tests/test_sqlite.py, runtests.py)
        LANGUAGE_CODE="en",
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True}],
    )
    django.setup()

    from cache.tests import BaseCacheTests, caches_setting_for_tests  # Django's own
    from django.test import TestCase, override_settings
    from django.test.runner import DiscoverRunner

    @override_settings(CACHES=with_values(caches_setting_for_tests(BACKEND=BACKEND), values))
    class PolyCacheTests(BaseCacheTests, TestCase):
        pass

    from django.core.cache import caches
    from polycache.django import PolyCache

    with override_settings(CACHES=with_values(caches_setting_for_tests(BACKEND=BACKEND), values)):
        assert all(isinstance(caches[alias], PolyCache) for alias in settings.CACHES), "not testing PolyCache"
        assert all(caches[alias]._values == (values or "compact") for alias in settings.CACHES), "not these VALUES"

    import copy

    import cache.tests as django_tests

    def setUp(self) -> None:
        super(type(self), self).setUp()
        assert all(isinstance(caches[alias], PolyCache) for alias in settings.CACHES), "not testing PolyCache"

    suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromTestCase(PolyCacheTests))
    base_count = suite.countTestCases()
    for name in ON_TOP:
        base = getattr(django_tests, name)
        caches_setting = copy.deepcopy(base._overridden_settings["CACHES"])
        assert all(c["BACKEND"] == LOCMEM for c in caches_setting.values()), name
        for c in caches_setting.values():
            c["BACKEND"] = BACKEND
        with_values(caches_setting, values)
        on_polycache = override_settings(CACHES=caches_setting)(type(f"PolyCache{name}", (base,), {"setUp": setUp}))
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(on_polycache))

    runner = DiscoverRunner(verbosity=1, interactive=False)
    runner.setup_test_environment()
    old_config = runner.setup_databases()
    start = time.monotonic()
    try:
        result = runner.run_suite(suite)
    finally:
        runner.teardown_databases(old_config)
        runner.teardown_test_environment()
    took = time.monotonic() - start

    problems = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped) + len(result.expectedFailures)
    passed = result.testsRun - problems - skipped
    print(
        f"Django {django.get_version()}'s own cache tests against {BACKEND}"
        f"{f' VALUES={values}' if values else ''} (Python {sys.version.split()[0]}): "
        f"{result.testsRun} run ({base_count} BaseCacheTests, {result.testsRun - base_count} of "
        f"{', '.join(ON_TOP)}), {passed} passed, "
        f"{len(result.failures)} failed, {len(result.errors)} errors, {skipped} skipped, in {took:.1f}s"
    )
    for test, reason in result.skipped:
        print(f"  skipped: {test}: {reason}")
    return 0 if problems == 0 and skipped == 0 and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
