"""Stampede protection: when many callers miss one key together, one computes.

``get_or_set(key, callable)`` on a cold key, hit by fifty threads at once, would run the
callable fifty times (fifty identical database queries) and store fifty times. Here the
first caller to miss becomes the *leader* of a flight for that key; every other caller
that misses the same key while the flight is open waits for the leader's result instead
of computing its own. Threads wait on a ``threading.Event``; asyncio coroutines (the
``a*`` API) await a future, so a coroutine never blocks its event loop, and threads and
coroutines can wait on one another's flights.

The wait is bounded (``wait`` seconds, :data:`DEFAULT_WAIT` by default). When it runs
out, ``on_timeout`` decides: ``"compute"`` (the default) computes in the waiter as if
there had been no flight (the stampede is only bounded, never a deadlock), ``"raise"``
raises :class:`StampedeTimeout`.

Every caller gets its own object, as from ``get``: a waiter reads the stored value back
(or, when nothing was stored, gets a pickled copy of the leader's), so a caller that
mutates its result changes nothing the others hold.

A flight always ends, however its leader leaves (:class:`Lease`). If the leader's
callable, or the store of its result (a value over ``MAX_BYTES``, one that cannot be
pickled), raises an ``Exception``, that exception is raised in the leader and in every
caller waiting on its flight (one failure, seen once per caller, as a shared promise
would), and nothing is stored: the next call computes again. If the leader is cancelled
or interrupted (``CancelledError``, ``KeyboardInterrupt``), its waiters do not inherit
that: they start over and one of them leads.

A leader that asks for its own key again (its callable calls ``get_or_set`` on the same
key) computes directly instead of waiting for itself; so does a synchronous caller inside
a running event loop while a coroutine leads (blocking the loop could stop the leader):
from async code, use the ``a*`` API.

**Stale-while-revalidate.** With ``stale=S`` a value is fresh for ``timeout`` seconds and
then served *stale* for up to ``S`` more seconds: the first caller to find it stale
refreshes it (computes and stores), callers that arrive meanwhile get the stale value at
once, without waiting; a refresh that fails (its callable or its store raises) leaves the
stale value, and the next caller to find it stale refreshes again. Such values are
stored in a small envelope (:class:`Stale`), so read them with ``get_or_set(...,
stale=S)``, not with a plain ``get``. An invalidation
(``delete``, namespace ``invalidate()``) is never answered with a stale value: only
expiry by time is.

This module knows nothing of Django; ``polycache.django.PolyCache.get_or_set`` and its
namespace views use it, and so can any object with Django's ``get``/``add``/``set``.
"""

from __future__ import annotations

import inspect
import pickle
import time
from typing import Any, Callable, Hashable, Optional, Tuple

from polycache.singleflight import DEFAULT_WAIT, Lease, SingleFlight, StampedeTimeout

__all__ = [
    "DEFAULT_WAIT",
    "Lease",
    "SingleFlight",
    "Stale",
    "StampedeTimeout",
    "get_or_set",
    "aget_or_set",
]

#: The clock of stale-while-revalidate (Unix seconds) when a call passes none.
clock: Callable[[], float] = time.time

_MISSING: Any = object()


class Stale:
    """A value stored with stale-while-revalidate: fresh until ``fresh_until`` (Unix
    seconds), servable stale after that until the entry itself expires."""

    __slots__ = ("value", "fresh_until")

    def __init__(self, value: Any, fresh_until: float) -> None:
        self.value = value
        self.fresh_until = fresh_until

    def __reduce__(self) -> Tuple[Any, ...]:
        return (Stale, (self.value, self.fresh_until))

    def __repr__(self) -> str:
        return f"Stale({self.value!r}, fresh_until={self.fresh_until})"


def _seconds(cache: Any, timeout: Any) -> Optional[float]:
    """The timeout in seconds (None = never expires), resolving a default-timeout marker."""
    if timeout is None or (isinstance(timeout, (int, float)) and not isinstance(timeout, bool)):
        return timeout
    return getattr(cache, "default_timeout", 300)


def _stale_plan(cache: Any, timeout: Any, stale: float) -> Tuple[Optional[float], Any]:
    """(seconds fresh or None if never stale, the timeout to store the envelope with)."""
    fresh = _seconds(cache, timeout)
    if fresh is None:
        return None, None
    return fresh, (fresh + stale if fresh > 0 else fresh)


def _envelope(value: Any, fresh: Optional[float], clock: Callable[[], float]) -> Stale:
    return Stale(value, float("inf") if fresh is None else clock() + fresh)


def _unwrap(value: Any) -> Any:
    return value.value if isinstance(value, Stale) else value


def _clock() -> float:
    return clock()


def _name(flight_key: Any) -> Hashable:
    return flight_key() if callable(flight_key) else flight_key


def _call(default: Any) -> Any:
    return default() if callable(default) else default


