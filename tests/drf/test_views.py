"""polycache.drf on real DRF views (tests/drf/catalog): hits run no query, every kind of
write is visible on the very next read of every list page, filter and detail it affects,
one user's private responses never reach another, keys vary on what they must."""

import base64
import random

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient, APIRequestFactory

from catalog import views
from catalog.models import Book, Plain, Review, ShelfEntry, Tag
from polycache import drf

pytestmark = pytest.mark.django_db


def client_for(user=None):
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


def get(client, url, **extra):
    response = client.get(url, **extra)
    return response.status_code, response.content


# ---- hits: no query, the view does not run ----------------------------------------------


@pytest.mark.parametrize("url", ["/api/books/", "/api/books/?page=2", "/api/books/?tag=classic", "/api/books/{pk}/", "/api/books/{pk}/reviews/", "/api/stats/"])
def test_repeated_requests_run_no_query(catalog, url):
    url = url.format(pk=catalog["books"][1].pk)
    c = client_for(catalog["alice"])
    with CaptureQueriesContext(connection) as cold:
        first = get(c, url)
    assert first[0] == 200 and len(cold) > 0
    runs = sum(views.CALLS.values())
    for _ in range(5):
        with CaptureQueriesContext(connection) as warm:
            assert get(c, url) == first
        assert len(warm) == 0, [q["sql"] for q in warm]
    assert sum(views.CALLS.values()) == runs  # the view never ran again


def test_query_count_stays_flat_with_authentication(catalog):
    """Basic auth looks the user up on every request: a hit costs exactly that query."""
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"alice:pw-alice").decode())
    counts = []
    for _ in range(6):
        with CaptureQueriesContext(connection) as q:
            assert c.get("/api/books/").status_code == 200
        counts.append(len(q))
    assert counts[0] > 1
    assert counts[1:] == [1] * 5, counts
    assert views.CALLS["books.list"] == 1


# ---- writes: visible on the very next read ----------------------------------------------

URLS = [
    "/api/books/",
    "/api/books/?page=2",
    "/api/books/?page=3",
    "/api/books/?author=Herbert",
    "/api/books/?year=1965",
    "/api/books/?tag=classic&tag=scifi",
    "/api/books/?tag=classic",
    "/api/books/{b0}/",
    "/api/books/{b1}/",
    "/api/books/{b1}/reviews/",
    "/api/shelf/",
    "/api/stats/",
]


def _new_title(cat, c):
    b = cat["books"][1]
    b.title = "Dune (revised)"
    b.save()


def _api_create(cat, c):
    assert c.post("/api/books/", {"title": "Use of Weapons", "author": cat["authors"][2].pk, "year": 1990}).status_code == 201


def _api_update(cat, c):
    assert c.patch(f"/api/books/{cat['books'][1].pk}/", {"title": "Dune Messiah"}).status_code == 200


def _api_delete(cat, c):
    assert c.delete(f"/api/books/{cat['books'][0].pk}/").status_code == 204


def _queryset_update(cat, c):
    assert Book.objects.filter(author__name="Herbert").update(year=1966) == 2


def _queryset_delete(cat, c):
    Book.objects.filter(year__lt=1970).delete()


def _bulk_create(cat, c):
    Book.objects.bulk_create([Book(title=f"Culture {i}", author=cat["authors"][2], year=2000 + i) for i in range(4)])


def _bulk_update(cat, c):
    books = list(Book.objects.filter(author__name="Le Guin"))
    for b in books:
        b.year = 1965
    Book.objects.bulk_update(books, ["year"])


def _m2m_add(cat, c):
    cat["books"][0].tags.add(cat["tags"][1])


def _m2m_reverse_add(cat, c):
    cat["tags"][1].books.add(cat["books"][3])


def _m2m_remove(cat, c):
    cat["books"][1].tags.remove(cat["tags"][1])


def _m2m_clear(cat, c):
    cat["tags"][0].books.clear()


def _review_create(cat, c):
    Review.objects.create(book=cat["books"][1], user=cat["bob"], rating=1)


def _review_queryset_update(cat, c):
    Review.objects.filter(book=cat["books"][1]).update(rating=2)


def _review_delete(cat, c):
    Review.objects.get(book=cat["books"][1]).delete()


def _author_rename(cat, c):
    a = cat["authors"][1]
    a.name = "Frank Herbert"
    a.save()


def _author_delete_cascades(cat, c):
    cat["authors"][1].delete()


def _shelf_add(cat, c):
    ShelfEntry.objects.create(user=cat["alice"], book=cat["books"][0], note="new")


