"""One computation per key at a time: :class:`SingleFlight`, the machinery under
:mod:`polycache.stampede` and ``polycache.drf``.

The first caller of a key *leads* a flight; callers of the same key that arrive while it
is open wait for its result (threads on an event, coroutines on a future), up to
``wait`` seconds. A flight always ends, however its leader leaves (:class:`Lease`).
"""

from __future__ import annotations

import asyncio
import inspect
import os
import threading
import weakref
from typing import Any, Awaitable, Callable, Dict, Hashable, List, Optional, Tuple, Union

__all__ = ["DEFAULT_WAIT", "Lease", "SingleFlight", "StampedeTimeout"]

#: Seconds a caller waits for another caller's computation of the same key by default.
DEFAULT_WAIT = 10.0

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


class Lease:
    """Closes a flight whatever happens to its leader: with the value the leader set on
    a normal exit, with the ``Exception`` it raised (its waiters raise it too), and as
    abandoned on any other ``BaseException`` (cancellation, ``KeyboardInterrupt``: the
    waiters start over and one of them leads). A leader that leaves without setting a
    value abandons the flight too."""

    __slots__ = ("_flights", "_key", "_flight", "value")

    def __init__(self, flights: "SingleFlight", key: Hashable, flight: _Flight) -> None:
        self._flights, self._key, self._flight = flights, key, flight
        self.value: Any = _MISSING

    def __enter__(self) -> "Lease":
        return self

    def __exit__(self, kind: Any, error: Optional[BaseException], tb: Any) -> None:
        if error is None and self.value is not _MISSING:
            self._flights.finish(self._key, self._flight, self.value)
        elif isinstance(error, Exception):
            self._flights.finish(self._key, self._flight, error=error)
        else:
            self._flights.finish(self._key, self._flight, abandoned=True)


_all_flights: "weakref.WeakSet[SingleFlight]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for flights in list(_all_flights):
        flights._after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


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

    def lease(self, key: Hashable, flight: _Flight) -> "Lease":
        """The leader's side of ``flight``: ``with flights.lease(key, flight) as lease:``,
        setting ``lease.value``, closes the flight at every exit (see :class:`Lease`)."""
        return Lease(self, key, flight)

    def _lead(self, key: Hashable, flight: _Flight, fn: Callable[[], Any]) -> Any:
        with self.lease(key, flight) as lease:
            lease.value = fn()
        return lease.value

    async def _alead(self, key: Hashable, flight: _Flight, fn: Callable[[], Any]) -> Any:
        with self.lease(key, flight) as lease:
            value = fn()
            lease.value = (await value) if inspect.isawaitable(value) else value
        return lease.value

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
