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

If the leader's callable raises an ``Exception``, that exception is raised in the leader
and in every caller waiting on its flight (one failure, seen once per caller, as a
shared promise would), and nothing is stored: the next call computes again. If the
leader is cancelled or interrupted (``CancelledError``, ``KeyboardInterrupt``), its
waiters do not inherit that: they start over and one of them leads.

A leader that asks for its own key again (its callable calls ``get_or_set`` on the same
key) computes directly instead of waiting for itself; so does a synchronous caller inside
a running event loop while a coroutine leads (blocking the loop could stop the leader):
from async code, use the ``a*`` API.

**Stale-while-revalidate.** With ``stale=S`` a value is fresh for ``timeout`` seconds and
then served *stale* for up to ``S`` more seconds: the first caller to find it stale
refreshes it (computes and stores), callers that arrive meanwhile get the stale value at
once, without waiting. Such values are stored in a small envelope (:class:`Stale`), so
read them with ``get_or_set(..., stale=S)``, not with a plain ``get``. An invalidation
(``delete``, namespace ``invalidate()``) is never answered with a stale value: only
expiry by time is.

This module knows nothing of Django; ``polycache.django.PolyCache.get_or_set`` and its
namespace views use it, and so can any object with Django's ``get``/``add``/``set``.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
import time
import weakref
from typing import Any, Awaitable, Callable, Dict, Hashable, List, Optional, Tuple, Union

__all__ = [
    "DEFAULT_WAIT",
    "SingleFlight",
    "Stale",
    "StampedeTimeout",
    "get_or_set",
    "aget_or_set",
]

#: Seconds a caller waits for another caller's computation of the same key by default.
DEFAULT_WAIT = 10.0

#: The clock of stale-while-revalidate (Unix seconds) when a call passes none.
clock: Callable[[], float] = time.time

_MISSING: Any = object()


class StampedeTimeout(TimeoutError):
    """A caller waited ``wait`` seconds for another caller's computation of ``key`` and
    ``on_timeout="raise"`` was asked for."""

    def __init__(self, key: Hashable, wait: float) -> None:
        super().__init__(f"polycache: waited {wait:g} s for another caller to compute {key!r}")
        self.key = key
        self.wait = wait


class _Restart(Exception):
    """The leader of a flight went away without a result (cancelled, interrupted)."""


_all_flights: "weakref.WeakSet[SingleFlight]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for flights in list(_all_flights):
        flights._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _Flight:
    __slots__ = ("event", "done", "value", "error", "abandoned", "owner", "async_waiters", "waiting")

    def __init__(self, owner: object) -> None:
        self.event = threading.Event()
        self.done = False
        self.value: Any = None
        self.error: Optional[BaseException] = None
        self.abandoned = False
        self.owner = owner
        self.async_waiters: List[Tuple[asyncio.AbstractEventLoop, "asyncio.Future[None]"]] = []
        self.waiting = 0  # callers waiting for this flight now

    def result(self) -> Any:
        if self.abandoned:
            raise _Restart()
        if self.error is not None:
            raise self.error
        return self.value


def _wake(fut: "asyncio.Future[None]") -> None:
    if not fut.done():
        fut.set_result(None)


def _current_owner() -> object:
    """Who is calling: the running asyncio task, else the thread."""
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None
    return task if task is not None else threading.current_thread()


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _check_on_timeout(on_timeout: str) -> None:
    if on_timeout not in ("compute", "raise"):
        raise ValueError(f'polycache: on_timeout must be "compute" or "raise", got {on_timeout!r}')


