"""A cached page served before Django runs: a WSGI (or ASGI) middleware around Django's
application.

.. code-block:: python

    # wsgi.py
    from django.core.wsgi import get_wsgi_application
    from polycache.fast import FastPathWSGI
    application = FastPathWSGI(get_wsgi_application(), header=True)
    # asgi.py: FastPathASGI(get_asgi_application(), header=True)

    # views.py
    from django.views.decorators.cache import cache_page
    from polycache import fast

    @cache_page(60)
    @fast.eligible(depends_on=[Book])   # opt in; a Book write retires the copy
    def book_list(request): ...

A hit on Django's cache (``cache_page`` or the site-wide cache middleware) still pays for
the request object, every middleware, URL resolution and the view wrappers around a few
microseconds of cache. ``FastPathWSGI`` looks the page up itself, with Django's own key
functions (``django.utils.cache.get_cache_key`` through ``FetchFromCacheMiddleware``) on a
bare ``WSGIRequest``, in the same cache alias and key prefix, and answers it when the
stored copy is one Django would have served to this request and the view opted in
(:func:`polycache.fast_rules.eligible`). Everything else (a miss, a refusal, an error of
the lookup) goes to Django's application unchanged.

Rules (each has a test in ``tests/fast``): ``GET``/``HEAD`` only; no conditional request
(``If-None-Match``/``If-Modified-Since``: Django's middleware may answer 304); the
stored ``Vary`` is honoured by Django's key (the key hashes the values of the headers the
stored response varies on); never a copy with ``Set-Cookie``, ``Cache-Control: private``
or ``no-store``, or one that varies on ``Cookie``/``Authorization`` unless the view
declared it per user (``eligible(per_user=True)``: then only to the same credential,
:mod:`polycache.fast_users`); only copies stamped by :func:`eligible`, and not once a
namespace they depend on was invalidated (the copy is then deleted, so Django
recomputes it too).

After a ``cache_page`` miss it looks for a ``polycache.drf`` copy stored for this raw
request by a view with ``fast=True`` (:mod:`polycache.drf_fast`), under the same rules.
What a hit costs is kept small in :mod:`polycache.fast_answer`; how each cache is read (its
stored bytes, one round trip per hit on django-redis) is :mod:`polycache.fast_store`.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import pickle
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIRequest
from django.middleware.cache import FetchFromCacheMiddleware
from django.utils import timezone
from django.utils.cache import get_cache_key

from polycache.drf_fast import PREFIX as _DRF_PREFIX
from polycache.drf_fast import environ_key
from polycache.drf_registry import generation_key
from polycache.fast_keys import KeyBuilder, _language, matches_django
from polycache.fast_answer import UNDECIDED, Answers, Copies, Copy, Handles, Threads
from polycache.fast_store import off_loop
from polycache.fast_rules import STAMP, eligible
from polycache.fast_users import watch_credentials

__all__ = ["FastPathASGI", "FastPathWSGI", "eligible", "STAMP", "watch_credentials"]

_CONDITIONAL = frozenset(("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE", "HTTP_RANGE"))


def _django_adds_age() -> bool:
    try:
        return "Age" in inspect.getsource(FetchFromCacheMiddleware.process_request)
    except (OSError, TypeError):
        return False


#: Whether this Django's cache middleware sets ``Age`` on a hit (5.2 does): so do we.
_ADDS_AGE = _django_adds_age()


class _Lookup(FetchFromCacheMiddleware):
    """Django's own request-phase cache lookup (keys, HEAD fallback, ``Age``), without a
    next middleware to call."""

    def __init__(self, alias: str, key_prefix: str) -> None:  # no get_response: never chained
        self.cache_alias = alias
        self.key_prefix = key_prefix


class _FastPath:
    """The lookup and the rules, for a WSGI environ or an ASGI request's ``META``."""

    def __init__(
        self,
        app: Callable[..., Any],
        *,
        cache: Optional[str] = None,
        key_prefix: Optional[str] = None,
        header: Any = False,
        headers: Iterable[Tuple[str, str]] = (),
        drf: Optional[bool] = None,
    ) -> None:
        self.app = app
        self.alias = cache if cache is not None else settings.CACHE_MIDDLEWARE_ALIAS
        self.key_prefix = key_prefix if key_prefix is not None else settings.CACHE_MIDDLEWARE_KEY_PREFIX
        self.header = ("X-Polycache" if header is True else header) or None
        self.headers = list(headers)
        self._lookup = _Lookup(self.alias, self.key_prefix)
        self._locale = "django.middleware.locale.LocaleMiddleware" in settings.MIDDLEWARE
        # Django's own functions on a WSGIRequest per request when our key format differs.
        self._keys = KeyBuilder(self.key_prefix) if matches_django(self.key_prefix) else None
        extra = self.headers + ([(self.header, "fast")] if self.header is not None else [])
        self._answers = Answers(self._locale, extra)
        self._copies = Copies()
        self._threads = Threads()
        # Caches without polycache's namespaces (django-redis, ...) pay a round trip per
        # read: remember, per URL, the header list and the namespaces its copy named.
        cache = caches[self.alias]
        self._guesses: Optional[Dict[Tuple[str, str], Tuple[Optional[List[str]], Tuple[str, ...], Tuple[str, ...]]]] = (
            {} if getattr(cache, "namespace", None) is None else None
        )
        # polycache.drf copies (drf_fast): looked up after a cache_page miss, in the alias
        # polycache.drf caches responses in.
        self._drf_alias: Optional[str] = None
        if drf if drf is not None else apps.is_installed("rest_framework"):
            from polycache.drf_registry import cache_aliases

            self._drf_alias = cache_aliases()[0]
        #: The lookup may wait on the network with no bound (not PolyCache, TieredCache,
        #: LocMemCache, django-redis with a SOCKET_TIMEOUT read by its Store): FastPathASGI
        #: runs it in a worker thread, off the event loop.
        self.blocking = any(off_loop(caches[alias], self._keys is not None)
                            for alias in {self.alias, self._drf_alias} if alias is not None)

    def stats(self) -> Dict[str, Any]:
        """``{"hits": fast answers, "misses": handed to Django with no copy stored,
        "refusals": {reason: count}, "server_hits": n}`` (refusals: requests or copies the
        fast path would not serve; server_hits: the hits among ``hits`` that
        :class:`polycache.fast_gunicorn.Worker` wrote itself)."""
        return self._threads.stats()

    def _answer(self, environ: Dict[str, Any], make_request: Callable[[], Any]) -> Any:
        """``_serve``, counted."""
        handles = self._threads.mine()
        found = handles.decided
        if found is not UNDECIDED:  # looked up already by polycache.fast_gunicorn.Worker
            handles.decided = UNDECIDED
            return found
        found = self._serve(environ, make_request, handles)
        if isinstance(found, Copy):
            handles.hits += 1
        elif found is None:
            handles.misses += 1
        else:
            handles.refuse(found)
        return found

    def _serve(self, environ: Dict[str, Any], make_request: Callable[[], Any], handles: Handles) -> Any:
        """The :class:`Copy` to answer with; else None (no copy) or the reason for
        handing the request to Django."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return "method"
        if not environ.keys().isdisjoint(_CONDITIONAL):  # looks up the five names only
            return "conditional"
        if self._guesses is not None:
            handles.prefetched = handles.guessed = handles.drf_first = None
        try:
            found = self._find(environ, make_request, handles) if self._keys is not None else self._find_as_django(make_request)
            if found is None and self._drf_alias is not None:
                found = self._find_drf(environ, make_request, handles)
            if found is None:
                return None
            copy = self._copy(handles, *found)
            guessed = handles.guessed
            if guessed is not None:  # the guess read with this page still holds? (same objects: yes)
                names = copy.check.names if copy.check is not None else ()
                if guessed[2] is None or guessed[2][0] is not guessed[1] or guessed[2][1] is not names:
                    self._guess(guessed[0], guessed[1], names)
            if copy.check is None:
                return copy.prepared.why
            why = copy.check.refusal(environ, handles.generations)
            if why == "stale":
                # Django's cache_page knows nothing of namespaces: without this it would
                # go on serving the copy the fast path just refused.
                handles.cache(found[0]).delete_many(found[-1])
            if why is not None:
                return why
        except Exception:  # the cache is down, a bad Host, a copy that does not unpickle
            return "error"
        return copy

    def _copy(self, handles: Handles, alias: str, key: str, raw: Optional[bytes], response: Any, language: str,
              vary_language: bool, keys: List[str]) -> Copy:
        """The copy found (its stored bytes, or the response ``get`` gave), prepared:
        remembered per stored value, so a hot page is decoded once."""
        if raw is not None:
            store = handles.stores[alias]
            assert store is not None
            known = self._copies.get(alias, key, raw, language, vary_language, store.equal)
            if known is not None:
                return known
            response = store.loads(raw)
        adds_age = _ADDS_AGE and not key.startswith(_DRF_PREFIX)
        prepared = self._answers.prepare(response, language, vary_language, adds_age)
        copy = Copy(raw, language, vary_language, getattr(response, STAMP, None), prepared,
                    response.content if prepared.why is None else b"")
        if raw is not None:
            self._copies.put(alias, key, copy)
        return copy

    def _guess(self, where: Tuple[str, str], headerlist: Optional[List[str]], names: Tuple[str, ...]) -> None:
        """Remembers the header list (None: no ``cache_page`` copy, a ``polycache.drf``
        one) and the namespaces of the copy found for a URL: the next hit reads them
        with the page, in one round trip."""
        assert self._guesses is not None
        if len(self._guesses) >= 10_000:
            self._guesses.clear()
        self._guesses[where] = (headerlist, names, tuple(generation_key(n) for n in names))

    def _find(self, environ: Dict[str, Any], make_request: Callable[[], Any], handles: Handles) -> Any:
        """Django's lookup (GET key, then the HEAD key for a HEAD), keys formatted here."""
        keys = self._keys
        assert keys is not None
        digest, language, vary_language, suffix = keys.where(environ, make_request)
        header_key = keys.header_key(digest, suffix)
        guess = self._guesses.get((digest, suffix)) if self._guesses is not None else None
        if guess is not None:
            # A cache without polycache's namespaces (LocMemCache, django-redis, ...):
            # the header list, the page and the generations its copy named last time, in
            # one read (one round trip); each checked as it comes.
            headers_then, names_then, generation_keys = guess
            if headers_then is not None:
                page_then = keys.page_key("GET", digest, environ, headers_then, suffix)
            else:  # last time a polycache.drf copy: the key _find_drf tries first
                page_then = environ_key(environ, not environ.get("HTTP_AUTHORIZATION"))
            store = handles.store(self.alias)
            if store is not None and store.exact:
                raws = store.read((header_key, page_then, *generation_keys))
                if headers_then is None:
                    handles.drf_first = (page_then, raws[1])
                headerlist = store.value(header_key, raws[0]) if raws[0] is not None else None
                handles.prefetched = (self.alias, names_then, store.values(generation_keys, raws[2:]))
                found: Tuple[Optional[bytes], Any] = (raws[1], None)
            else:
                got = handles.cache(self.alias).get_many((header_key, page_then, *generation_keys))
                headerlist = got.get(header_key)
                handles.prefetched = (self.alias, names_then, tuple(got.get(k) for k in generation_keys))
                found = (None, got.get(page_then))
        else:
            try:
                small = handles.smalls[self.alias]
            except KeyError:
                small = handles.small_reader(self.alias)
            headerlist = small(header_key) if small is not None else handles.cache(self.alias).get(header_key)
        if headerlist is None:
            if self._guesses is not None and self._drf_alias == self.alias:
                handles.guessed = ((digest, suffix), None, guess)  # kept if _find_drf finds a copy
            return None
        if guess is not None and headers_then is not None and headerlist == headers_then:
            tried = [page_then]
            raw, response = found
        else:
            tried = [keys.page_key("GET", digest, environ, headerlist, suffix)]
            raw, response = handles.read(self.alias, tried[0])
        if raw is None and response is None and environ["REQUEST_METHOD"] == "HEAD":
            tried.append(keys.page_key("HEAD", digest, environ, headerlist, suffix))
            raw, response = handles.read(self.alias, tried[1])
        if raw is None and response is None:
            return None
        if self._guesses is not None:
            handles.guessed = ((digest, suffix), headerlist, guess)
        return self.alias, tried[-1], raw, response, language, vary_language, tried

    def _find_drf(self, environ: Dict[str, Any], make_request: Callable[[], Any], handles: Handles) -> Any:
        """A polycache.drf copy stored for this raw request (:mod:`polycache.drf_fast`):
        the public-to-everyone one (only without ``Authorization``), else this
        credential's."""
        alias = self._drf_alias
        assert alias is not None
        raw = response = None
        first = handles.drf_first  # read with the header list (a cache without namespaces)
        if not environ.get("HTTP_AUTHORIZATION"):
            key = environ_key(environ, True)
            raw, response = (first[1], None) if first is not None and first[0] == key else handles.read(alias, key)
        if raw is None and response is None:
            key = environ_key(environ, False)
            raw, response = (first[1], None) if first is not None and first[0] == key else handles.read(alias, key)
        if raw is None and response is None:
            return None
        if self._keys is not None:
            _, language, vary_language, _ = self._keys.where(environ, make_request)
        else:
            language, vary_language = _language(make_request())
        return alias, key, raw, response, language, vary_language, [key]

    def _find_as_django(self, make_request: Callable[[], Any]) -> Any:
        request = make_request()
        language, vary_language = _language(request)
        request.LANGUAGE_CODE = language
        with timezone.override(None):  # cache_page keys carry the zone; ours: the default
            response = self._lookup.process_request(request)
            if response is None:
                return None
            cache = self._lookup.cache
            keys = [k for k in (get_cache_key(request, self.key_prefix, m, cache=cache) for m in ("GET", "HEAD")) if k is not None]
        return self.alias, keys[0] if keys else "", None, response, language, vary_language, keys


