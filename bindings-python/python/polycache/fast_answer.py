"""What a fast hit costs, kept small: the parts of an answer that depend only on the
stored copy's headers are worked out once per distinct set of headers, each stored copy
is unpickled once (:class:`Copies`, checked by the identity of the stored pickle), and
the cache handles, generation readers and counters are kept per thread, found once per
request by thread id (:class:`Threads`).

Profiled on a ``cache_page`` hit (``tests/fast``, cProfile, timings and instruction
counts per call): Django's ``Age`` (``get_max_age`` and ``parse_http_date`` on every
hit), the ``Cache-Control``/``Vary`` parsing of the rules, ``LocaleMiddleware``'s header
edits and ``caches[alias]`` (an ``asgiref.local.Local`` lookup, ~3 µs each) were most of
the fast path's own time; then unpickling the copy (half of what was left) and
``threading.local`` attribute lookups (each costs a lookup of the thread's dict).
"""

from __future__ import annotations

import functools
import threading
import time
from threading import get_ident
from typing import Any, Callable, Dict, List, Optional, Tuple

from django.core.cache import caches
from django.utils.cache import get_max_age
from django.utils.http import parse_http_date_safe

from polycache import drf_registry
from polycache.fast_keys import as_locale_middleware_leaves_it
from polycache.fast_rules import STAMP, Generations, StampCheck, static_refusal
from polycache.fast_store import Store, store_of

__all__ = ["Answers", "Copies", "Copy", "Handles", "Prepared", "Threads"]

_MEMO_MAX = 10_000


class Prepared:
    """A copy's answer, less what changes per hit (``Age``, ``Content-Length``)."""

    __slots__ = ("why", "status", "reason", "headers", "max_age", "expires", "has_length")

    def __init__(self, why: Optional[str], response: Any = None, headers: Optional[List[Tuple[str, str]]] = None,
                 adds_age: bool = False) -> None:
        self.why = why
        self.status = response.status_code if response is not None else 0
        self.reason = response.reason_phrase if response is not None else ""
        self.headers = headers or []
        self.max_age: Optional[int] = None
        self.expires: Optional[int] = None
        self.has_length = False
        if response is not None:
            self.has_length = response.has_header("Content-Length")
            if adds_age:
                max_age = get_max_age(response)
                expires = parse_http_date_safe(response.get("Expires")) if max_age is not None else None
                if expires is not None:  # Django replaces any stored Age then
                    self.max_age, self.expires = max_age, expires
                    self.headers = [(k, v) for k, v in self.headers if k.lower() != "age"]

    def headers_for(self, body: bytes, now: int) -> List[Tuple[str, str]]:
        headers = list(self.headers)
        if self.expires is not None:
            assert self.max_age is not None
            headers.append(("Age", str(max(0, self.max_age - (self.expires - now)))))
        if not self.has_length:
            headers.append(("Content-Length", str(len(body))))
        return headers


class Answers:
    """The :class:`Prepared` answer of each distinct stored copy (headers, status, stamp
    kind, language), remembered (bounded)."""

    def __init__(self, locale: bool, extra: List[Tuple[str, str]]) -> None:
        self.locale = locale
        self.extra = extra
        self._memo: Dict[Tuple[Any, ...], Prepared] = {}

    def prepare(self, response: Any, language: str, vary_language: bool, adds_age: bool) -> Prepared:
        stamp = getattr(response, STAMP, None)
        try:
            signature: Optional[Tuple[Any, ...]] = (
                tuple(response.headers._store.values()), response.status_code, response._reason_phrase,
                bool(response.cookies),
                bool(getattr(response, "streaming", False)), 0 if stamp is None else len(stamp),
                language, vary_language, adds_age,
            )
        except (AttributeError, TypeError):  # not a Django HttpResponse as this Django makes them
            signature = None
        if signature is not None:
            known = self._memo.get(signature)
            if known is not None:
                return known
        why = static_refusal(response)
        if why is not None:
            prepared = Prepared(why)
        else:
            if self.locale:
                as_locale_middleware_leaves_it(response, language, vary_language)
            prepared = Prepared(None, response, [*response.items(), *self.extra], adds_age)
        if signature is not None:
            if len(self._memo) >= _MEMO_MAX:
                self._memo.clear()
            self._memo[signature] = prepared
        return prepared


