"""polycache.drf responses served by the fast path (cache_response(fast=True)): the copy
drf_fast stores is found from the raw request, beside Django + DRF answering the same
request. Each test would serve another user's data, a stale copy or skip a throttle if
its rule were broken."""

import json

import pytest
from django.contrib.auth.models import User
from fastsite.wsgi_client import call
from rest_framework.authtoken.models import Token

from catalog.models import Author, Book
from fastsite import api
from polycache import drf

pytestmark = pytest.mark.django_db


def token(name, staff=False):
    user, _ = User.objects.get_or_create(username=name, defaults={"is_staff": staff})
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


def body(answer):
    return json.loads(answer.body)


def same_as_django(fast, django):
    """Status, body and headers as Django + DRF answer; Vary may lack the Cookie that
    SessionMiddleware adds when DRF's SessionAuthentication reads the session (docs)."""
    def split(answer):
        status, headers, content = answer.comparable()
        vary = {v.strip().lower() for k, v in headers if k == "vary" for v in v.split(",")}
        return status, [h for h in headers if h[0] != "vary"], content, vary

    f, d = split(fast), split(django)
    assert f[:3] == d[:3]
    assert d[3] - {"cookie"} <= f[3]


def fast_twice(app, path, headers=None):
    first = call(app, path, headers=headers)
    assert first.header("X-Polycache") == "django", first.status
    hit = call(app, path, headers=headers)
    assert hit.header("X-Polycache") == "fast", (hit.status, hit.body)
    assert hit.body == first.body
    return hit


def test_a_public_view_is_served_fast_as_drf_serves_it(apps):
    django_app, fast_app = apps
    hit = fast_twice(fast_app, "/api/public/?page=2")
    assert api.CALLS["public"] == 1
    same_as_django(hit, call(django_app, "/api/public/?page=2"))
    other = call(fast_app, "/api/public/?page=3")  # another query string: its own copy
    assert other.header("X-Polycache") == "django" and body(other)["query"] == "page=3"


def test_the_accept_header_picks_the_copy(apps):
    django_app, fast_app = apps
    as_json = fast_twice(fast_app, "/api/public/", {"Accept": "application/json"})
    as_text = call(fast_app, "/api/public/", headers={"Accept": "text/plain"})
    assert as_text.header("X-Polycache") == "django" and as_text.header("Content-Type").startswith("text/plain")
    for accept, expected in (("application/json", as_json), ("text/plain", as_text)):
        hit = call(fast_app, "/api/public/", headers={"Accept": accept})
        assert hit.header("X-Polycache") == "fast" and hit.body == expected.body
        same_as_django(hit, call(django_app, "/api/public/", headers={"Accept": accept}))


def test_a_model_write_retires_the_fast_copy(apps):
    _, fast_app = apps
    fast_twice(fast_app, "/api/public/")
    Book.objects.create(title="Use of Weapons", author=Author.objects.create(name="Banks"), year=1990)
    after = call(fast_app, "/api/public/")
    assert after.header("X-Polycache") == "django" and "Use of Weapons" in body(after)["titles"]
    assert fast_app.stats()["refusals"] == {"stale": 1}
    assert call(fast_app, "/api/public/").header("X-Polycache") == "fast"


def test_a_public_copy_never_answers_a_bad_token(apps):
    """DRF answers an unknown token 401 even on a public view: no public copy for it."""
    django_app, fast_app = apps
    fast_twice(fast_app, "/api/public/")
    bad = {"Authorization": "Token nope"}
    answer = call(fast_app, "/api/public/", headers=bad)
    assert answer.status == "401 Unauthorized" and answer.header("X-Polycache") == "django"
    assert call(django_app, "/api/public/", headers=bad).status == "401 Unauthorized"


def test_a_per_user_copy_reaches_only_its_token(apps):
    django_app, fast_app = apps
    alice, bob = token("alice"), token("bob")
    hit = fast_twice(fast_app, "/api/mine/", alice)
    assert body(hit)["user"] == "alice"
    same_as_django(hit, call(django_app, "/api/mine/", headers=alice))
    for _ in range(2):
        assert body(call(fast_app, "/api/mine/", headers=bob))["user"] == "bob"
    anonymous = call(fast_app, "/api/mine/")
    assert anonymous.status in ("401 Unauthorized", "403 Forbidden") and anonymous.header("X-Polycache") == "django"
    assert {"cookie", "authorization"} <= {v.strip().lower() for v in hit.header("Vary").split(",")}