class SingleFlight:
    """One computation per key at a time; callers that arrive meanwhile share its result.

    >>> flights = SingleFlight()
    >>> flights.run("k", lambda: 42)
    42
    >>> flights.in_flight()
    0
    """

    def __init__(self) -> None:
        self._after_fork()
        _all_flights.add(self)

    def _after_fork(self) -> None:
        # In a forked child, the threads that led the parent's flights (or held the lock)
        # do not exist: their flights would never end.
        self._lock = threading.Lock()
        self._flights: Dict[Hashable, _Flight] = {}

    def in_flight(self) -> int:
        """How many keys are being computed now."""
        with self._lock:
            return len(self._flights)

    def waiting(self) -> int:
        """How many callers are waiting for another caller's computation now."""
        with self._lock:
            return sum(f.waiting for f in self._flights.values())

    def _wait_started(self, flight: _Flight, delta: int) -> None:
        with self._lock:
            flight.waiting += delta

    # ---- the parts ------------------------------------------------------------------

    def _join(self, key: Hashable) -> Tuple[_Flight, bool]:
        """The open flight of ``key`` and False, or a new one (the caller leads) and True."""
        with self._lock:
            flight = self._flights.get(key)
            if flight is not None:
                return flight, False
            flight = self._flights[key] = _Flight(_current_owner())
            return flight, True

    def try_lead(self, key: Hashable) -> Optional[_Flight]:
        """A new flight led by the caller, or None if one is already open (no waiting)."""
        flight, leader = self._join(key)
        return flight if leader else None

    def finish(
        self, key: Hashable, flight: _Flight, value: Any = None, error: Optional[BaseException] = None, abandoned: bool = False
    ) -> None:
        """Closes ``flight`` with its result and wakes every waiter."""
        with self._lock:
            if self._flights.get(key) is flight:
                del self._flights[key]
            flight.value, flight.error, flight.abandoned = value, error, abandoned
            flight.done = True
            waiters, flight.async_waiters = flight.async_waiters, []
        flight.event.set()
        for loop, fut in waiters:
            try:
                loop.call_soon_threadsafe(_wake, fut)
            except RuntimeError:  # that loop is closed: nobody is waiting there any more
                pass

    def _lead(self, key: Hashable, flight: _Flight, fn: Callable[[], Any]) -> Any:
        try:
            value = fn()
        except Exception as e:
            self.finish(key, flight, error=e)
            raise
        except BaseException:
            self.finish(key, flight, abandoned=True)
            raise
        self.finish(key, flight, value)
        return value

    async def _alead(self, key: Hashable, flight: _Flight, fn: Callable[[], Any]) -> Any:
        try:
            value = fn()
            if inspect.isawaitable(value):
                value = await value
        except Exception as e:
            self.finish(key, flight, error=e)
            raise
        except BaseException:
            self.finish(key, flight, abandoned=True)
            raise
        self.finish(key, flight, value)
        return value

    # ---- the API --------------------------------------------------------------------

    def run(self, key: Hashable, fn: Callable[[], Any], *, wait: float = DEFAULT_WAIT, on_timeout: str = "compute") -> Any:
        """``fn()``, computed once for all the callers that ask for ``key`` while it runs."""
        _check_on_timeout(on_timeout)
        while True:
            flight, leader = self._join(key)
            if leader:
                return self._lead(key, flight, fn)
            if flight.owner is _current_owner():
                return fn()  # the leader asks for its own key: waiting would be a deadlock
            if isinstance(flight.owner, asyncio.Task) and _in_event_loop():
                # A coroutine leads, and blocking this thread's event loop could stop it
                # (and every other coroutine here): compute instead of waiting.
                return fn()
            self._wait_started(flight, 1)
            try:
                arrived = flight.event.wait(wait)
            finally:
                self._wait_started(flight, -1)
            if not arrived:
                if on_timeout == "raise":
                    raise StampedeTimeout(key, wait)
                return fn()
            try:
                return flight.result()
            except _Restart:
                continue

    async def arun(
        self, key: Hashable, fn: Callable[[], Union[Any, Awaitable[Any]]], *, wait: float = DEFAULT_WAIT, on_timeout: str = "compute"
    ) -> Any:
        """:meth:`run` for coroutines: ``fn`` may return an awaitable; waiting never blocks
        the event loop."""
        _check_on_timeout(on_timeout)
        loop = asyncio.get_running_loop()
        while True:
            flight, leader = self._join(key)
            if leader:
                return await self._alead(key, flight, fn)
            if flight.owner is _current_owner():
                value = fn()
                return (await value) if inspect.isawaitable(value) else value
            with self._lock:
                fut: Optional["asyncio.Future[None]"] = None
                if not flight.done:
                    fut = loop.create_future()
                    flight.async_waiters.append((loop, fut))
                    flight.waiting += 1
            if fut is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(fut), wait)
                except asyncio.TimeoutError:
                    self._wait_started(flight, -1)
                    if on_timeout == "raise":
                        raise StampedeTimeout(key, wait) from None
                    value = fn()
                    return (await value) if inspect.isawaitable(value) else value
                except BaseException:
                    self._wait_started(flight, -1)
                    raise
                self._wait_started(flight, -1)
            try:
                return flight.result()
            except _Restart:
                continue


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
    only on a miss.

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
        return _revalidate(cache, key, raw, default, timeout, version, flights, flight_key, stale, clock)

    def compute() -> Any:
        # Another leader may have stored it between our get and our flight.
        again = cache.get(key, _MISSING, version=version)
        if again is not _MISSING:
            return _unwrap(again)
        value = _call(default)
        return _store(cache, key, value, timeout, version, stale, clock)

    return flights.run(_name(flight_key), compute, wait=wait, on_timeout=on_timeout)


