"""Plain Django views: one behind the site-wide cache, one with {% cache %} fragments,
and an async one on the cache's async API."""
from asgiref.sync import sync_to_async
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from . import caching
from .models import Book
from .serializers import compute_rating


def catalogue_page(request):
    """/site/catalogue/: a public page, cached whole by the site-wide middleware."""
    books = Book.objects.select_related("author").order_by("author__name", "title")
    return render(request, "books/catalogue.html", {"books": books})


def book_page(request, pk):
    """/books/<pk>/: the page itself is rendered each time; its costly parts are
    {% cache %} fragments. The querysets are lazy, so a fragment served from the cache
    runs none of its queries."""
    book = get_object_or_404(Book, pk=pk)
    context = {
        "book": book,
        "shelf_version": caching.shelf_version(request.user.pk) if request.user.is_authenticated else None,
        "reviews": book.reviews.select_related("user").order_by("id"),
        "shelf": (
            request.user.shelf.select_related("book").order_by("id") if request.user.is_authenticated else None
        ),
    }
    return render(request, "books/book_page.html", context)


async def book_rating(request, pk):
    """/books/<pk>/rating.json: an async view on the cache's async API. The value is the
    one BookSerializer.get_rating caches, under the same key. (aget_or_set would call a
    callable default synchronously, and the ORM refuses to run in an event loop; so a
    miss computes through sync_to_async.)"""
    key = caching.book_rating_key(pk)
    rating = await cache.aget(key)
    if rating is None:
        if not await Book.objects.filter(pk=pk).aexists():
            return JsonResponse({"detail": "Not found."}, status=404)
        rating = await sync_to_async(compute_rating)(pk)
        await cache.aset(key, rating, caching.RATING_TIMEOUT)
    return JsonResponse({"book": pk, "rating": rating})
