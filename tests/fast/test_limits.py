"""The fast path's own state under load and bad input: counters under threads, the key
builder's memo within its bound, a clear error for a model polycache.drf does not know."""

import threading

import pytest
from fastsite.wsgi_client import call

pytestmark = pytest.mark.django_db


def test_threads_share_counters_and_copies(apps):
    _, fast_app = apps
    first = call(fast_app, "/by_accept/?t=1")
    bodies, errors = [], []

    def worker():
        try:
            for n in range(100):
                bodies.append(call(fast_app, f"/by_accept/?t={n % 3 + 1}").body)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stats = fast_app.stats()
    assert stats["hits"] + stats["misses"] == 401 and stats["refusals"] == {}
    assert bodies.count(first.body) == 4 * 34  # every ?t=1 answer is the one stored copy


def test_memo_stays_within_its_bound(monkeypatch):
    from django.core.wsgi import get_wsgi_application

    from polycache import fast_keys
    from polycache.fast import FastPathWSGI

    monkeypatch.setattr(fast_keys, "_MEMO_MAX", 5)
    fast_app = FastPathWSGI(get_wsgi_application(), header=True)
    sizes = []
    for n in range(12):
        call(fast_app, f"/by_accept/?n={n}")
        sizes.append(len(fast_app._keys._memo))
    assert max(sizes) == 5 and sizes[-1] <= 5
    for n in range(12):  # cleared entries are recomputed, not wrong
        assert call(fast_app, f"/by_accept/?n={n}").header("X-Polycache") == "fast"


def test_unregistered_model_is_a_clear_error():
    from catalog.models import Log
    from polycache import fast

    with pytest.raises(ValueError, match="not registered with polycache.drf.register"):
        fast.eligible(depends_on=[Log])


def test_options_key_prefix_and_fixed_headers(apps):
    from polycache.fast import FastPathWSGI

    django_app, default = apps
    call(default, "/prefixed/")
    assert call(default, "/prefixed/").header("X-Polycache") == "django"  # another key prefix: Django's
    assert default.stats()["misses"] == 2
    pre = FastPathWSGI(django_app, key_prefix="pre", header="X-Path", headers=[("X-Frame-Options", "DENY")])
    hit = call(pre, "/prefixed/")
    assert hit.header("X-Path") == "fast" and hit.header("X-Frame-Options") == "DENY"
    assert hit.body == call(django_app, "/prefixed/").body
