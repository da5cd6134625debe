"""The fast path against Django itself: for each rule, the same request through Django's
own WSGI application and through FastPathWSGI around it, side by side."""

import json

import pytest
from fastsite.wsgi_client import call
from django.core.cache import caches

from catalog.models import Author, Book
from fastsite import clock, views

pytestmark = pytest.mark.django_db


def run_of(answer):
    return json.loads(answer.body)["run"]


def warm(app, path, **kw):
    first = call(app, path, **kw)
    assert first.status == "200 OK" and first.header("X-Polycache") == "django"
    return first


def test_hit_is_served_fast_and_matches_django(apps):
    django_app, fast_app = apps
    first = warm(fast_app, "/books/?page=2")
    runs = views.CALLS["books"]
    hit = call(fast_app, "/books/?page=2")
    assert hit.header("X-Polycache") == "fast"
    assert views.CALLS["books"] == runs  # neither Django nor the view ran
    assert hit.comparable() == call(django_app, "/books/?page=2").comparable() == first.comparable()
    assert hit.header("Content-Length") == str(len(hit.body))
    assert fast_app.stats() == {"hits": 1, "misses": 1, "refusals": {}, "server_hits": 0}


def test_other_query_string_is_a_miss(apps):
    django_app, fast_app = apps
    warm(fast_app, "/books/?page=2")
    other = call(fast_app, "/books/?page=3")
    assert other.header("X-Polycache") == "django" and run_of(other) == 2
    assert fast_app.stats()["misses"] == 2


def test_head_is_served_as_django_serves_it(apps):
    django_app, fast_app = apps
    warm(fast_app, "/books/")
    head = call(fast_app, "/books/", method="HEAD")
    assert head.header("X-Polycache") == "fast"
    assert head.comparable() == call(django_app, "/books/", method="HEAD").comparable()


def test_head_first_then_head_again(apps):
    """Django stores a HEAD answer under a HEAD key, and looks for it after the GET key."""
    django_app, fast_app = apps
    warm(fast_app, "/books/", method="HEAD")
    again = call(fast_app, "/books/", method="HEAD")
    assert again.header("X-Polycache") == "fast"
    assert again.comparable() == call(django_app, "/books/", method="HEAD").comparable()


def test_vary_is_honoured(apps):
    django_app, fast_app = apps
    a = warm(fast_app, "/by_accept/", headers={"Accept": "application/json"})
    b = call(fast_app, "/by_accept/", headers={"Accept": "text/html"})
    assert b.header("X-Polycache") == "django" and json.loads(b.body)["accept"] == "text/html"
    for accept, expected in (("application/json", a), ("text/html", b)):
        hit = call(fast_app, "/by_accept/", headers={"Accept": accept})
        assert hit.header("X-Polycache") == "fast"
        assert hit.comparable() == expected.comparable()
        assert hit.comparable() == call(django_app, "/by_accept/", headers={"Accept": accept}).comparable()


def test_language_is_part_of_the_key_as_locale_middleware_decides(apps):
    django_app, fast_app = apps
    fr = warm(fast_app, "/lang/", headers={"Accept-Language": "fr"})
    assert json.loads(fr.body)["language"] == "fr"
    en = call(fast_app, "/lang/", headers={"Accept-Language": "en"})
    assert en.header("X-Polycache") == "django" and json.loads(en.body)["language"] == "en"
    hit = call(fast_app, "/lang/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert hit.header("X-Polycache") == "fast" and json.loads(hit.body)["language"] == "fr"
    assert hit.comparable() == call(django_app, "/lang/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).comparable()


def test_language_cookie_picks_the_copy_as_django_does(apps):
    django_app, fast_app = apps
    fr = {"Cookie": "django_language=fr", "Accept-Language": "en"}
    warm(fast_app, "/lang/", headers=fr)
    warm(fast_app, "/lang/", headers={"Accept-Language": "en"})
    for headers, language in ((fr, "fr"), ({"Accept-Language": "en"}, "en")):
        hit = call(fast_app, "/lang/", headers=headers)
        assert hit.header("X-Polycache") == "fast" and json.loads(hit.body)["language"] == language
        assert hit.comparable() == call(django_app, "/lang/", headers=headers).comparable()


@pytest.mark.parametrize(
    "path,reason",
    [("/cookie/", "set-cookie"), ("/per_user/", "per-user-vary"), ("/plain/", "not-eligible")],
)
def test_copies_django_serves_but_the_fast_path_refuses(apps, path, reason):
    django_app, fast_app = apps
    warm(fast_app, path, headers={"Cookie": "sessionid=alice"})
    again = call(fast_app, path, headers={"Cookie": "sessionid=alice"})
    assert again.header("X-Polycache") == "django"
    assert run_of(again) == 1  # Django served its cached copy: the rule is the fast path's own
    assert again.comparable() == call(django_app, path, headers={"Cookie": "sessionid=alice"}).comparable()
    assert fast_app.stats()["refusals"] == {reason: 1}
    assert fast_app.stats()["hits"] == 0


def test_cookie_copy_keeps_its_cookie_through_django(apps):
    _, fast_app = apps
    warm(fast_app, "/cookie/")
    again = call(fast_app, "/cookie/")
    assert "seen=1" in (again.header("Set-Cookie") or "")


@pytest.mark.parametrize("path", ["/private/", "/no_store/"])
def test_private_and_no_store_are_never_stored_so_never_served(apps, path):
    django_app, fast_app = apps
    for n in (1, 2, 3):
        answer = call(fast_app, path)
        assert answer.header("X-Polycache") == "django" and run_of(answer) == n
    assert fast_app.stats() == {"hits": 0, "misses": 3, "refusals": {}, "server_hits": 0}


@pytest.mark.parametrize("directive,reason", [("private", "private"), ("no-store", "no-store"), ("public, no-store", "no-store")])
def test_private_or_no_store_copy_stored_by_other_code_is_refused(apps, directive, reason):
    """Django 5.2 stores neither; another writer of the same keys (older Django, a custom
    middleware) might: the fast path still refuses them."""
    from django.http import HttpResponse
    from django.test import RequestFactory
    from django.utils.cache import learn_cache_key

    from polycache.fast import STAMP

    _, fast_app = apps
    request = RequestFactory().get("/books/")
    request.LANGUAGE_CODE = "en"
    response = HttpResponse(b"secret", headers={"Cache-Control": directive})
    setattr(response, STAMP, ("default", ()))
    cache = caches["default"]
    cache.set(learn_cache_key(request, response, 60, "", cache), response, 60)
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "django" and answer.body == b"secret"  # Django serves it
    assert fast_app.stats()["refusals"] == {reason: 1}


def test_uncached_view_always_reaches_django(apps):
    _, fast_app = apps
    assert [run_of(call(fast_app, "/uncached/")) for _ in range(3)] == [1, 2, 3]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "OPTIONS"])
