from django.conf import settings
from django.db import models

from polycache.drf import InvalidatingManager


class Author(models.Model):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["id"]


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["id"]


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)
    year = models.IntegerField()
    tags = models.ManyToManyField(Tag, related_name="books", blank=True)

    # update(), bulk_create() and bulk_update() invalidate too (Django sends no signal).
    objects = InvalidatingManager()

    class Meta:
        ordering = ["id"]


class Review(models.Model):
    book = models.ForeignKey(Book, related_name="reviews", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="reviews", on_delete=models.CASCADE)
    rating = models.IntegerField()

    objects = InvalidatingManager()

    class Meta:
        ordering = ["id"]


class ShelfEntry(models.Model):
    """Private: a user's own reading list, with a note only they may read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="shelf", on_delete=models.CASCADE)
    book = models.ForeignKey(Book, related_name="shelved", on_delete=models.CASCADE)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]


class Plain(models.Model):
    """A model with Django's default manager: update() needs an explicit invalidate()."""

    value = models.IntegerField(default=0)


class Log(models.Model):
    """Not registered: its deletes stay fast (no receivers for it)."""

    text = models.CharField(max_length=100)
