from django.core.cache import cache
from django.db.models import Avg, Count
from rest_framework import serializers

from .caching import RATING_TIMEOUT, book_rating_key
from .models import Author, Book, Review, ShelfEntry


def compute_rating(book_id):
    agg = Review.objects.filter(book_id=book_id).aggregate(average=Avg("rating"), count=Count("id"))
    average = agg["average"]
    return {"average": round(average, 2) if average is not None else None, "count": agg["count"]}


class BookSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)
    # A low-level cached serializer field: the aggregate costs one query per book, so a
    # page of ten books costs ten queries, unless the value comes from the cache.
    rating = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "author", "author_name", "year", "isbn", "rating"]

    def get_rating(self, obj):
        return cache.get_or_set(book_rating_key(obj.pk), lambda: compute_rating(obj.pk), RATING_TIMEOUT)


class BookListSerializer(BookSerializer):
    """The list adds a per-user flag, which is why its cached pages vary on Authorization."""

    on_my_shelf = serializers.SerializerMethodField()

    class Meta(BookSerializer.Meta):
        fields = BookSerializer.Meta.fields + ["on_my_shelf"]

    def get_on_my_shelf(self, obj):
        return obj.pk in self.context.get("shelf_ids", ())


class AuthorSerializer(serializers.ModelSerializer):
    book_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Author
        fields = ["id", "name", "bio", "book_count"]


class ReviewSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Review
        fields = ["id", "book", "user", "rating", "text"]
        validators = []  # the unique (book, user) pair is checked in validate()

    def validate(self, attrs):
        user = self.context["request"].user
        if Review.objects.filter(book=attrs["book"], user=user).exists():
            raise serializers.ValidationError("You have already reviewed this book.")
        return attrs


class ShelfEntrySerializer(serializers.ModelSerializer):
    book_title = serializers.CharField(source="book.title", read_only=True)

    class Meta:
        model = ShelfEntry
        fields = ["id", "book", "book_title", "note"]

    def validate_book(self, book):
        user = self.context["request"].user
        if ShelfEntry.objects.filter(user=user, book=book).exists():
            raise serializers.ValidationError("Already on your shelf.")
        return book