def test_other_methods_go_to_django(apps, method):
    django_app, fast_app = apps
    warm(fast_app, "/books/")
    answer = call(fast_app, "/books/", method=method)
    assert answer.header("X-Polycache") == "django"
    assert run_of(answer) == 2  # the view ran, as it does under Django alone
    assert fast_app.stats()["refusals"] == {"method": 1}


def test_conditional_requests_go_to_django(apps):
    _, fast_app = apps
    warm(fast_app, "/books/")
    answer = call(fast_app, "/books/", headers={"If-None-Match": '"x"'})
    assert answer.header("X-Polycache") == "django" and run_of(answer) == 1
    assert fast_app.stats()["refusals"] == {"conditional": 1}


def test_model_write_reaches_the_fast_path_at_once(apps, db):
    django_app, fast_app = apps
    herbert = Author.objects.create(name="Herbert")
    Book.objects.create(title="Dune", author=herbert, year=1965)
    warm(fast_app, "/books/")
    assert call(fast_app, "/books/").header("X-Polycache") == "fast"
    Book.objects.create(title="Children of Dune", author=herbert, year=1976)
    after = call(fast_app, "/books/")
    assert after.header("X-Polycache") == "django"
    assert json.loads(after.body)["titles"] == ["Children of Dune", "Dune"]
    assert fast_app.stats()["refusals"] == {"stale": 1}
    # The stale copy was deleted, so Django's own path recomputed (and stored) the new one.
    again = call(fast_app, "/books/")
    assert again.header("X-Polycache") == "fast" and again.comparable() == call(django_app, "/books/").comparable()
    assert json.loads(again.body)["titles"] == ["Children of Dune", "Dune"]


def test_write_while_the_view_runs_is_not_served(apps, monkeypatch):
    """The view read the rows, a write lands, then cache_page stores the old rows: the
    stamp holds the generation read before the view ran, so the copy is refused."""
    _, fast_app = apps
    herbert = Author.objects.create(name="Herbert")
    page = views._page

    def write_after_read(name, request, **extra):
        Book.objects.create(title="Dune Messiah", author=herbert, year=1969)
        return page(name, request, **extra)

    monkeypatch.setattr(views, "_page", write_after_read)
    stale = warm(fast_app, "/books/")
    monkeypatch.setattr(views, "_page", page)
    assert json.loads(stale.body)["titles"] == []
    fresh = call(fast_app, "/books/")
    assert fresh.header("X-Polycache") == "django" and json.loads(fresh.body)["titles"] == ["Dune Messiah"]


def test_expired_copy_is_not_served(apps):
    _, fast_app = apps
    warm(fast_app, "/books/")
    clock.OFFSET[0] = 59.0
    assert call(fast_app, "/books/").header("X-Polycache") == "fast"
    clock.OFFSET[0] = 61.0
    expired = call(fast_app, "/books/")
    assert expired.header("X-Polycache") == "django" and run_of(expired) == 2


def test_lookup_error_hands_the_request_to_django(apps, monkeypatch):
    django_app, fast_app = apps
    warm(fast_app, "/books/")
    cache = caches["default"]

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get", broken)
    answer = call(fast_app, "/books/")
    assert answer.header("X-Polycache") == "django"
    assert answer.status == call(django_app, "/books/").status
    assert fast_app.stats()["refusals"] == {"error": 1}


def test_disallowed_host_is_django_answer(apps):
    django_app, fast_app = apps
    warm(fast_app, "/books/")
    answer = call(fast_app, "/books/", headers={"Host": "evil.example"})
    assert answer.status == call(django_app, "/books/", headers={"Host": "evil.example"}).status == "400 Bad Request"
    assert fast_app.stats()["refusals"] == {"error": 1}


def test_header_is_off_by_default(apps):
    from polycache.fast import FastPathWSGI

    django_app, _ = apps
    quiet = FastPathWSGI(django_app)
    call(quiet, "/books/")
    hit = call(quiet, "/books/")
    assert hit.header("X-Polycache") is None and quiet.stats()["hits"] == 1


def test_key_format_is_checked_against_django_at_start(monkeypatch):
    """If this Django formats keys differently, the fast path uses Django's functions."""
    from django.core.wsgi import get_wsgi_application

    from polycache import fast_keys
    from polycache.fast import FastPathWSGI

    assert fast_keys.matches_django("") and fast_keys.matches_django("site")
    monkeypatch.setattr(fast_keys, "_suffix", lambda language, zone: f".{zone}.{language}")
    assert not fast_keys.matches_django("")
    assert FastPathWSGI(get_wsgi_application())._keys is None