def get_or_set(
    cache: Any,
    key: Any,
    default: Any,
    timeout: Any,
    version: Optional[int] = None,
    *,
    flights: SingleFlight,
    flight_key: Hashable,
    wait: float = DEFAULT_WAIT,
    on_timeout: str = "compute",
    stale: Optional[float] = None,
    clock: Optional[Callable[[], float]] = None,
) -> Any:
    """Django's ``get_or_set`` on ``cache`` (anything with Django's ``get``, ``add``,
    ``set``), computing ``default`` once per ``flight_key`` among concurrent misses.

    ``flight_key`` names the stored key (e.g. the full key with prefix and version):
    callers with equal flight keys share one computation. A callable is called for it,
    only on a miss. Each caller gets its own object, as from ``get``: a waiter reads the
    stored value back, or gets a pickled copy of the leader's when nothing was stored.

    >>> from polycache import Cache
    >>> c, flights, calls = Cache(), SingleFlight(), []
    >>> get_or_set(c, "k", lambda: calls.append(1) or "v", 60, flights=flights, flight_key="k")
    'v'
    >>> get_or_set(c, "k", lambda: calls.append(1) or "w", 60, flights=flights, flight_key="k"), calls
    ('v', [1])
    """
    clock = clock or _clock
    raw = cache.get(key, _MISSING, version=version)
    if raw is not _MISSING:
        if stale is None or not isinstance(raw, Stale) or clock() < raw.fresh_until:
            return _unwrap(raw)
        name = _name(flight_key)
        flight = flights.try_lead(name)
        if flight is None:
            return raw.value  # someone is refreshing it: serve the stale value now
        with flights.lease(name, flight) as lease:
            lease.value = _refresh(cache, key, _call(default), timeout, version, stale, clock)
        return lease.value

    led = False

    def compute() -> Any:
        nonlocal led
        led = True
        again = _stored_meanwhile(cache, key, version)
        if again is not _MISSING:
            return _unwrap(again)
        return _store(cache, key, _call(default), timeout, version, stale, clock)

    value = flights.run(_name(flight_key), compute, wait=wait, on_timeout=on_timeout)
    if led:
        return value
    own = _own(cache, key, version, value)
    return compute() if own is _MISSING else own


async def aget_or_set(
    cache: Any,
    key: Any,
    default: Any,
    timeout: Any,
    version: Optional[int] = None,
    *,
    flights: SingleFlight,
    flight_key: Hashable,
    wait: float = DEFAULT_WAIT,
    on_timeout: str = "compute",
    stale: Optional[float] = None,
    clock: Optional[Callable[[], float]] = None,
) -> Any:
    """:func:`get_or_set` for coroutines: ``default`` may be a coroutine function (or
    return an awaitable), which is awaited; ``cache`` is called synchronously (an
    in-memory store never blocks)."""
    clock = clock or _clock
    raw = cache.get(key, _MISSING, version=version)
    if raw is not _MISSING:
        if stale is None or not isinstance(raw, Stale) or clock() < raw.fresh_until:
            return _unwrap(raw)
        name = _name(flight_key)
        flight = flights.try_lead(name)
        if flight is None:
            return raw.value
        with flights.lease(name, flight) as lease:
            lease.value = _refresh(cache, key, await _acall(default), timeout, version, stale, clock)
        return lease.value

    led = False

    async def compute() -> Any:
        nonlocal led
        led = True
        again = _stored_meanwhile(cache, key, version)
        if again is not _MISSING:
            return _unwrap(again)
        return _store(cache, key, await _acall(default), timeout, version, stale, clock)

    value = await flights.arun(_name(flight_key), compute, wait=wait, on_timeout=on_timeout)
    if led:
        return value
    own = _own(cache, key, version, value)
    return (await compute()) if own is _MISSING else own


async def _acall(default: Any) -> Any:
    value = _call(default)
    return (await value) if inspect.isawaitable(value) else value


def _stored_meanwhile(cache: Any, key: Any, version: Optional[int]) -> Any:
    """What another leader stored between our miss and our flight, else ``_MISSING``.
    Asked with ``has_key`` first, which counts no read: the caller's miss is counted once,
    as Django's own get_or_set counts it."""
    has_key = getattr(cache, "has_key", None)
    if has_key is not None and not has_key(key, version=version):
        return _MISSING
    return cache.get(key, _MISSING, version=version)


def _store(cache: Any, key: Any, value: Any, timeout: Any, version: Optional[int], stale: Optional[float], clock: Callable[[], float]) -> Any:
    # As Django: add (a value another writer stored meanwhile wins), then read it back.
    if stale is None:
        cache.add(key, value, timeout=timeout, version=version)
        return cache.get(key, value, version=version)
    fresh, hard = _stale_plan(cache, timeout, stale)
    cache.add(key, _envelope(value, fresh, clock), timeout=hard, version=version)
    return _unwrap(cache.get(key, value, version=version))


def _refresh(cache: Any, key: Any, value: Any, timeout: Any, version: Optional[int], stale: float, clock: Callable[[], float]) -> Any:
    fresh, hard = _stale_plan(cache, timeout, stale)
    cache.set(key, _envelope(value, fresh, clock), timeout=hard, version=version)
    return value


# Values no caller can change: handing one object to several callers is harmless.
_IMMUTABLE = (str, bytes, int, float, complex, bool, type(None))


def _own(cache: Any, key: Any, version: Optional[int], value: Any) -> Any:
    """A waiter's own copy of the leader's ``value``: read back from the cache (what
    ``get`` gives), else a pickled copy (nothing was stored: a timeout of 0, an
    eviction meanwhile); ``_MISSING`` when it cannot be copied."""
    again = cache.get(key, _MISSING, version=version)
    if again is not _MISSING:
        return _unwrap(again)
    if isinstance(value, _IMMUTABLE):
        return value
    try:
        return pickle.loads(pickle.dumps(value, pickle.HIGHEST_PROTOCOL))
    except Exception:
        return _MISSING
