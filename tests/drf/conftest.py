import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")


@pytest.fixture(autouse=True)
def fresh_cache_and_counters():
    from django.core.cache import caches

    from catalog import views

    caches["default"].clear()
    views.CALLS.clear()
    views.GATE["event"] = None
    yield
    views.GATE["event"] = None


@pytest.fixture
def catalog(django_user_model):
    """Three authors, seven books (three pages of three), tags, reviews, two users with
    private shelves."""
    from catalog.models import Author, Book, Review, ShelfEntry, Tag

    alice = django_user_model.objects.create_user("alice", password="pw-alice")
    bob = django_user_model.objects.create_user("bob", password="pw-bob")
    le_guin, herbert, banks = (Author.objects.create(name=n) for n in ("Le Guin", "Herbert", "Banks"))
    scifi, classic = Tag.objects.create(name="scifi"), Tag.objects.create(name="classic")
    books = [
        Book.objects.create(title=t, author=a, year=y)
        for t, a, y in [
            ("The Dispossessed", le_guin, 1974),
            ("Dune", herbert, 1965),
            ("Consider Phlebas", banks, 1987),
            ("The Left Hand of Darkness", le_guin, 1969),
            ("Excession", banks, 1996),
            ("Children of Dune", herbert, 1976),
            ("The Lathe of Heaven", le_guin, 1971),
        ]
    ]
    for b in books:
        b.tags.add(scifi)
    books[1].tags.add(classic)
    Review.objects.create(book=books[1], user=alice, rating=5)
    ShelfEntry.objects.create(user=alice, book=books[1], note="alice's secret note")
    ShelfEntry.objects.create(user=bob, book=books[2], note="bob's secret note")
    return {"alice": alice, "bob": bob, "books": books, "authors": (le_guin, herbert, banks), "tags": (scifi, classic)}
