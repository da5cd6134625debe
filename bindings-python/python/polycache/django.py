"""A Django cache backend over polycache's native store.

.. code-block:: python

    CACHES = {
        "default": {
            "BACKEND": "polycache.django.PolyCache",
            "LOCATION": "main",
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": 10_000},
        }
    }

Options: ``MAX_ENTRIES`` (default 300) and ``CULL_FREQUENCY`` (default 3, 0 = clear
all) as Django's LocMemCache reads them; ``MAX_BYTES`` bounds the bytes held;
``EVICTION`` is ``"cull"`` (Django's batch cull, the default), ``"lru"`` (evict the
least recently used entry, one at a time) or ``"adaptive"`` (scan-resistant and
frequency-aware: more hits than LRU on most workloads); ``VALUES`` is ``"compact"`` (the
default: JSON-like values, such as ``serializer.data``, kept in an encoding of
polycache's own, under half their pickle: dict keys are indexes into a table of the
store's field names, rows of the same fields share one template, longer strings are
coded; rebuilt as fresh objects on every read, ~2.5x faster than LocMemCache's
unpickling; other values pickled) or ``"copy"`` (such values kept as private copies of
their containers: small rows read fastest, at ~2.5x the memory) or ``"pickle"`` (pickled
as LocMemCache does); ``COMPRESS_MIN_LENGTH`` (an int,
default None: off), as django-redis's compressors read it, keeps every pickled (or
compact) value of at least that many bytes LZ4-compressed when that saves an eighth or more (a pickled page of
``cache_page`` shrinks several times; each read decompresses it); once the store has seen
1 KB of such pickles it compresses each against those, so small rows that share their
field names and words shrink too (``VALUES: "pickle"`` with ``COMPRESS_MIN_LENGTH: 128``
held 100k ~200-byte rows in about 0.45x LocMemCache's memory). Instances with the same ``LOCATION`` share
one store within a process, as LocMemCache does. ``SNAPSHOT_KEY`` (str or bytes, at least
16 bytes: an empty one is refused at startup) is the default key of :meth:`~PolyCache.dump`
and :meth:`~PolyCache.load`; ``SNAPSHOT_MAX_AGE`` (seconds) is the default ``max_age`` of
:meth:`~PolyCache.load`; ``CLOCK`` (a callable
or its dotted path, returning seconds since the epoch like ``time.time``) is the store's
clock, read when the first instance of a ``LOCATION`` creates it (tests move it by hand).

Beyond Django's API, with django-redis's names: :meth:`PolyCache.ttl`,
:meth:`~PolyCache.expire`, :meth:`~PolyCache.persist`, :meth:`~PolyCache.keys`,
:meth:`~PolyCache.iter_keys`, :meth:`~PolyCache.delete_pattern`, ``set(nx=/xx=)``,
``pttl``, ``pexpire``, ``expire_at``, ``pexpire_at``, ``incr(ignore_key_check=)``,
``lock`` (:mod:`polycache.redis_compat`, :mod:`polycache.locks`); and
:meth:`~PolyCache.namespace` views with O(1) ``invalidate()``, :meth:`~PolyCache.stats`;
:meth:`~PolyCache.dump` / :meth:`~PolyCache.load`: the whole store as signed snapshot bytes
that polycache's JavaScript package (Node, browsers, Cloudflare workerd) loads too.
"""

from __future__ import annotations

import fnmatch
import os
import threading
import weakref
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Union

from django.core.cache.backends.base import (
    DEFAULT_TIMEOUT,
    BaseCache,
    default_key_func,
)
from django.utils.module_loading import import_string

from polycache import _native, stampede
from polycache._settings import rebuilding_setting
from polycache.namespace import NamespaceView
from polycache.redis_compat import PolyHabits

__all__ = ["PolyCache"]

# One native store per LOCATION, for the life of the process (as LocMemCache's _caches).
_stores: Dict[str, _native.Cache] = {}
_stores_lock = threading.Lock()
# One stampede guard per LOCATION, as for the stores (polycache.stampede).
_flights: Dict[str, stampede.SingleFlight] = {}


def _after_fork_in_child() -> None:
    # A thread of the parent may have held the lock at fork(); it does not exist in the
    # child, so the lock would stay held forever there.
    global _stores_lock
    _stores_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _flights_for(location: str) -> stampede.SingleFlight:
    with _stores_lock:
        flights = _flights.get(location)
        if flights is None:
            flights = _flights[location] = stampede.SingleFlight()
        return flights


def _warn_key(key: str) -> None:
    # Called by the native hot path only for keys that deserve a warning. Django's own
    # BaseCache.validate_key (it reads nothing of self) warns from Django's module, so
    # filters on it (ignore_warnings(module="django.core.cache.backends.base")) apply.
    BaseCache.validate_key(None, key)