def _shelf_api_add(cat, c):
    assert c.post("/api/shelf/", {"book": cat["books"][4].pk, "note": "via the API"}).status_code == 201


def _tag_create(cat, c):
    Tag.objects.create(name="space opera")


def _in_a_transaction(cat, c):
    with transaction.atomic():
        _new_title(cat, c)
        _review_create(cat, c)


WRITES = [
    _new_title,
    _api_create,
    _api_update,
    _api_delete,
    _queryset_update,
    _queryset_delete,
    _bulk_create,
    _bulk_update,
    _m2m_add,
    _m2m_reverse_add,
    _m2m_remove,
    _m2m_clear,
    _review_create,
    _review_queryset_update,
    _review_delete,
    _author_rename,
    _author_delete_cascades,
    _shelf_add,
    _shelf_api_add,
    _tag_create,
    _in_a_transaction,
]


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.__name__.strip("_"))
def test_a_write_is_visible_on_the_next_read_of_every_page_filter_and_detail(catalog, write):
    urls = [u.format(b0=catalog["books"][0].pk, b1=catalog["books"][1].pk) for u in URLS]
    c = client_for(catalog["alice"])
    before = {u: get(c, u) for u in urls}
    runs = sum(views.CALLS.values())
    assert {u: get(c, u) for u in urls} == before and sum(views.CALLS.values()) == runs  # all cached

    write(catalog, c)

    after = {u: get(c, u) for u in urls}
    caches["default"].clear()
    truth = {u: get(c, u) for u in urls}  # computed with nothing cached
    for u in urls:
        assert after[u] == truth[u], f"{write.__name__}: {u} served a stale response"
    assert any(after[u] != before[u] for u in urls), f"{write.__name__} changed nothing the test reads"


def test_update_without_the_invalidating_manager_needs_invalidate(catalog):
    """Django sends no signal for QuerySet.update(): on a model with Django's default
    manager the cached response stays until polycache.drf.invalidate(Model)."""
    Plain.objects.create(value=1)
    view = PlainView.as_view()
    factory = APIRequestFactory()
    assert view(factory.get("/plain/")).content == b'{"total":1}'
    Plain.objects.update(value=5)  # no signal, no InvalidatingQuerySet
    assert view(factory.get("/plain/")).content == b'{"total":1}'  # stale, as documented
    assert drf.invalidate(Plain) == {"catalog.plain"}
    assert view(factory.get("/plain/")).content == b'{"total":5}'


class PlainView(drf.CacheResponseMixin, views.APIView):
    cache_resource = Plain
    cache_public = True

    def get(self, request):
        return views.Response({"total": sum(Plain.objects.values_list("value", flat=True))})


# ---- privacy ------------------------------------------------------------------------------


def test_one_users_private_response_never_reaches_another(catalog):
    alice, bob = client_for(catalog["alice"]), client_for(catalog["bob"])
    a = alice.get("/api/shelf/")
    b = bob.get("/api/shelf/")
    assert b"alice's secret note" in a.content and b"bob's secret note" not in a.content
    assert b"bob's secret note" in b.content and b"alice's secret note" not in b.content
    assert client_for().get("/api/shelf/").status_code == 401  # anonymous: refused before the cache
    # the books list is private too (on_my_shelf differs)
    la, lb, anon = alice.get("/api/books/").json(), bob.get("/api/books/").json(), client_for().get("/api/books/").json()
    mine = lambda page: [b["id"] for b in page["results"] if b["on_my_shelf"]]  # noqa: E731
    assert mine(la) == [catalog["books"][1].pk] and mine(lb) == [catalog["books"][2].pk] and mine(anon) == []
    assert views.CALLS["books.list"] == 3


def test_privacy_under_random_interleaving(catalog):
    """Three clients (two users and anonymous) over private URLs in a random order,
    each answer compared with the one computed for that client with nothing cached."""
    clients = {"alice": client_for(catalog["alice"]), "bob": client_for(catalog["bob"]), "anon": client_for()}
    urls = ["/api/books/", "/api/books/?page=2", f"/api/books/{catalog['books'][1].pk}/", "/api/shelf/"]
    truth = {}
    for who, c in clients.items():
        for u in urls:
            caches["default"].clear()
            truth[who, u] = get(c, u)
    caches["default"].clear()
    rng = random.Random(8)
    for _ in range(200):
        who, u = rng.choice(list(clients)), rng.choice(urls)
        assert get(clients[who], u) == truth[who, u], (who, u)
    assert len({truth["alice", "/api/shelf/"], truth["bob", "/api/shelf/"]}) == 2