class Copy:
    """What the fast path made of one stored copy: its stamp (read), its prepared answer
    and its body, with the stored pickle they were made from (kept alive here, so no
    other object can take its identity). The headers are made once per second
    (``Age`` counts seconds)."""

    __slots__ = ("raw", "language", "vary_language", "check", "prepared", "body", "status", "_at")

    def __init__(self, raw: Optional[bytes], language: str, vary_language: bool, stamp: Any, prepared: Prepared,
                 body: bytes) -> None:
        self.raw, self.language, self.vary_language = raw, language, vary_language
        self.check = StampCheck(stamp) if prepared.why is None else None
        self.prepared, self.body = prepared, body
        self.status = f"{prepared.status} {prepared.reason}"
        self._at: Tuple[int, List[Tuple[str, str]]] = (-1, [])

    def headers(self) -> List[Tuple[str, str]]:
        """The answer's headers (a new list: the server may change it)."""
        now = int(time.time())
        at = self._at
        if at[0] != now:
            at = self._at = (now, self.prepared.headers_for(self.body, now))  # one store: threads see a pair
        return list(at[1])


class Copies:
    """The :class:`Copy` of each stored copy served lately, by cache key: one is used
    only while the cache still holds the very pickle it was made from (an identity
    check), so a replaced, deleted or expired entry is never answered from here.
    Bounded in entries and in the bytes kept alive (the pickles and the bodies)."""

    def __init__(self, max_entries: int = 1_000, max_bytes: int = 32 << 20) -> None:
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._memo: Dict[Tuple[str, str], Copy] = {}
        self._bytes = 0

    def get(self, alias: str, key: str, raw: bytes, language: str, vary_language: bool, equal: bool = False) -> Optional[Copy]:
        """The copy made of ``raw``: of that very object, or with ``equal`` (a network
        cache: new bytes on every read) of equal bytes."""
        copy = self._memo.get((alias, key))
        if (copy is not None and (copy.raw is raw or (equal and copy.raw == raw)) and copy.language == language
                and copy.vary_language == vary_language):
            return copy
        return None

    def put(self, alias: str, key: str, copy: Copy) -> None:
        size = _size(copy)
        if size > self.max_bytes // 4:
            return
        if len(self._memo) >= self.max_entries or self._bytes + size > self.max_bytes:
            self._memo.clear()  # a crude bound; refilling costs one unpickling each
            self._bytes = 0
        old = self._memo.get((alias, key))
        self._memo[(alias, key)] = copy
        self._bytes += size - (_size(old) if old is not None else 0)


def _size(copy: Copy) -> int:
    return len(copy.raw or b"") + len(copy.body)


#: ``Handles.decided`` when no lookup is pending.
UNDECIDED = object()