def _store_for(location: str, clock: Optional[Callable[[], float]] = None) -> _native.Cache:
    with _stores_lock:
        store = _stores.get(location)
        if store is None:
            store = _stores[location] = _native.Cache(1, clock=clock)
        return store


# Bounds past this are as good as none; the native store counts in 64 bits.
_UNBOUNDED = 2**63 - 1


def _option(options: Dict[str, Any], name: str, default: Any) -> Any:
    return options.get(name, options.get(name.lower(), default))


class PolyCache(PolyHabits, _native.DjangoBackend, BaseCache):
    """Django's cache API over the native polycache store.

    ``get``, ``set``, ``add``, ``touch`` and ``delete`` are inherited from the native
    base (no Python frame on Django's hottest calls); the rest are defined here.
    """

    _n: _native.Cache  # the handle the Python-level methods call (the native base has it too)

    def __init__(self, name: str, params: Dict[str, Any]) -> None:
        super().__init__(params)
        options = params.get("OPTIONS", {})
        if self._max_entries < 1:
            raise ValueError(f"polycache: MAX_ENTRIES must be at least 1, got {self._max_entries}")
        if self._cull_frequency < 0:
            raise ValueError(f"polycache: CULL_FREQUENCY must be 0 (clear all) or more, got {self._cull_frequency}")
        max_bytes = _option(options, "MAX_BYTES", None)
        if max_bytes is not None and (isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1):
            raise ValueError(f"polycache: MAX_BYTES must be a positive int or None, got {max_bytes!r}")
        eviction = _option(options, "EVICTION", "cull")
        if eviction not in ("cull", "lru", "adaptive"):
            raise ValueError(f'polycache: EVICTION must be "cull", "lru" or "adaptive", got {eviction!r}')
        values = _option(options, "VALUES", "compact")
        if values not in ("copy", "pickle", "compact"):
            raise ValueError(f'polycache: VALUES must be "copy", "pickle" or "compact", got {values!r}')
        compress = _option(options, "COMPRESS_MIN_LENGTH", None)
        if compress is not None and (isinstance(compress, bool) or not isinstance(compress, int) or compress < 0):
            raise ValueError(f"polycache: COMPRESS_MIN_LENGTH must be a length (an int >= 0) or None, got {compress!r}")
        if not isinstance(self.key_prefix, str):
            raise ValueError(f"polycache: KEY_PREFIX must be a str, got {self.key_prefix!r}")
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise ValueError(f"polycache: VERSION must be an int, got {self.version!r}")
        snapshot_key = _option(options, "SNAPSHOT_KEY", None)
        if snapshot_key is not None and not isinstance(snapshot_key, (str, bytes)):
            raise ValueError(f"polycache: SNAPSHOT_KEY must be str, bytes or None, got {type(snapshot_key).__name__}")
        try:
            _native.check_snapshot_key(snapshot_key)
        except _native.InvalidConfigError as e:
            raise _native.InvalidConfigError(f"polycache: OPTIONS['SNAPSHOT_KEY']: {e}") from None
        snapshot_max_age = _option(options, "SNAPSHOT_MAX_AGE", None)
        if snapshot_max_age is not None and (
            isinstance(snapshot_max_age, bool)
            or not isinstance(snapshot_max_age, (int, float))
            or not 0 <= snapshot_max_age < float("inf")
        ):
            raise ValueError(f"polycache: SNAPSHOT_MAX_AGE must be seconds (a number >= 0) or None, got {snapshot_max_age!r}")
        clock = _option(options, "CLOCK", None)
        if isinstance(clock, str):
            clock = import_string(clock)
        if clock is not None and not callable(clock):
            raise ValueError(f"polycache: CLOCK must be a callable or its dotted path, got {clock!r}")
        self._snapshot_key: Union[str, bytes, None] = snapshot_key
        self._snapshot_max_age: Optional[float] = snapshot_max_age
        self._max_bytes = max_bytes
        self._eviction = eviction
        self._values = values
        self._compress = compress
        self._root = _store_for(name, clock)
        self._flights = _flights_for(name)
        self._init_habits(name, clock)
        self._rebuild()

    def __copy__(self) -> "PolyCache":
        # The native base holds the handle outside __dict__: bind the copy to it too.
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        new._bind(self._n)
        return new

    # ---- settings Django reads and writes as plain attributes ----------------------

    def _rebuild(self) -> None:
        """A native handle for the current settings (called when one of them changes)."""
        if "_root" not in self.__dict__:
            return  # still inside BaseCache.__init__
        cls = type(self)
        if (
            cls.make_key is BaseCache.make_key
            and cls.validate_key is BaseCache.validate_key
            and cls.make_and_validate_key is BaseCache.make_and_validate_key
        ):
            key_func = None if self.key_func is default_key_func else self.key_func
            validate = _warn_key
        else:
            # A subclass makes or validates keys its own way: let it (weakly, no cycle).
            ref = weakref.ref(self)

            def key_func(key: Any, prefix: str, version: int) -> str:
                return ref().make_and_validate_key(key, version=version)  # type: ignore[union-attr]

            validate = None
        self._n = handle = self._root.view(
            max_entries=min(max(1, self._max_entries), _UNBOUNDED),
            max_bytes=None if self._max_bytes is None else min(self._max_bytes, _UNBOUNDED),
            eviction=self._eviction,
            values=self._values,
            compress_min_length=self._compress,
            cull_frequency=min(max(0, self._cull_frequency), _UNBOUNDED),
            default_timeout=self.default_timeout,
            key_prefix=self.key_prefix,
            version=self.version,
            key_func=key_func,
            validate_key=validate,
            default_marker=DEFAULT_TIMEOUT,
        )
        self._bind(handle)

    key_func = rebuilding_setting("key_func")
    key_prefix = rebuilding_setting("key_prefix")
    version = rebuilding_setting("version")
    default_timeout = rebuilding_setting("default_timeout")
    # Django's tests set these at run time (e.g. _max_entries = -1 to cull on every new
    # key); the native store needs at least one entry, so values below 1 mean 1.
    _max_entries = rebuilding_setting("max_entries")
    _cull_frequency = rebuilding_setting("cull_frequency")

    # ---- Django's API (get, set, add, touch, delete: see the native base) ------------

    def get_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Dict[Any, Any]:
        return self._n.get_many(keys, version)

    def has_key(self, key: Any, version: Optional[int] = None) -> bool:
        return self._n.has_key(key, version)

    def decr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        return self._n.decr(key, delta, version)

    def set_many(self, data: Dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> List[Any]:
        return self._n.set_many(data, timeout, version)

    def delete_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Optional[int]:
        """Deletes ``keys``; how many were live (django-redis's return value), None when
        no key was given (as Django's own backends)."""
        keys = list(keys)
        return self._n.delete_many(keys, version) if keys else None

    def clear(self) -> None:
        self._n.clear()

    def close(self, **kwargs: Any) -> None:
        pass

    # An in-memory store never blocks: the async twins call the sync methods directly
    # instead of hopping to a thread as BaseCache does.

    async def aadd(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        return self.add(key, value, timeout, version)

    async def aget(self, key: Any, default: Any = None, version: Optional[int] = None) -> Any:
        return self.get(key, default, version)

    async def aset(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> None:
        self.set(key, value, timeout, version)

    async def atouch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        return self.touch(key, timeout, version)

    async def adelete(self, key: Any, version: Optional[int] = None) -> bool:
        return self.delete(key, version)

    async def aget_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Dict[Any, Any]:
        return self.get_many(keys, version)

    async def aget_or_set(
        self,
        key: Any,
        default: Any,
        timeout: Any = DEFAULT_TIMEOUT,
        version: Optional[int] = None,
        *,
        wait: float = stampede.DEFAULT_WAIT,
        on_timeout: str = "compute",
        stale: Optional[float] = None,
    ) -> Any:
        """:meth:`get_or_set` for coroutines: ``default`` may be a coroutine function,
        awaited; concurrent misses wait without blocking the event loop."""
        return await stampede.aget_or_set(
            self, key, default, timeout, version, flights=self._flights,
            flight_key=lambda: self.make_key(key, version), wait=wait, on_timeout=on_timeout, stale=stale,
        )

    async def ahas_key(self, key: Any, version: Optional[int] = None) -> bool:
        return self.has_key(key, version)

    async def aincr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        return self.incr(key, delta, version)

    async def adecr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        return self.decr(key, delta, version)

    async def aset_many(self, data: Dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> List[Any]:
        return self.set_many(data, timeout, version)

    async def adelete_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Optional[int]:
        return self.delete_many(keys, version)

    async def aclear(self) -> None:
        return self.clear()

    async def aincr_version(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        return self.incr_version(key, delta, version)

    async def adecr_version(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        return self.decr_version(key, delta, version)

    async def aclose(self, **kwargs: Any) -> None:
        return self.close(**kwargs)

    # ---- beyond Django: django-redis's names ----------------------------------------

    def expire(self, key: Any, timeout: Any, version: Optional[int] = None) -> bool:
        """Sets a live key's timeout (seconds; None = never); True when it was live."""
        return self._n.expire(key, timeout, version)

    def persist(self, key: Any, version: Optional[int] = None) -> bool:
        """Makes a live key never expire; True when it was live."""
        return self._n.persist(key, version)

    def _reversible(self) -> bool:
        return self.key_func is default_key_func and type(self).make_key is BaseCache.make_key

    def keys(self, pattern: str = "*", version: Optional[int] = None) -> List[str]:
        """Live keys of this cache's prefix and version matching a glob ``pattern``.

        With a custom ``KEY_FUNCTION`` keys cannot be reversed: the full stored keys are
        matched and returned."""
        keys = self._n.live_keys(version)
        if pattern == "*":
            return keys
        return [k for k in keys if fnmatch.fnmatchcase(k, pattern)]

    def iter_keys(self, pattern: str = "*", version: Optional[int] = None, itersize: Optional[int] = None) -> Iterator[str]:
        """Like :meth:`keys`, as an iterator (``itersize`` is accepted for django-redis
        compatibility; the keys are listed at once)."""
        return iter(self.keys(pattern, version))

    def delete_pattern(self, pattern: str, version: Optional[int] = None, **kwargs: Any) -> int:
        """Deletes every live key matching ``pattern``; how many."""
        keys = self.keys(pattern, version)
        if self._reversible():
            return self._n.delete_many(keys, version)
        return self._root.delete_many(keys)

    def get_or_set(
        self,
        key: Any,
        default: Any,
        timeout: Any = DEFAULT_TIMEOUT,
        version: Optional[int] = None,
        *,
        wait: float = stampede.DEFAULT_WAIT,
        on_timeout: str = "compute",
        stale: Optional[float] = None,
    ) -> Any:
        """Django's ``get_or_set``, with stampede protection: a callable ``default`` runs
        once among the threads and coroutines that miss the key together; the others wait
        for its result up to ``wait`` seconds, then compute themselves
        (``on_timeout="compute"``) or raise ``StampedeTimeout`` (``"raise"``). ``stale=S``
        serves a value up to ``S`` seconds past its timeout while one caller refreshes it
        (stored in a ``Stale`` envelope: read it with ``get_or_set``). See
        :mod:`polycache.stampede`."""
        return stampede.get_or_set(
            self, key, default, timeout, version, flights=self._flights,
            flight_key=lambda: self.make_key(key, version), wait=wait, on_timeout=on_timeout, stale=stale,
        )

    def namespace(self, name: str) -> NamespaceView:
        """A view of the keys of namespace ``name`` (same API as the cache for get, set,
        add, delete, has_key, incr, decr, touch, ttl); ``invalidate()`` drops them all in
        O(1). Its ``get_or_set`` is stampede-protected and stores in the generation it
        missed at; ``get_many``/``set_many``/``delete_many`` and ``pin()`` too
        (:class:`polycache.namespace.NamespaceView`)."""
        return NamespaceView(self, self._n.namespace(name))

    def stats(self) -> Dict[str, Any]:
        """Counters of the store: hits, misses, hit_ratio, sets, deletes, evictions,
        expirations, entries, bytes."""
        return self._n.stats()

    # ---- snapshots: the store as bytes every polycache binding reads ----------------

    def dump(self, key: Union[str, bytes, None] = None) -> bytes:
        """The whole store of this ``LOCATION`` (every prefix and version, with expiries
        and namespace generations) as snapshot bytes (docs/format.md), signed with
        HMAC-SHA256 under ``key`` (default: ``OPTIONS["SNAPSHOT_KEY"]``; unsigned when
        neither is set). JSON-like values are written as JSON and ``bytes`` as bytes, so
        polycache's JavaScript package reads them; other values as pickles, which only
        Python reads, and only from a snapshot whose signature it verified."""
        return self._n.dump(self._snapshot_key if key is None else key)

    def load(
        self,
        data: bytes,
        key: Union[str, bytes, None] = None,
        allow_unsigned: bool = False,
        max_age: Optional[float] = None,
    ) -> Dict[str, Any]:
        """Replaces the store's entries with those of a snapshot from any polycache
        binding; namespace generations only move forward. A signed snapshot must verify
        under ``key`` (default: ``OPTIONS["SNAPSHOT_KEY"]``); an unsigned one loads only
        with ``allow_unsigned=True``, and then its pickles are skipped, never unpickled.
        A snapshot made more than ``max_age`` seconds ago (default:
        ``OPTIONS["SNAPSHOT_MAX_AGE"]``; None accepts any age) is refused, so an old
        signed snapshot cannot be replayed. Expired entries and entries over
        ``MAX_BYTES`` are skipped. Unreadable, truncated, tampered or too old bytes raise
        ``polycache.SnapshotError`` and change nothing.

        Returns ``{"verified": bool, "entries": held after, "skipped_pickles": n,
        "skipped_unknown": n}``."""
        return self._n.load(
            data,
            self._snapshot_key if key is None else key,
            allow_unsigned,
            self._snapshot_max_age if max_age is None else max_age,
        )


def __getattr__(name: str) -> Any:
    # TieredCache needs redis-py, an optional dependency: import it only when named
    # (Django's import_string("polycache.django.TieredCache") goes through here).
    if name == "TieredCache":
        from polycache.tiered import TieredCache

        return TieredCache
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
