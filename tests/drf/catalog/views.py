"""The test API, cached the polycache.drf way. CALLS counts how often each view really
ran (a cached response does not run it); GATE, when set, holds a running view until the
test releases it (to make concurrent misses certain)."""
import collections
import threading

from django.db.models import Avg, Count
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from polycache import drf

from .models import Author, Book, Review, ShelfEntry, Tag

CALLS = collections.Counter()
GATE = {"event": None}
_lock = threading.Lock()


def ran(name):
    with _lock:
        CALLS[name] += 1
    gate = GATE["event"]
    if gate is not None:
        assert gate.wait(30), "the test never released the gate"


class BookSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.name")
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    reviews = serializers.IntegerField(source="review_count", read_only=True)
    rating = serializers.FloatField(source="avg_rating", read_only=True)
    on_my_shelf = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = ["id", "title", "author", "year", "tags", "reviews", "rating", "on_my_shelf"]

    def get_on_my_shelf(self, book):
        return book.id in self.context["shelf"]


class BookWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "author", "year"]


class BookViewSet(drf.CacheResponseMixin, viewsets.ModelViewSet):
    """Private by default: each user sees whether a book is on their own shelf."""

    queryset = Book.objects.all()
    cache_actions = ("list", "retrieve", "reviews")

    def get_queryset(self):
        qs = (
            Book.objects.select_related("author")
            .prefetch_related("tags")
            .annotate(review_count=Count("reviews", distinct=True), avg_rating=Avg("reviews__rating"))
            .order_by("id")
        )
        params = self.request.query_params
        if "author" in params:
            qs = qs.filter(author__name=params["author"])
        if "year" in params:
            qs = qs.filter(year=params["year"])
        if "tag" in params:
            qs = qs.filter(tags__name__in=params.getlist("tag")).distinct()
        return qs

    def get_serializer_class(self):
        return BookSerializer if self.action in ("list", "retrieve") else BookWriteSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        user = self.request.user
        context["shelf"] = (
            set(ShelfEntry.objects.filter(user=user).values_list("book_id", flat=True)) if user.is_authenticated else set()
        )
        return context

    # ran() after the database reads: a test can hold a view between its reads and the
    # cache's store, while a writer commits.
    def list(self, request, *args, **kwargs):
        try:
            return super().list(request, *args, **kwargs)
        finally:
            ran("books.list")

    def retrieve(self, request, *args, **kwargs):
        try:
            return super().retrieve(request, *args, **kwargs)
        finally:
            ran("books.retrieve")

    @action(detail=True)
    def reviews(self, request, pk=None):
        ran("books.reviews")
        book = self.get_object()
        return Response([{"user": r.user.username, "rating": r.rating} for r in book.reviews.select_related("user")])


class ShelfSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShelfEntry
        fields = ["id", "book", "note"]


class ShelfViewSet(drf.CacheResponseMixin, viewsets.ModelViewSet):
    """Private data: only its owner may ever see a shelf."""

    serializer_class = ShelfSerializer
    permission_classes = [IsAuthenticated]
    cache_resource = ShelfEntry

    def get_queryset(self):
        return ShelfEntry.objects.filter(user=self.request.user)

    def perform_create(self, serializer):
        serializer.save(user=self.request.user)

    def list(self, request, *args, **kwargs):
        ran("shelf.list")
        return super().list(request, *args, **kwargs)


class StatsView(APIView):
    """Public: one copy for everyone; depends on books (and what affects them) and tags."""

    @drf.cache_response(Book, public=True, depends_on=[Tag], timeout=None)
    def get(self, request):
        ran("stats")
        return Response(
            {
                "authors": Author.objects.count(),
                "books": Book.objects.count(),
                "reviews": Review.objects.count(),
                "tags": Tag.objects.count(),
            }
        )


class SlowView(APIView):
    """Public, cached with stale-while-revalidate."""

    @drf.cache_response("slow", public=True, timeout=60, stale=600)
    def get(self, request):
        ran("slow")
        return Response({"books": Book.objects.count(), "calls": CALLS["slow"]})


class CookieView(APIView):
    """Sets a cookie: never cached (the cookie is for one client)."""

    @drf.cache_response("cookie", public=True)
    def get(self, request):
        ran("cookie")
        response = Response({"n": CALLS["cookie"]})
        response.set_cookie("seen", "1")
        return response
