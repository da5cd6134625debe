"""Response caching for Django REST framework views, invalidated from the models.

.. code-block:: python

    # apps.py (once, in AppConfig.ready())
    from polycache import drf
    drf.register(Book)                    # namespace "books.book"
    drf.register(Review, affects=[Book])  # a review write also invalidates the books
    drf.register(Author, affects=[Book])  # book payloads carry the author's name

    # views.py
    class BookViewSet(drf.CacheResponseMixin, viewsets.ModelViewSet):
        queryset = Book.objects.all()     # resource: Book (from the queryset)
        cache_actions = ("list", "retrieve", "reviews")

    class StatsView(APIView):
        @drf.cache_response(Book, public=True, depends_on=[Review])
        def get(self, request): ...

**Keys.** A response is stored under a key built by the core's key builder
(:func:`polycache.build_key`) from the resource, the action, the path, the host, the
accepted renderer (format and media type), the API version, the active language, the
query parameters (sorted by name; values of one name kept in their order: filters, page,
page size, cursor, search and ordering are all query parameters) and a scope: the user's
pk for an authenticated request, ``anon`` for an anonymous one, or ``public`` when the view
declares its data public (``public=True``; then everyone who passes the view's
permission checks shares one copy). The key lives in the resource's namespace, at the
generation read *before* the view runs: a response computed while a write invalidates
the namespace lands in the old generation and is never served.

**What is stored.** The rendered content, the status and the headers, as drf-extensions
does (never the ``Response`` object, its serializer or its queryset), and only for
``GET``/``HEAD`` answered with a status in ``statuses`` (200 by default), without
``Set-Cookie`` and without ``Cache-Control: no-store`` / ``private`` on a public view.
A response larger than the cache's ``MAX_BYTES`` is served and not stored (counted in
:func:`stats` as ``too_large``).
On a hit the view does not run: authentication, throttling and view-level permissions
(``initial()``) still run, object-level permissions (in ``get_object()``) do not; that
is safe with per-user keys, and with ``public=True`` only if every user allowed to call
the view may see every object.

**Invalidation.** :func:`register` connects ``post_save``, ``post_delete`` and
``m2m_changed`` for the model (with ``sender=``, so Django's fast delete stays on for
every other model); each invalidates the namespaces of the model and of every model it
``affects`` (transitively) in O(1), at once and again when the transaction commits
(``post_save`` fires before the commit; a reader in between would cache the old rows).
Django sends no signal for ``QuerySet.update()``, ``bulk_create()`` or
``bulk_update()``: use :class:`InvalidatingQuerySet` / :data:`InvalidatingManager` (or
:class:`InvalidatingQuerySetMixin` on your own QuerySet) as the model's manager, and call
:func:`invalidate` yourself after raw SQL or any write made around the ORM.

**Stampedes.** Concurrent misses of one key run the view once (per process); the others
wait up to ``wait`` seconds for its response (see :mod:`polycache.stampede`). With
``stale=S`` an expired response is served for up to ``S`` more seconds while one request
refreshes it. A response that cannot be shared (an error, a cookie, an exception) is
not: the requests waiting for it run the view themselves. A refresh always ends its
flight, even when the view or the store raises.

**Processes.** ``polycache.django.PolyCache`` is a per-process cache: an invalidation
reaches the process that made the write only. With several worker processes use
``polycache.tiered.TieredCache`` (its namespace generations live in Redis, invalidated
in every process within its bound), or any other shared Django cache (generations are
then counters kept in that cache).

Settings (all optional): ``POLYCACHE_DRF = {"CACHE": "default", "TIMEOUT": 300,
"WAIT": 10.0, "ON_TIMEOUT": "compute", "STALE": None}``; ``CACHE`` is the alias views
store in and invalidations bump (a list of aliases is accepted for invalidations).
"""

from __future__ import annotations

import functools
import threading
import time
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse

from polycache import drf_fast
from polycache._native import ValueTooLargeError, namespaced_key
from polycache.drf_keys import resource_key
from polycache.drf_options import _MISSING, _namespace_of, _Options, _resource_of, _setting
from polycache.drf_registry import (
    InvalidatingManager,
    InvalidatingQuerySet,
    InvalidatingQuerySetMixin,
    ModelType,  # noqa: F401  (re-exported)
    Registry,  # noqa: F401  (re-exported)
    Resource,
    cache_aliases,
    generation,
    invalidate,
    register,
    registry,
)
from polycache.stampede import DEFAULT_WAIT, SingleFlight, Stale

__all__ = [
    "CacheResponseMixin",
    "InvalidatingManager",
    "InvalidatingQuerySet",
    "InvalidatingQuerySetMixin",
    "cache_aliases",
    "cache_response",
    "flights",
    "generation",
    "invalidate",
    "register",
    "registry",
    "resource_key",
    "stats",
]