def test_a_deleted_token_misses(apps):
    _, fast_app = apps
    alice = token("alice")
    fast_twice(fast_app, "/api/mine/", alice)
    Token.objects.filter(user__username="alice").delete()
    after = call(fast_app, "/api/mine/", headers=alice)
    assert after.status == "401 Unauthorized" and after.header("X-Polycache") == "django"


def test_a_logged_out_session_misses(apps):
    _, fast_app = apps
    login = call(fast_app, "/login_as/?user=erin", method="POST")
    erin = {"Cookie": f"sessionid={json.loads(login.body)['session']}"}
    assert body(fast_twice(fast_app, "/api/mine/", erin))["user"] == "erin"
    call(fast_app, "/logout_now/", method="POST", headers=erin)
    after = call(fast_app, "/api/mine/", headers=erin)
    assert after.header("X-Polycache") == "django" and after.status == "401 Unauthorized"


def test_public_but_staff_only_is_kept_per_credential(apps):
    _, fast_app = apps
    staff = token("root", staff=True)
    assert body(fast_twice(fast_app, "/api/staff/", staff))["view"] == "staff"
    for headers in ({}, token("mallory")):
        answer = call(fast_app, "/api/staff/", headers=headers)
        assert answer.status in ("401 Unauthorized", "403 Forbidden") and answer.header("X-Polycache") == "django"


def test_a_throttled_view_is_never_served_fast(apps):
    _, fast_app = apps
    refused = drf.stats()["fast_refused"]
    answers = [call(fast_app, "/api/throttled/", headers={"X-Forwarded-For": "10.0.0.9"}) for _ in range(5)]
    assert [a.header("X-Polycache") for a in answers] == ["django"] * 5
    assert [a.status[:3] for a in answers] == ["200", "200", "200", "429", "429"]  # the throttle ran each time
    assert drf.stats()["fast_refused"] - refused == 3


def test_a_view_without_fast_is_not_served_fast(apps):
    _, fast_app = apps
    for _ in range(3):
        assert call(fast_app, "/api/not_fast/").header("X-Polycache") == "django"
    assert api.CALLS["not_fast"] == 1  # polycache.drf served its own copy


def test_a_fast_copy_the_store_refuses_loses_nothing(apps, monkeypatch):
    from django.core.cache import caches

    _, fast_app = apps
    cache = caches["default"]
    real_set = cache.set

    def refusing(key, value, *args, **kwargs):
        if key.startswith("polycache.fast.drf:"):
            raise RuntimeError("store refused")
        return real_set(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", refusing)
    unstored = drf.stats()["fast_unstored"]
    first = call(fast_app, "/api/public/")
    again = call(fast_app, "/api/public/")
    assert first.status == again.status == "200 OK" and first.body == again.body
    assert again.header("X-Polycache") == "django" and api.CALLS["public"] == 1  # drf's own copy served
    assert drf.stats()["fast_unstored"] - unstored == 2


def test_a_fast_copy_made_on_a_drf_hit_expires_with_the_drf_copy_expired(apps, monkeypatch):
    """A fast copy lives as long as the DRF copy stays fresh, also one made on a DRF hit
    (another raw request for the same DRF key: query parameters in another order)."""
    import time

    from fastsite import clock

    _, fast_app = apps

    def at(seconds):
        clock.OFFSET[0] = seconds  # the cache's clock (PolyCache: tests/fast/settings.py)
        monkeypatch.setattr(drf, "clock", lambda: time.time() + seconds)  # polycache.drf's freshness

    at(0)
    assert call(fast_app, "/api/public/?a=1&b=2").header("X-Polycache") == "django"
    at(200)
    swapped = call(fast_app, "/api/public/?b=2&a=1")
    assert swapped.header("X-Polycache") == "django" and body(swapped)["run"] == 1  # a DRF hit
    at(250)
    assert call(fast_app, "/api/public/?b=2&a=1").header("X-Polycache") == "fast"
    at(301)
    after = call(fast_app, "/api/public/?b=2&a=1")
    assert after.header("X-Polycache") == "django" and body(after)["run"] == 2


def test_a_view_authenticated_by_another_header_gets_no_fast_copy(apps):
    """An API-key header is not in the fast key: with a copy, the next key's owner would
    get the first one's page. Refused: each user gets their own answer from DRF."""
    _, fast_app = apps
    refused = drf.stats()["fast_refused"]
    for name in ("kim", "lee", "kim", "lee"):
        answer = call(fast_app, "/api/by_api_key/", headers={"X-Api-Key": name})
        assert answer.header("X-Polycache") == "django" and body(answer)["user"] == name
    assert drf.stats()["fast_refused"] - refused == 4
