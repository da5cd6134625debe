"""Signal-based invalidation: whatever writes a Book or a ShelfEntry (the API, the
admin, a management command, the shell), the caches built from it are dropped."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import caching
from .models import Author, Book, ShelfEntry


@receiver(post_save, sender=Book)
@receiver(post_delete, sender=Book)
def book_changed(sender, instance, **kwargs):
    caching.invalidate_book(instance.pk)
    caching.invalidate_book_lists()
    caching.invalidate_catalogue()


@receiver(post_save, sender=Author)
@receiver(post_delete, sender=Author)
def author_changed(sender, instance, **kwargs):
    # Book payloads carry the author's name.
    for pk in instance.books.values_list("pk", flat=True) if instance.pk else ():
        caching.invalidate_book(pk)
    caching.invalidate_book_lists()
    caching.invalidate_catalogue()


@receiver(post_save, sender=ShelfEntry)
@receiver(post_delete, sender=ShelfEntry)
def shelf_changed(sender, instance, **kwargs):
    caching.invalidate_shelf(instance.user_id)
    # The book list shows each user whether a book is on their shelf.
    caching.invalidate_book_lists()