_UNSHARED: Any = object()

#: Concurrent misses of one response key (per process), shared by every cached view.
flights = SingleFlight()

#: The clock of stale-while-revalidate (Unix seconds); tests replace it.
clock: Callable[[], float] = time.time

_counts_lock = threading.Lock()
_counts: Dict[str, int] = {"too_large": 0, "fast_refused": 0, "fast_unstored": 0}


def stats() -> Dict[str, int]:
    """Counters of this process's cached views: ``too_large``, responses served but not
    cached because they exceed the cache's ``MAX_BYTES``; ``fast_refused``, requests to
    a view with ``fast=True`` that gets no fast-path copy (throttles, a custom scope,
    another alias: :mod:`polycache.drf_fast`); ``fast_unstored``, fast copies the store
    refused."""
    with _counts_lock:
        return dict(_counts)


def _count(name: str) -> None:
    with _counts_lock:
        _counts[name] += 1

# ---- caching a view's responses --------------------------------------------------------


def _cacheable(response: Any, statuses: frozenset, public: bool) -> bool:
    if response.status_code not in statuses or getattr(response, "streaming", False):
        return False
    if getattr(response, "cookies", None):
        return False  # a Set-Cookie is for one client only
    control = response.get("Cache-Control", "").lower()
    return "no-store" not in control and not (public and "private" in control)


def _from_triple(triple: Tuple[bytes, int, List[Tuple[str, str]]]) -> HttpResponse:
    content, status, headers = triple
    response = HttpResponse(content=content, status=status)
    for name, value in headers:
        response[name] = value
    return response


def _serve(view: Any, opts: _Options, action: str, run: Callable[[], Any], request: Any, args: Any, kwargs: Any) -> Any:
    if request.method not in ("GET", "HEAD"):
        return run()
    alias = _setting(view, opts, "alias", "cache_alias", "", None) or cache_aliases()[0]
    if alias not in cache_aliases():
        raise ImproperlyConfigured(
            f'polycache.drf: {type(view).__name__} caches in "{alias}", which invalidations do not reach: '
            f'add it to settings.POLYCACHE_DRF["CACHE"]'
        )
    cache = caches[alias]
    public = bool(_setting(view, opts, "public", "cache_public", "", False))
    primary = _namespace_of(_resource_of(view, opts))
    depends = _setting(view, opts, "depends_on", "cache_depends_on", "", ())
    names = [primary] + sorted({_namespace_of(r) for r in depends} - {primary})
    generations = [generation(cache, n) for n in names]
    if any(g is None for g in generations):
        return run()  # generation unknown (a shared cache is down): do not cache
    extra = [f"{n}={g}" for n, g in zip(names[1:], generations[1:])]
    key = namespaced_key(primary, generations[0], resource_key(view, request, action, public=public, extra=extra))  # type: ignore[arg-type]

    timeout = _setting(view, opts, "timeout", "cache_timeout", "TIMEOUT", 300)
    stale = _setting(view, opts, "stale", "cache_stale", "STALE", None)
    statuses = opts.statuses or frozenset(getattr(view, "cache_statuses", (200,)))
    wait = _setting(view, opts, "wait", "cache_wait", "WAIT", DEFAULT_WAIT)
    on_timeout = _setting(view, opts, "on_timeout", "cache_on_timeout", "ON_TIMEOUT", "compute")
    flight_key = (alias, key)
    fast = None
    if _setting(view, opts, "fast", "cache_fast", "", False):
        if drf_fast.refusal(view, alias, cache_aliases()[0]) is None:
            fast = drf_fast.plan(view, request, public, alias, names, generations)
        else:
            _count("fast_refused")
        if stale is None and timeout is not None and timeout > 0:
            stale = 0  # stored as Stale: the fast copy expires when this one's freshness does

    held = cache.get(key)
    if held is not None:
        if not isinstance(held, Stale):
            if fast is not None and timeout is None:
                drf_fast.remember(fast, held, None)
            return _from_triple(held)
        if clock() < held.fresh_until:
            if fast is not None:
                drf_fast.remember(fast, held.value, held.fresh_until - clock())
            return _from_triple(held.value)
        flight = flights.try_lead(flight_key)
        if flight is None:
            return _from_triple(held.value)  # another request is refreshing it
        # Requests that miss meanwhile (the entry expired or was evicted) wait on this
        # flight: whatever happens here, it ends, and with no response they run the view.
        shared = _UNSHARED
        try:
            response, triple = _render(view, run, request, args, kwargs, statuses, public)
            if triple is not None:
                shared = triple
                _store(cache, key, triple, timeout, stale, fast)
        finally:
            flights.finish(flight_key, flight, shared)
        return response

    mine: Dict[str, Any] = {}

    def lead() -> Any:
        again = cache.get(key)
        if again is not None:
            return again.value if isinstance(again, Stale) else again
        try:
            response, triple = _render(view, run, request, args, kwargs, statuses, public)
        except BaseException as e:
            mine["error"] = e
            return _UNSHARED
        mine["response"] = response
        if triple is None:
            return _UNSHARED
        _store(cache, key, triple, timeout, stale, fast)
        return triple

    triple = flights.run(flight_key, lead, wait=wait, on_timeout=on_timeout)
    if "error" in mine:
        raise mine["error"]
    if "response" in mine:
        return mine["response"]
    if triple is _UNSHARED:
        return run()  # the leader's answer was not cacheable (an error, a cookie): ours may differ
    return _from_triple(triple)


