from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=200, unique=True)
    bio = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=300)
    author = models.ForeignKey(Author, related_name="books", on_delete=models.CASCADE)
    year = models.PositiveIntegerField()
    isbn = models.CharField(max_length=17, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.title


class Review(models.Model):
    book = models.ForeignKey(Book, related_name="reviews", on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="reviews", on_delete=models.CASCADE)
    rating = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["book", "user"], name="one_review_per_user")]


class ShelfEntry(models.Model):
    """A user's private reading list. The note is for its owner's eyes only."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, related_name="shelf", on_delete=models.CASCADE)
    book = models.ForeignKey(Book, related_name="shelved", on_delete=models.CASCADE)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "book"], name="one_entry_per_book")]
