"""The same catalogue API, cached the polycache.drf way: /api/v2/.

Compare with api.py, signals.py and caching.py (the hand-written way, /api/): here there
is no key, no receiver and no invalidation code. The models are registered once in
apps.py; every write to a book, an author, a review or a shelf entry, from any view, the
admin or the shell, invalidates these responses in O(1), every page and every user.
"""
from django.db.models import Avg, Count
from rest_framework import permissions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from polycache import drf

from .api import compute_catalogue_summary
from .models import Book, ShelfEntry


class LibraryBookSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)
    rating = serializers.SerializerMethodField()
    on_my_shelf = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "author", "author_name", "year", "isbn", "rating", "on_my_shelf"]

    def get_rating(self, book):
        average = book.rating_average
        return {"average": round(average, 2) if average is not None else None, "count": book.rating_count}

    def get_on_my_shelf(self, book):
        return book.pk in self.context["shelf_ids"]


class BookViewSet(drf.CacheResponseMixin, viewsets.ReadOnlyModelViewSet):
    """Private (each user sees their own on_my_shelf): cached per user, per page, per
    filter, per format."""

    queryset = Book.objects.all()  # the cached resource: Book
    serializer_class = LibraryBookSerializer
    cache_fast = True  # also answered by polycache.fast before Django runs (books_site/wsgi.py)
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = Book.objects.select_related("author").annotate(
            rating_average=Avg("reviews__rating"), rating_count=Count("reviews")
        ).order_by("id")
        author = self.request.query_params.get("author")
        return queryset.filter(author_id=author) if author and author.isdigit() else queryset

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["shelf_ids"] = (
            set(ShelfEntry.objects.filter(user=user).values_list("book_id", flat=True)) if user.is_authenticated else set()
        )
        return context


class ShelfSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShelfEntry
        fields = ["id", "book", "note"]


class ShelfViewSet(drf.CacheResponseMixin, viewsets.ReadOnlyModelViewSet):
    """The caller's private shelf: never served to anyone else."""

    serializer_class = ShelfSerializer
    permission_classes = [permissions.IsAuthenticated]
    cache_resource = ShelfEntry
    cache_fast = True  # per token / session on the fast path

    def get_queryset(self):
        return ShelfEntry.objects.filter(user=self.request.user)


class CatalogueStatsView(APIView):
    """Public: one copy for everyone, recomputed once per write (however many requests
    miss it together)."""

    @drf.cache_response(Book, public=True, fast=True)
    def get(self, request):
        return Response(compute_catalogue_summary())
