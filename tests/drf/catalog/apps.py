from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "catalog"

    def ready(self):
        from polycache import drf

        from .models import Author, Book, Plain, Review, ShelfEntry, Tag

        drf.register(Book)
        drf.register(Review, affects=[Book])  # book payloads carry review counts and ratings
        drf.register(Author, affects=[Book])  # and the author's name
        drf.register(ShelfEntry, affects=[Book])  # and whether the book is on my shelf
        drf.register(Tag)
        drf.register(Plain)
