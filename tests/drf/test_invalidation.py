"""The registry: which namespaces a write invalidates, once per write, on every cache
alias, without global signal receivers (Django's fast delete stays on elsewhere)."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db.models.deletion import Collector
from django.db.models.signals import m2m_changed, post_delete, post_save

from catalog.models import Author, Book, Log, Review, ShelfEntry, Tag
from polycache import drf

pytestmark = pytest.mark.django_db


def gen(name):
    return drf.generation(caches["default"], name)


def test_affects_is_transitive_and_names_default_to_the_label():
    assert drf.registry.affected(Book) == {"catalog.book"}
    assert drf.registry.affected(Review) == {"catalog.review", "catalog.book"}
    assert drf.registry.affected(Tag) == {"catalog.tag"}
    assert drf.registry.affected(Group) == set()


def test_one_save_is_one_bump_even_when_registered_twice(catalog):
    drf.register(Book)
    drf.register(Review, affects=[Book])
    g = gen("catalog.book")
    catalog["books"][0].save()  # in the test's transaction: once now (the commit never comes)
    assert gen("catalog.book") == g + 1
    Review.objects.create(book=catalog["books"][0], user=catalog["bob"], rating=3)
    assert gen("catalog.book") == g + 2


def test_on_commit_bumps_again(catalog, django_capture_on_commit_callbacks):
    g = gen("catalog.book")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        catalog["books"][0].save()
        assert gen("catalog.book") == g + 1
    assert len(callbacks) == 1
    assert gen("catalog.book") == g + 2


def test_invalidate_by_name_and_by_model():
    g, t = gen("catalog.book"), gen("catalog.tag")
    assert drf.invalidate("catalog.tag") == {"catalog.tag"}
    assert drf.invalidate(ShelfEntry) == {"catalog.shelfentry", "catalog.book"}
    assert (gen("catalog.book"), gen("catalog.tag")) == (g + 1, t + 1)
    assert drf.invalidate(Group) == set()


def test_receivers_are_per_model_so_fast_delete_stays_on_elsewhere():
    for signal in (post_save, post_delete):
        assert signal.has_listeners(Book) and signal.has_listeners(Author)
        assert not signal.has_listeners(Group)
    assert m2m_changed.has_listeners(Book.tags.through)
    assert Collector(using="default").can_fast_delete(Log.objects.all())
    assert not Collector(using="default").can_fast_delete(Book.objects.all())


def test_invalidation_is_a_generation_bump_not_a_scan(catalog):
    """Invalidating leaves the entries where they are (no key is listed or deleted) and
    makes every one of them unreachable."""
    from rest_framework.test import APIClient

    c = APIClient()
    urls = [f"/api/books/?page={p}" for p in (1, 2, 3)] + [f"/api/books/{b.pk}/" for b in catalog["books"]]
    for u in urls:
        c.get(u)
    cache = caches["default"]
    if not hasattr(cache, "stats"):
        pytest.skip("entry counts need polycache's stats()")
    entries = cache.stats()["entries"]
    drf.invalidate(Book)
    assert cache.stats()["entries"] == entries
    from catalog import views

    views.CALLS.clear()
    for u in urls:
        c.get(u)
    assert views.CALLS["books.list"] == 3 and views.CALLS["books.retrieve"] == len(catalog["books"])
