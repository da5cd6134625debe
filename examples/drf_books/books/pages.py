"""Plain Django HTML views: one behind the site-wide cache, one with {% cache %} fragments."""
from django.shortcuts import get_object_or_404, render

from . import caching
from .models import Book


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
