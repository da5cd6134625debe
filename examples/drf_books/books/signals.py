"""Signal-based invalidation: whatever writes a Book or a ShelfEntry (the API, the
admin, a management command, the shell), the caches built from it are dropped.

post_save fires before the surrounding transaction commits. A reader that runs between
the invalidation and the commit still reads the old rows and may cache them; so inside
a transaction each invalidation runs twice: at once (the writer's own reads in the
transaction are fresh) and again on commit (whatever such a reader cached is dropped)."""
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import caching
from .models import Author, Book, ShelfEntry


def now_and_on_commit(invalidate, *args):
    invalidate(*args)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: invalidate(*args))


@receiver(post_save, sender=Book)
@receiver(post_delete, sender=Book)
def book_changed(sender, instance, **kwargs):
    now_and_on_commit(caching.invalidate_book, instance.pk)
    now_and_on_commit(caching.invalidate_book_lists)
    now_and_on_commit(caching.invalidate_catalogue)


@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
def author_changed(sender, instance, **kwargs):
    # Book payloads carry the author's name.
    for pk in instance.books.values_list("pk", flat=True) if instance.pk else ():
        now_and_on_commit(caching.invalidate_book, pk)
    now_and_on_commit(caching.invalidate_book_lists)
    now_and_on_commit(caching.invalidate_catalogue)


@receiver(post_save, sender=ShelfEntry)
@receiver(post_delete, sender=ShelfEntry)
def shelf_changed(sender, instance, **kwargs):
    now_and_on_commit(caching.invalidate_shelf, instance.user_id)
    # The book list shows each user whether a book is on their shelf.
    now_and_on_commit(caching.invalidate_book_lists)
