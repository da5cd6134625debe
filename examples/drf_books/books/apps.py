from django.apps import AppConfig


class BooksConfig(AppConfig):
    name = "books"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import signals  # noqa: F401  (connects the invalidation receivers)

        # The polycache.drf way (/api/v2/, books/library.py): one line per model.
        from polycache import drf

        from .models import Author, Book, Review, ShelfEntry

        drf.register(Book)
        drf.register(Author, affects=[Book])  # book payloads carry the author's name
        drf.register(Review, affects=[Book])  # ... and the ratings
        drf.register(ShelfEntry, affects=[Book])  # ... and on_my_shelf

        # polycache.fast (books_site/wsgi.py): a logout, a deleted token or a password
        # change makes that user's fast copies unreachable, in every process.
        from polycache import fast

        fast.watch_credentials()