def test_a_public_view_is_shared_by_everyone(catalog):
    for who in (catalog["alice"], catalog["bob"], None):
        assert client_for(who).get("/api/stats/").json()["books"] == 7
    assert views.CALLS["stats"] == 1


def test_a_custom_scope_replaces_the_user(catalog):
    class TeamView(drf.CacheResponseMixin, views.APIView):
        cache_resource = Book

        def get_cache_scope(self, request):
            return "team:1"  # everyone here is on team 1

        def get(self, request):
            views.ran("team")
            return views.Response({"user": request.user.username})

    factory = APIRequestFactory()
    from rest_framework.test import force_authenticate

    requests = [factory.get("/team/"), factory.get("/team/")]
    force_authenticate(requests[0], catalog["alice"])
    force_authenticate(requests[1], catalog["bob"])
    answers = [TeamView.as_view()(r).content for r in requests]
    assert answers == [b'{"user":"alice"}'] * 2 and views.CALLS["team"] == 1


# ---- what the key varies on ---------------------------------------------------------------


def test_renderer_format_language_and_query_order(catalog):
    c = client_for(catalog["alice"])
    j = c.get("/api/books/?format=json")
    html = c.get("/api/books/?format=api")
    accept = c.get("/api/books/", HTTP_ACCEPT="text/html")
    assert j["Content-Type"] == "application/json" and html["Content-Type"].startswith("text/html")
    assert accept["Content-Type"].startswith("text/html")
    assert views.CALLS["books.list"] == 3
    fr = c.get("/api/books/", HTTP_ACCEPT_LANGUAGE="fr")
    en = c.get("/api/books/", HTTP_ACCEPT_LANGUAGE="en")
    assert fr["Content-Language"] == "fr" and en["Content-Language"] == "en"
    assert views.CALLS["books.list"] == 5  # ... json/en was /api/books/?format=json: a new key too
    # parameters of different names in any order: one key; values of one name in order: two
    c.get("/api/books/?year=1965&author=Herbert")
    c.get("/api/books/?author=Herbert&year=1965")
    assert views.CALLS["books.list"] == 6
    c.get("/api/books/?tag=classic&tag=scifi")
    c.get("/api/books/?tag=scifi&tag=classic")
    c.get("/api/books/?tag=classic,scifi")
    assert views.CALLS["books.list"] == 9


def test_head_is_served_from_get(catalog):
    c = client_for(catalog["alice"])
    assert c.get("/api/books/").status_code == 200
    assert c.head("/api/books/").status_code == 200
    assert views.CALLS["books.list"] == 1


# ---- what is never cached -----------------------------------------------------------------


def test_errors_cookies_and_writes_are_not_cached(catalog):
    c = client_for(catalog["alice"])
    for _ in range(2):
        assert c.get("/api/books/999999/").status_code == 404
    assert views.CALLS["books.retrieve"] == 2
    for _ in range(2):
        assert c.get("/api/cookie/").cookies["seen"].value == "1"
    assert views.CALLS["cookie"] == 2
    assert c.get("/api/books/?page=99").status_code == 404
    assert c.get("/api/books/?page=99").status_code == 404
    assert views.CALLS["books.list"] == 2


def test_the_cached_response_keeps_status_headers_and_body(catalog):
    c = client_for(catalog["alice"])
    cold = c.get("/api/books/")
    warm = c.get("/api/books/")
    assert views.CALLS["books.list"] == 1
    assert (warm.status_code, warm.content) == (cold.status_code, cold.content)
    for header in ("Content-Type", "Vary", "Allow"):
        assert warm[header] == cold[header]


def test_an_unregistered_model_is_refused():
    from django.contrib.auth.models import Group

    class GroupView(drf.CacheResponseMixin, views.APIView):
        cache_resource = Group

        def get(self, request):
            return views.Response([])

    with pytest.raises(ImproperlyConfigured, match="not registered"):
        GroupView.as_view()(APIRequestFactory().get("/groups/"))


def test_stale_while_revalidate_on_a_view(catalog, monkeypatch):
    c = client_for()
    first = c.get("/api/slow/").json()
    assert first == {"books": 7, "calls": 1}
    Book.objects.filter(pk=catalog["books"][0].pk).delete()  # invalidates "books", not "slow"
    now = drf.clock()
    monkeypatch.setattr(drf, "clock", lambda: now + 120)  # past the 60 s, within the 600 s
    # one request refreshes; the response it gets is the new one
    assert c.get("/api/slow/").json() == {"books": 6, "calls": 2}
    assert c.get("/api/slow/").json() == {"books": 6, "calls": 2}
    assert views.CALLS["slow"] == 2