class FastPathWSGI(_FastPath):
    """Wraps Django's WSGI application; serves eligible cached pages without it.

    ``cache`` / ``key_prefix``: where the pages live (default: the cache middleware's
    ``CACHE_MIDDLEWARE_ALIAS`` / ``CACHE_MIDDLEWARE_KEY_PREFIX``, which ``cache_page``
    uses too). ``header``: add ``X-Polycache: fast`` or ``X-Polycache: django`` to every
    response (``True``, or a header name). ``headers``: fixed headers the project's
    middleware adds to every response (``X-Frame-Options``, ...), added to fast answers
    so they match Django's.
    """

    def __call__(self, environ: Dict[str, Any], start_response: Callable[..., Any]) -> Any:
        found = self._answer(environ, lambda: WSGIRequest(environ))
        if isinstance(found, Copy):
            start_response(found.status, found.headers())
            return [found.body]
        if self.header is None:
            return self.app(environ, start_response)
        name = self.header

        def tagged(status: str, headers: List[Tuple[str, str]], exc_info: Any = None) -> Any:
            headers.append((name, "django"))
            return start_response(status, headers, exc_info) if exc_info is not None else start_response(status, headers)

        return self.app(environ, tagged)


def _meta(scope: Dict[str, Any]) -> Dict[str, Any]:
    """The parts of ``ASGIRequest.META`` that Django's keys read, built as it builds
    them (a real ``ASGIRequest`` is made only when the key builder has not seen them)."""
    query = scope.get("query_string", b"")
    meta: Dict[str, Any] = {
        "REQUEST_METHOD": scope["method"].upper(),
        "QUERY_STRING": query.decode() if isinstance(query, bytes) else query,
        "SCRIPT_NAME": scope.get("root_path", ""),
        "PATH_INFO": scope["path"],
        "wsgi.url_scheme": scope.get("scheme", "http"),
    }
    server = scope.get("server")
    meta["SERVER_NAME"], meta["SERVER_PORT"] = (server[0], str(server[1])) if server else ("unknown", "0")
    for raw, value in scope.get("headers", ()):
        name = raw.decode("latin1")
        if "_" in name:  # ASGIRequest drops them (underscore/hyphen spoofing)
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        meta[key] = f"{meta[key]},{value.decode('latin1')}" if key in meta else value.decode("latin1")
    return meta