def _store(cache: Any, key: Any, value: Any, timeout: Any, version: Optional[int], stale: Optional[float], clock: Callable[[], float]) -> Any:
    # As Django: add (a value another writer stored meanwhile wins), then read it back.
    if stale is None:
        cache.add(key, value, timeout=timeout, version=version)
        return cache.get(key, value, version=version)
    fresh, hard = _stale_plan(cache, timeout, stale)
    cache.add(key, _envelope(value, fresh, clock), timeout=hard, version=version)
    return _unwrap(cache.get(key, value, version=version))


def _revalidate(
    cache: Any,
    key: Any,
    raw: Stale,
    default: Any,
    timeout: Any,
    version: Optional[int],
    flights: SingleFlight,
    flight_key: Hashable,
    stale: float,
    clock: Callable[[], float],
) -> Any:
    flight_key = _name(flight_key)
    flight = flights.try_lead(flight_key)
    if flight is None:
        return raw.value  # someone is refreshing it: serve the stale value now
    try:
        value = _call(default)
    except Exception as e:
        flights.finish(flight_key, flight, error=e)
        raise
    except BaseException:
        flights.finish(flight_key, flight, abandoned=True)
        raise
    fresh, hard = _stale_plan(cache, timeout, stale)
    cache.set(key, _envelope(value, fresh, clock), timeout=hard, version=version)
    flights.finish(flight_key, flight, value)
    return value


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
        flight_key = _name(flight_key)
        flight = flights.try_lead(flight_key)
        if flight is None:
            return raw.value
        try:
            value = _call(default)
            if inspect.isawaitable(value):
                value = await value
        except Exception as e:
            flights.finish(flight_key, flight, error=e)
            raise
        except BaseException:
            flights.finish(flight_key, flight, abandoned=True)
            raise
        fresh, hard = _stale_plan(cache, timeout, stale)
        cache.set(key, _envelope(value, fresh, clock), timeout=hard, version=version)
        flights.finish(flight_key, flight, value)
        return value

    async def compute() -> Any:
        again = cache.get(key, _MISSING, version=version)
        if again is not _MISSING:
            return _unwrap(again)
        value = _call(default)
        if inspect.isawaitable(value):
            value = await value
        return _store(cache, key, value, timeout, version, stale, clock)

    return await flights.arun(_name(flight_key), compute, wait=wait, on_timeout=on_timeout)