class Handles:
    """One per thread (Django's ``caches`` are per thread too): the cache objects, the
    namespace views the rules read generations from, and the thread's counters (no lock
    on a hit: only the thread itself writes them)."""

    def __init__(self) -> None:
        self.hits = self.misses = 0
        #: Hits answered by polycache.fast_gunicorn.Worker without gunicorn's response.
        self.server_hits = 0
        #: What that worker's lookup found for the request it hands on to gunicorn's own
        #: handling (then to FastPathWSGI, which takes it instead of looking up again).
        self.decided: Any = UNDECIDED
        self.refusals: Dict[str, int] = {}
        self.caches: Dict[str, Any] = {}
        self.stores: Dict[str, Optional[Store]] = {}
        self.views: Dict[Tuple[str, Tuple[str, ...]], Tuple[Tuple[str, Callable[[], Any]], ...]] = {}
        #: Generations read with the page in one round trip (alias, names, values), for
        #: the request this thread is answering; None otherwise.
        self.prefetched: Optional[Tuple[str, Tuple[str, ...], Tuple[Any, ...]]] = None
        #: Where the page of this request was found, its header list and the guess it
        #: was read with (for the next request's guess: caches without namespaces).
        self.guessed: Optional[Tuple[Tuple[str, str], Optional[List[str]], Any]] = None
        #: The polycache.drf key read with the header list, and what was stored there.
        self.drf_first: Optional[Tuple[str, Optional[bytes]]] = None
        #: Per alias: how to read a small entry (the header list).
        self.smalls: Dict[str, Optional[Callable[[str], Any]]] = {}

    def refuse(self, reason: str) -> None:
        self.refusals[reason] = self.refusals.get(reason, 0) + 1

    def cache(self, alias: str) -> Any:
        cache = self.caches.get(alias)
        if cache is None:
            cache = self.caches[alias] = caches[alias]
        return cache

    def store(self, alias: str) -> Optional[Store]:
        try:
            return self.stores[alias]
        except KeyError:
            store = self.stores[alias] = store_of(self.cache(alias))
            return store

    def read(self, alias: str, key: str) -> Tuple[Optional[bytes], Any]:
        """(the stored bytes, None) when the cache can give them (:mod:`polycache.fast_store`),
        else (None, what ``get`` gives)."""
        try:
            store = self.stores[alias]
        except KeyError:
            store = self.store(alias)
        if store is not None:
            raw = store.read_one(key)
            if raw is not None or store.exact:
                return raw, None
        return None, self.cache(alias).get(key)

    def small_reader(self, alias: str) -> Optional[Callable[[str], Any]]:
        """How to read a small entry (a header list), decoded once per stored value, when
        the store answers for every key; None: call ``get`` (no cheaper)."""
        store = self.store(alias)
        reader = self.smalls[alias] = store.small if store is not None and store.exact else None
        return reader

    def generations(self, alias: str, names: Tuple[str, ...]) -> Generations:
        """``fast_rules._generations`` with the handles kept: per set of names, a function
        reading each generation."""
        getters = self.views.get((alias, names))
        if getters is None:
            cache = self.cache(alias)
            if getattr(cache, "namespace", None) is None:
                return self._read_with_page(cache, alias, names)
            if len(self.views) >= _MEMO_MAX:  # one per credential: bounded
                self.views.clear()
            getters = self.views[(alias, names)] = tuple((name, _generation_getter(cache, name)) for name in names)
        if len(getters) == 1:  # the usual stamp: one model
            name, get = getters[0]
            return ((name, get()),)
        return tuple([(name, get()) for name, get in getters])

    def _read_with_page(self, cache: Any, alias: str, names: Tuple[str, ...]) -> Generations:
        """A cache without namespaces: the generations read with the page when they were
        the ones asked for, else one read each (``drf_registry.generation``)."""
        pre = self.prefetched
        if pre is not None and pre[0] == alias and pre[1] == names:
            values = pre[2]
            if len(values) == 1 and isinstance(values[0], int):
                return ((names[0], values[0]),)
            if all(isinstance(v, int) for v in values):
                return tuple(zip(names, values))
        return tuple((name, drf_registry.generation(cache, name)) for name in names)


def _generation_getter(cache: Any, name: str) -> Callable[[], Any]:
    native = getattr(cache, "_n", None)
    if native is not None and callable(getattr(native, "generation", None)):  # PolyCache: no Python frame
        return functools.partial(native.generation, name)
    gen = getattr(cache.namespace(name), "generation")
    return gen if callable(gen) else lambda: cache.namespace(name).generation


class Threads:
    """The :class:`Handles` of each thread, found by thread id: one dict lookup per
    request, where a ``threading.local`` costs one on every attribute access. (A thread
    that reuses the id of a finished one takes over its handles and counters.)"""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_id: Dict[int, Handles] = {}

    def mine(self) -> Handles:
        handles = self._by_id.get(get_ident())
        if handles is None:
            handles = Handles()
            with self._lock:
                self._by_id[get_ident()] = handles
        return handles

    def stats(self) -> Dict[str, Any]:
        """Every thread's counters, summed."""
        with self._lock:
            every = list(self._by_id.values())
        refusals: Dict[str, int] = {}
        for handles in every:
            for reason, n in list(handles.refusals.items()):
                refusals[reason] = refusals.get(reason, 0) + n
        return {"hits": sum(h.hits for h in every), "misses": sum(h.misses for h in every), "refusals": refusals,
                "server_hits": sum(h.server_hits for h in every)}
