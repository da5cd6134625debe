"""The REST API, with the caching patterns DRF users write."""
import threading

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils.decorators import method_decorator
from django.views.decorators.cache import cache_page
from django.views.decorators.vary import vary_on_headers
from rest_framework import mixins, permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_extensions.cache.decorators import CacheResponse
from rest_framework_extensions.key_constructor import bits
from rest_framework_extensions.key_constructor.constructors import DefaultKeyConstructor

from . import caching
from .models import Author, Book, Review, ShelfEntry
from .serializers import (
    AuthorSerializer,
    BookListSerializer,
    BookSerializer,
    ReviewSerializer,
    ShelfEntrySerializer,
)


def save_unique(serializer, message, **kwargs):
    """serializer.save(), answering 400 when a concurrent request inserted the same row
    between the serializer's uniqueness check and this insert."""
    try:
        with transaction.atomic():
            return serializer.save(**kwargs)
    except IntegrityError:
        raise ValidationError(message) from None


class BookViewSet(viewsets.ModelViewSet):
    queryset = Book.objects.select_related("author")
    serializer_class = BookSerializer
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        return BookListSerializer if self.action == "list" else BookSerializer

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if self.action == "list":
            user = self.request.user
            context["shelf_ids"] = (
                set(ShelfEntry.objects.filter(user=user).values_list("book_id", flat=True))
                if user.is_authenticated
                else set()
            )
        return context

    # cache_page on a DRF list view, varying on the header the API authenticates with:
    # each token gets its own cached copy (and every ?page=N its own key, from the URL).
    @method_decorator(cache_page(caching.BOOK_LIST_TIMEOUT, key_prefix=caching.BOOK_LIST_PREFIX))
    @method_decorator(vary_on_headers("Authorization"))
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    # A manual cache in retrieve, keyed by pk. The payload is public (no per-user field),
    # so one key serves everyone.
    def retrieve(self, request, *args, **kwargs):
        key = caching.book_detail_key(kwargs[self.lookup_field])
        data = cache.get(key)
        if data is None:
            data = self.get_serializer(self.get_object()).data
            cache.set(key, data, caching.BOOK_DETAIL_TIMEOUT)
        return Response(data)

    # Writes need no cache code here: the post_save / post_delete receivers in
    # signals.py drop the detail key, the list pages and the catalogue namespace.


class ReviewViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    queryset = Review.objects.select_related("user")
    serializer_class = ReviewSerializer

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "destroy":
            return queryset.filter(user=self.request.user)
        book = self.request.query_params.get("book")
        return queryset.filter(book_id=book) if book and book.isdigit() else queryset

    # Invalidation on write in perform_create / perform_destroy: reviews have no signal
    # receivers, the view that writes them drops what they feed.
    def perform_create(self, serializer):
        review = save_unique(serializer, "You have already reviewed this book.", user=self.request.user)
        self._invalidate(review.book_id)

    def perform_destroy(self, instance):
        book_id = instance.book_id
        instance.delete()
        self._invalidate(book_id)

    @staticmethod
    def _invalidate(book_id):
        caching.invalidate_book(book_id)  # rating field, detail payload, HTML fragment
        caching.invalidate_book_lists()  # every cached list page shows the rating
        caching.invalidate_catalogue()  # /api/stats/ ranks books by rating


class ShelfViewSet(mixins.CreateModelMixin, mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """/api/me/shelf/: the caller's private shelf, cached under per-user keys."""

    serializer_class = ShelfEntrySerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return ShelfEntry.objects.filter(user=self.request.user).select_related("book")

    def perform_create(self, serializer):
        # the post_save receiver retires this user's keys
        save_unique(serializer, "Already on your shelf.", user=self.request.user)

    def list(self, request, *args, **kwargs):
        page = request.query_params.get(self.paginator.page_query_param, "1")
        if not page.isdigit():
            return super().list(request, *args, **kwargs)  # let the paginator answer; cache nothing
        key = caching.shelf_key(request.user.pk, caching.shelf_version(request.user.pk), page)
        data = cache.get(key)
        if data is None:
            response = super().list(request, *args, **kwargs)
            cache.set(key, response.data, caching.SHELF_TIMEOUT)
            return response
        return Response(data)


# drf-extensions' cache_response. Its keys are md5 digests of the key bits, so they can
# be neither listed nor pattern-deleted; the responses live in polycache's "catalogue"
# namespace instead, and a write to the catalogue invalidates them all in O(1).
_request_local = threading.local()


class CatalogueCacheResponse(CacheResponse):
    """cache_response storing into the catalogue namespace, pinned for each request."""

    @property
    def cache(self):
        return _request_local.catalogue

    @cache.setter
    def cache(self, _alias_cache):
        pass  # CacheResponse.__init__ assigns caches[alias]; the namespace is used instead

    def process_cache_response(self, *args, **kwargs):
        _request_local.catalogue = caching.catalogue()
        try:
            return super().process_cache_response(*args, **kwargs)
        finally:
            del _request_local.catalogue


class AuthorListKeyConstructor(DefaultKeyConstructor):
    pagination = bits.PaginationKeyBit()  # ?page=N is part of the key
    search = bits.QueryParamsKeyBit(["search"])


class AuthorObjectKeyConstructor(DefaultKeyConstructor):
    kwargs = bits.KwargsKeyBit(["pk"])


class AuthorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = AuthorSerializer
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        queryset = Author.objects.annotate(book_count=Count("books")).order_by("id")
        search = self.request.query_params.get("search")
        return queryset.filter(name__icontains=search) if search else queryset

    @CatalogueCacheResponse(key_func=AuthorListKeyConstructor())
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @CatalogueCacheResponse(key_func=AuthorObjectKeyConstructor())
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)


def compute_catalogue_summary():
    top = (
        Book.objects.annotate(average=Avg("reviews__rating"), reviews_count=Count("reviews"))
        .filter(reviews_count__gt=0)
        .order_by("-average", "id")
        .values("id", "title", "average", "reviews_count")[:5]
    )
    return {
        "authors": Author.objects.count(),
        "books": Book.objects.count(),
        "reviews": Review.objects.count(),
        "top_rated": [dict(row, average=round(row["average"], 2)) for row in top],
    }


class CatalogueStatsView(APIView):
    """A summary of the whole catalogue: computed once per namespace generation."""

    def get(self, request):
        return Response(caching.catalogue().get_or_set("summary", compute_catalogue_summary, 300))
