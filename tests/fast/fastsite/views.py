"""Pages cached by Django's own cache_page; each records that it ran in CALLS."""
import collections
import json

from django.http import HttpResponse
from django.utils import translation
from django.views.decorators.cache import cache_control, cache_page
from django.views.decorators.vary import vary_on_cookie, vary_on_headers

from catalog.models import Book
from polycache import fast

CALLS = collections.Counter()

PAGES = ["books", "plain", "by_accept", "cookie", "no_store", "private", "per_user", "uncached", "lang", "add_book", "async_page", "prefixed", "hop_header", "fast_stats"]


def _page(name, request, **extra):
    CALLS[name] += 1
    body = {"page": name, "run": CALLS[name], "query": request.GET.urlencode(), **extra}
    return HttpResponse(json.dumps(body), content_type="application/json")


@cache_page(60)
@fast.eligible(depends_on=[Book])
def books(request):
    return _page("books", request, titles=sorted(Book.objects.values_list("title", flat=True)))


@cache_page(60)
def plain(request):  # cached by Django, not opted in
    return _page("plain", request)


@cache_page(60)
@fast.eligible
@vary_on_headers("Accept")
def by_accept(request):
    return _page("by_accept", request, accept=request.headers.get("Accept", ""))


@cache_page(60)
@fast.eligible
def cookie(request):
    response = _page("cookie", request)
    response.set_cookie("seen", "1")
    return response


@cache_page(60)
@fast.eligible
@cache_control(no_store=True)
def no_store(request):
    return _page("no_store", request)


@cache_page(60)
@fast.eligible
@cache_control(private=True)
def private(request):
    return _page("private", request)


@cache_page(60)
@fast.eligible
@vary_on_cookie
def per_user(request):
    return _page("per_user", request, cookie=request.headers.get("Cookie", ""))


@fast.eligible
def uncached(request):
    return _page("uncached", request)


@cache_page(60)
@fast.eligible
def lang(request):
    return _page("lang", request, language=translation.get_language())


def add_book(request):  # a write made inside the server process (tests/fast/test_server.py)
    from catalog.models import Author

    if request.method != "POST":
        return HttpResponse(status=405)
    author, _ = Author.objects.get_or_create(name="Banks")
    Book.objects.create(title=request.GET["title"], author=author, year=1987)
    return HttpResponse(status=201)


@cache_page(60)
@fast.eligible(depends_on=["catalog.book"])
async def async_page(request):
    return _page("async_page", request)


@cache_page(60, key_prefix="pre")
@fast.eligible
def prefixed(request):
    return _page("prefixed", request)


@cache_page(60)
@fast.eligible
def hop_header(request):
    """A copy with a hop-by-hop header, which gunicorn drops when it sends a response."""
    response = _page("hop_header", request)
    response["Keep-Alive"] = "timeout=5"
    return response


def fast_stats(request):
    """The counters of the FastPathWSGI this server runs (fastsite.wsgi), uncached."""
    import sys

    wsgi = sys.modules.get("fastsite.wsgi")
    stats = wsgi.application.stats() if wsgi is not None and hasattr(wsgi.application, "stats") else None
    return HttpResponse(json.dumps(stats), content_type="application/json")
