"""pytest hooks that run django-redis's tests/test_backend.py on polycache (see
habits_suite.py): Django settings, the ``cache`` fixture (PolyCache, then TieredCache),
the selection and the tally."""

from __future__ import annotations

import os
import re
import uuid
from collections import defaultdict
from types import SimpleNamespace
from typing import Dict, List, Set

import pytest

BACKENDS = ("PolyCache", "TieredCache")
TIERED_URL = os.environ["POLYCACHE_REDIS_URL"].rsplit("/", 1)[0] + "/6"  # a db of its own

# Why a test of django-redis's suite is not run on polycache.
OUT_OF_SCOPE = {
    "Redis hashes and sets, which polycache does not offer": re.compile(
        r"test_(h(set|del|len|keys|exists)|hash_.*|s(add|card|diff.*|inter|ismember|move|pop.*|randmember.*|rem|scan.*|mismember|union.*)|interstore)$"
    ),
    "django-redis's client object (mocked, its pipeline, its replicas)": re.compile(
        r"test_(set_call_empty_pipeline|delete_pattern_with_.*|close_uninitialized_client|close_client|close_with_signal_parameter|primary_replica_switching.*)$"
    ),
}

# Failures allowed, with the reason (bindings-python/README.md says the same).
EXPECTED_FAILURES = {
    ("PolyCache", name): "a PolyCache lock is not a cache entry (so no eviction or cull can break it): has_key does not see it"
    for name in ("test_lock", "test_lock_not_blocking")
}

_outcomes: Dict[str, Dict[str, List[str]]] = {b: defaultdict(list) for b in BACKENDS}
_deselected: Dict[str, Set[str]] = defaultdict(set)


def pytest_configure(config: pytest.Config) -> None:
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            SECRET_KEY="django-redis-suite-on-polycache",
            CACHES={"default": {"BACKEND": "polycache.django.PolyCache", "LOCATION": "django-redis-suite"}},
            INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes"],
            USE_TZ=False,
        )
        django.setup()


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    keep, drop = [], []
    for item in items:
        name = item.originalname  # type: ignore[attr-defined]
        reason = next((r for r, pattern in OUT_OF_SCOPE.items() if pattern.match(name)), None)
        if reason is None:
            keep.append(item)
        else:
            _deselected[reason].add(name)
            drop.append(item)
    config.hook.pytest_deselected(items=drop)
    items[:] = keep


# django-redis's tests read ``cache.client`` to skip what their herd/shard clients lack
# and to pick the expected format of their default pickle serializer: polycache is that
# case (one server, values pickled, no compression).
_CLIENT = SimpleNamespace(_serializer=object(), _has_compression_enabled=lambda: False)


def _backend(name: str):  # type: ignore[no-untyped-def]
    from polycache.django import PolyCache
    from polycache.tiered import TieredCache

    if name == "PolyCache":
        cache = type("SuitePolyCache", (PolyCache,), {"client": _CLIENT})(f"suite-{uuid.uuid4().hex}", {})
    else:
        cache = type("SuiteTieredCache", (TieredCache,), {"client": _CLIENT})(TIERED_URL, {})
    cache.clear()
    return cache


@pytest.fixture(params=BACKENDS)
def cache(request):  # type: ignore[no-untyped-def]
    c = _backend(request.param)
    yield c
    c.clear()


@pytest.fixture
def settings():  # type: ignore[no-untyped-def]
    from settings_wrapper import SettingsWrapper  # django-redis's, from the sdist

    wrapper = SettingsWrapper()
    yield wrapper
    wrapper.finalize()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call" or report.outcome != "passed":
        backend = next((b for b in BACKENDS if f"[{b}]" in report.nodeid), None)
        if backend is not None and (report.when == "call" or report.outcome == "failed"):
            _outcomes[backend][report.outcome].append(report.nodeid.split("::")[-1].split("[")[0])


def summarize(sdist: str) -> bool:
    ok = True
    left_out = sum(len(v) for v in _deselected.values())
    print(f"\ndjango-redis's own tests/test_backend.py ({sdist}) on polycache: {left_out} tests left out")
    for reason, names in _deselected.items():
        print(f"  left out, {reason}: {len(names)}")
    for backend in BACKENDS:
        got = _outcomes[backend]
        failed = sorted(set(got["failed"]))
        unexpected = [n for n in failed if (backend, n) not in EXPECTED_FAILURES]
        run = len(got["passed"]) + len(failed) + len(got["skipped"])
        print(f"  {backend}: {run} run, {len(got['passed'])} passed, {len(failed)} failed, {len(got['skipped'])} skipped")
        for name in failed:
            why = EXPECTED_FAILURES.get((backend, name), "UNEXPECTED")
            print(f"    failed: {name}: {why}")
        ok &= not unexpected and run > 0 and not got["skipped"]
    print("django-redis suite: as expected" if ok else "django-redis suite: FAILED")
    return ok
