"""Runs Django's OWN session tests for the cache-backed engines (``CacheSessionTests``,
``CacheDBSessionTests``, ``CacheDBSessionWithTimeZoneTests`` from the Django sdist's
``tests/sessions_tests/tests.py``) with the session cache on a polycache backend:

    python tests/sessions/run.py path/to/Django-X.tar.gz polycache.django.PolyCache
    POLYCACHE_REDIS_URL=redis://127.0.0.1:PORT/0 \\
        python tests/sessions/run.py path/to/Django-X.tar.gz polycache.tiered.TieredCache

``django.contrib.sessions.backends.cache`` and ``.cached_db`` keep the session in
``caches[SESSION_CACHE_ALIAS]``; here every cache those tests configure as LocMemCache is
the backend under test instead (Django's DummyCache and its deliberately failing cache stay
what they are: those tests are about the session engine's reaction to them). Every test
must run and pass: a skipped test fails the run.
"""

from __future__ import annotations

import os
import sys
import time
import unittest
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "django"))

from sdist import extract_tests  # noqa: E402

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
CLASSES = ["CacheSessionTests", "CacheDBSessionTests", "CacheDBSessionWithTimeZoneTests"]


def on_backend(caches_setting: dict, backend: str, location: str | None) -> dict:
    """``caches_setting`` with each LocMemCache replaced by ``backend``."""
    swapped = {}
    for alias, conf in caches_setting.items():
        conf = dict(conf)
        if conf["BACKEND"] == LOCMEM:
            conf["BACKEND"] = backend
            if location is not None:
                conf["LOCATION"] = location
        swapped[alias] = conf
    return swapped


def swap_method_overrides(cls: type, backend: str, location: str | None) -> int:
    """Points the ``@override_settings(CACHES=...)`` of ``cls``'s test methods at
    ``backend``; the number of overrides changed. Django keeps the decorator instance in
    the closure of the function it returns."""
    from django.test.utils import override_settings

    changed = 0
    for name in dir(cls):
        func = getattr(cls, name)
        for cell in getattr(func, "__closure__", None) or ():
            deco = cell.cell_contents
            if isinstance(deco, override_settings) and "CACHES" in deco.options:
                new = on_backend(deco.options["CACHES"], backend, location)
                changed += new != deco.options["CACHES"]
                deco.options["CACHES"] = new
    return changed


def main() -> int:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sdist, backend = Path(sys.argv[1]), sys.argv[2]
    location = os.environ.get("POLYCACHE_REDIS_URL") if backend.endswith("TieredCache") else None
    if backend.endswith("TieredCache") and not location:
        raise SystemExit("set POLYCACHE_REDIS_URL=redis://127.0.0.1:PORT/0")
    # `cache` holds failing_cache.py, which CacheDBSessionTests uses by its dotted path
    sys.path.insert(0, str(extract_tests(sdist, HERE, "sessions_tests", "cache")))

    import django
    from django.conf import settings

    default = {"BACKEND": backend, **({"LOCATION": location} if location else {})}
    settings.configure(
        SECRET_KEY="polycache-sessions-suite",
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "django.contrib.sessions",
            "sessions_tests",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        CACHES={"default": default},
        USE_TZ=False,  # as Django's own test settings; one class re-runs with USE_TZ=True
    )
    django.setup()

    import sessions_tests.tests as django_tests  # Django's own
    from django.core.cache import caches
    from django.core.cache.backends.base import CacheKeyWarning
    from django.test.runner import DiscoverRunner
    from django.utils.module_loading import import_string

    backend_class = import_string(backend)
    suite = unittest.TestSuite()
    counts = {}
    swapped = 0
    for name in CLASSES:
        base = getattr(django_tests, name)
        swapped += swap_method_overrides(base, backend, location)

        def setUp(self, base=base):
            base.setUp(self)
            # the session's cache is the backend under test, not a stand-in
            assert isinstance(self.session._cache, backend_class), type(self.session._cache)

        cls = type(f"{name.replace('Tests', '')}On{backend_class.__name__}", (base,), {"setUp": setUp})
        tests = unittest.defaultTestLoader.loadTestsFromTestCase(cls)
        counts[name] = tests.countTestCases()
        suite.addTests(tests)
    if swapped == 0:
        raise SystemExit("no LocMemCache override found to put the backend in: has Django's suite changed?")

    caches["default"].clear()
    runner = DiscoverRunner(verbosity=1, interactive=False)
    runner.setup_test_environment()
    old_config = runner.setup_databases()
    start = time.monotonic()
    # Django's tests silence the key warning of an overlong session key by module
    # (ignore_warnings(module="django.core.cache.backends.base")): one that gets past that
    # filter comes from a backend that warns from elsewhere, and fails the run.
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", CacheKeyWarning)
        try:
            result = runner.run_suite(suite)
        finally:
            runner.teardown_databases(old_config)
            runner.teardown_test_environment()
    took = time.monotonic() - start
    escaped = [w for w in seen if issubclass(w.category, CacheKeyWarning)]
    for w in seen:
        if w not in escaped:
            warnings.showwarning(w.message, w.category, w.filename, w.lineno)

    problems = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped) + len(result.expectedFailures)
    passed = result.testsRun - problems - skipped
    where = " (real redis-server)" if location else ""
    print(
        f"Django {django.get_version()}'s own session tests (cache and cached_db engines) against "
        f"{backend}{where}, Python {sys.version.split()[0]}: {result.testsRun} run "
        f"({', '.join(f'{n} {c}' for n, c in counts.items())}), {passed} passed, "
        f"{len(result.failures)} failed, {len(result.errors)} errors, {skipped} skipped, in {took:.1f}s"
    )
    for test, reason in result.skipped:
        print(f"  skipped: {test}: {reason}")
    for w in escaped:
        print(f"  key warning past Django's filter, from {w.filename}:{w.lineno}: {str(w.message)[:80]}...")
    ok = not escaped
    if location:  # the sessions went through Redis, not only the in-process tier
        s = caches["default"].stats()
        print(f"  Redis during the suite: {s['redis_hits']} hits, {s['redis_misses']} misses, {s['redis_errors']} errors")
        ok &= s["redis_hits"] + s["redis_misses"] > 0 and s["redis_errors"] == 0
    return 0 if problems == 0 and skipped == 0 and result.testsRun > 0 and ok else 1


if __name__ == "__main__":
    sys.exit(main())