class FastPathASGI(_FastPath):
    """Wraps Django's ASGI application; serves eligible cached pages without it. Same
    options as :class:`FastPathWSGI`. The lookup runs on the event loop with an
    in-process cache (``PolyCache``, ``TieredCache``'s local tier, ``LocMemCache``) and
    with django-redis given a ``SOCKET_TIMEOUT`` (one ``MGET``, each wait bounded by it),
    in a worker thread with any other (a wait without a bound must not block the loop;
    ``blocking`` says which)."""

    async def __call__(self, scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        from django.core.handlers.asgi import ASGIRequest

        meta = _meta(scope)
        if self.blocking:
            found = await asyncio.to_thread(self._answer, meta, lambda: ASGIRequest(scope, io.BytesIO()))
        else:
            found = self._answer(meta, lambda: ASGIRequest(scope, io.BytesIO()))
        if isinstance(found, Copy):
            raw = [(k.encode("ascii"), v.encode("latin1")) for k, v in found.headers()]
            await send({"type": "http.response.start", "status": found.prepared.status, "headers": raw})
            await send({"type": "http.response.body", "body": found.body})
            return
        if self.header is None:
            await self.app(scope, receive, send)
            return
        tag = (self.header.encode("ascii"), b"django")

        async def tagged(message: Dict[str, Any]) -> None:
            if message.get("type") == "http.response.start":
                message = dict(message, headers=[*message.get("headers", ()), tag])
            await send(message)

        await self.app(scope, receive, tagged)