def _render(
    view: Any, run: Callable[[], Any], request: Any, args: Any, kwargs: Any, statuses: frozenset, public: bool
) -> Tuple[Any, Optional[Tuple[bytes, int, List[Tuple[str, str]]]]]:
    response = run()
    if hasattr(view, "finalize_response"):
        response = view.finalize_response(request, response, *args, **kwargs)
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    if not _cacheable(response, statuses, public):
        return response, None
    return response, (bytes(response.content), response.status_code, list(response.items()))


def _store(cache: Any, key: str, triple: Any, timeout: Any, stale: Optional[float], fast: Optional[drf_fast.Plan]) -> None:
    try:
        if stale is None or timeout is None or timeout <= 0:
            cache.set(key, triple, timeout)
        else:
            cache.set(key, Stale(triple, clock() + timeout), timeout + stale)
    except ValueTooLargeError:
        _count("too_large")  # served, not cached: a response past MAX_BYTES is no error
        return
    if fast is not None:
        drf_fast.remember(fast, triple, timeout)


def cache_response(
    resource: Optional[Resource] = None,
    *,
    public: Optional[bool] = None,
    timeout: Any = _MISSING,
    depends_on: Optional[Iterable[Resource]] = None,
    cache: Optional[str] = None,
    stale: Any = _MISSING,
    wait: Optional[float] = None,
    on_timeout: Optional[str] = None,
    statuses: Optional[Iterable[int]] = None,
    fast: Optional[bool] = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Caches a DRF view method's responses (``list``, ``retrieve``, ``get``, a custom
    ``@action``); see the module's documentation. Unset options fall back to the view's
    ``cache_*`` attributes, then to ``settings.POLYCACHE_DRF``.

    ``resource``: a registered model or a namespace name (default: the view's
    ``cache_resource``, else its queryset's model). ``public``: one copy for every user.
    ``timeout``: seconds (None: until invalidated). ``depends_on``: other models or
    namespaces whose invalidation also retires these responses. ``stale``: seconds an
    expired response is still served while one request refreshes it. ``wait`` /
    ``on_timeout``: how long concurrent misses wait for the one computing, and then
    ``"compute"`` or ``"raise"`` (:class:`polycache.stampede.StampedeTimeout`).
    ``fast``: also store each response where :mod:`polycache.fast` finds it from the raw
    request (:mod:`polycache.drf_fast`; not for throttled views).
    """
    opts = _Options(resource, public, timeout, depends_on, cache, stale, wait, on_timeout, statuses, fast)

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def cached(self: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            action = getattr(self, "action", None) or method.__name__
            return _serve(self, opts, action, lambda: method(self, request, *args, **kwargs), request, args, kwargs)

        setattr(cached, "_polycache_cached", True)
        return cached

    return decorate


_DEFAULT_OPTIONS = _Options()


class CacheResponseMixin:
    """Caches the responses of the actions named in ``cache_actions`` (default:
    ``list``, ``retrieve`` and, on a plain ``APIView``, ``get``) of a DRF view or
    viewset. Options as class attributes: ``cache_resource``, ``cache_public``,
    ``cache_timeout``, ``cache_depends_on``, ``cache_alias``, ``cache_stale``,
    ``cache_wait``, ``cache_on_timeout``, ``cache_statuses``, ``cache_fast``; ``get_cache_scope(request)``
    replaces the per-user scope."""

    cache_actions: Sequence[str] = ("list", "retrieve", "get")

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        method = request.method.lower()
        if method in ("get", "head"):
            action_map = getattr(self, "action_map", None)
            action = action_map.get(method) if action_map else "get"
            handler = getattr(self, method, None)
            if (
                action in self.cache_actions
                and handler is not None
                and not getattr(getattr(handler, "__func__", handler), "_polycache_cached", False)
            ):

                def cached(request: Any, *args: Any, **kwargs: Any) -> Any:
                    return _serve(self, _DEFAULT_OPTIONS, action, lambda: handler(request, *args, **kwargs), request, args, kwargs)

                setattr(self, method, cached)
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
