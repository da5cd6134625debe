"""``cache.lock(name)``: the lock django-redis users take from their cache.

Both locks have the API of redis-py's ``redis.lock.Lock`` (``acquire``, ``release``,
``locked``, ``owned``, ``extend``, ``reacquire``, and ``with``), its arguments and its
token rules: with ``thread_local=True`` (the default) the token lives in the thread that
acquired, so another thread cannot release the lock by mistake (it gets ``LockError``,
where redis-py's own lock raises ``AttributeError``); with ``False`` any thread holding
the lock object may release it.

- :class:`ProcessLock` (``PolyCache.lock``): one lock table per ``LOCATION``, shared by
  every ``PolyCache`` with that ``LOCATION`` in the process; excludes threads of one
  process. The table is not the cache: a lock is never evicted, culled or cleared, and
  ``has_key``/``delete`` do not see it. ``timeout`` is measured on the cache's clock
  (``OPTIONS["CLOCK"]``), ``blocking_timeout`` and ``sleep`` on the real one; a release
  wakes waiters at once.
- :class:`RedisLock` (``TieredCache.lock``): redis-py's own lock on the cache's Redis,
  so processes and machines exclude each other. Acquiring it empties this process's
  tier 1: tier 1 may be up to ``INVALIDATION_BOUND`` behind other processes' writes,
  and reads inside a lock must see every write made before it (else a
  ``with cache.lock(k): cache.set(n, cache.get(n) + 1)`` loses updates).

Errors: :class:`LockError` (a ``ValueError``, as redis-py's) and its subclass
:class:`LockNotOwnedError`. When redis-py is installed they are also subclasses of
``redis.exceptions.LockError`` / ``LockNotOwnedError``, so code written for django-redis
catches them unchanged.
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
import time
import uuid
from types import SimpleNamespace, TracebackType
from typing import Any, Callable, Dict, Optional, Tuple, Type, Union


def _optional(module: str) -> Any:
    # redis-py is optional: PolyCache's lock does not need it.
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


_redis_exceptions: Any = _optional("redis.exceptions")
_redis_lock: Any = _optional("redis.lock")
_RedisLockBase: Any = object if _redis_lock is None else _redis_lock.Lock

__all__ = ["LockError", "LockNotOwnedError", "ProcessLock", "RedisLock"]

Token = Union[str, bytes]

_LockErrorBase: Any = ValueError if _redis_exceptions is None else _redis_exceptions.LockError
_NotOwnedBase: Any = ValueError if _redis_exceptions is None else _redis_exceptions.LockNotOwnedError


class LockError(_LockErrorBase):
    """A lock used the wrong way: released or extended while not held, ``with`` that
    could not acquire within ``blocking_timeout``."""

    def __init__(self, message: Optional[str] = None, lock_name: Optional[str] = None) -> None:
        Exception.__init__(self, message)
        self.message = message
        self.lock_name = lock_name


class LockNotOwnedError(LockError, _NotOwnedBase):
    """The lock's token is no longer the one stored: it expired (and maybe another holder
    took it) before ``release``, ``extend`` or ``reacquire``."""


# ---- PolyCache: one table of held locks per LOCATION ------------------------------------


class LockTable:
    """The locks held under one ``LOCATION``: name -> (token, expiry on the cache's clock
    or None). Only tokens (bytes) are compared under the mutex; the clock, user code,
    is read before it is taken."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self._init_mutex()
        self.held: Dict[str, Tuple[bytes, Optional[float]]] = {}
        self._sweep_at = 64

    def _init_mutex(self) -> None:
        self.changed = threading.Condition(threading.Lock())

    def _live(self, name: str, now: float) -> Optional[Tuple[bytes, Optional[float]]]:
        entry = self.held.get(name)
        if entry is not None and entry[1] is not None and entry[1] <= now:
            del self.held[name]
            return None
        return entry

    def try_acquire(self, name: str, token: bytes, timeout: Optional[float]) -> bool:
        now = self.clock()
        with self.changed:
            if self._live(name, now) is not None:
                return False
            self.held[name] = (token, now + timeout if timeout else None)
            if len(self.held) >= self._sweep_at:  # locks left to expire: forget them
                for n in [n for n, (_, at) in self.held.items() if at is not None and at <= now]:
                    del self.held[n]
                self._sweep_at = 2 * len(self.held) + 64
            return True

    def token(self, name: str) -> Optional[bytes]:
        now = self.clock()
        with self.changed:
            entry = self._live(name, now)
            return None if entry is None else entry[0]

    def release(self, name: str, token: bytes) -> bool:
        now = self.clock()
        with self.changed:
            entry = self._live(name, now)
            if entry is None or entry[0] != token:
                return False
            del self.held[name]
            self.changed.notify_all()
            return True

    def expire(self, name: str, token: bytes, seconds: float, add: bool) -> bool:
        """A held lock expires ``seconds`` from now, or (``add``) ``seconds`` later than
        it would have; False when ``token`` does not hold it or it has no expiry."""
        now = self.clock()
        with self.changed:
            entry = self._live(name, now)
            if entry is None or entry[0] != token or (add and entry[1] is None):
                return False
            base = entry[1] if add and entry[1] is not None else now
            at = base + seconds
            if at <= now:
                del self.held[name]
                self.changed.notify_all()
            else:
                self.held[name] = (token, at)
            return True

    def wait(self, seconds: float) -> None:
        with self.changed:
            self.changed.wait(seconds)


_tables: Dict[str, LockTable] = {}
_tables_lock = threading.Lock()


def lock_table_for(location: str, clock: Callable[[], float]) -> LockTable:
    """The lock table of ``location``, created with ``clock`` by its first caller (as
    the store of a LOCATION is)."""
    with _tables_lock:
        table = _tables.get(location)
        if table is None:
            table = _tables[location] = LockTable(clock)
        return table


def _after_fork_in_child() -> None:
    # A mutex held by another thread at fork would stay held forever in the child.
    global _tables_lock
    _tables_lock = threading.Lock()
    for table in list(_tables.values()):
        table._init_mutex()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _ThreadToken(threading.local):
    # Other threads see no token (redis-py's lock raises AttributeError there instead).
    token: Optional[bytes] = None


def _encode_token(token: Any) -> bytes:
    if isinstance(token, bytes):
        return token
    if isinstance(token, (str, int, float)) and not isinstance(token, bool):
        return str(token).encode()
    raise LockError(f"a lock token is str or bytes, got {type(token).__name__}")


class ProcessLock:
    """A named lock shared by every ``PolyCache`` of one ``LOCATION`` in this process,
    with redis-py's ``Lock`` API and rules (see the module docstring).

    >>> from polycache.locks import LockTable, ProcessLock
    >>> table = LockTable(clock=lambda: 1000.0)
    >>> a = ProcessLock(table, "report", timeout=30); b = ProcessLock(table, "report")
    >>> a.acquire(), b.acquire(blocking=False), a.locked(), a.owned(), b.owned()
    (True, False, True, True, False)
    >>> a.release(); b.acquire(blocking=False)
    True
    """

    def __init__(
        self,
        table: LockTable,
        name: str,
        timeout: Optional[float] = None,
        sleep: float = 0.1,
        blocking: bool = True,
        blocking_timeout: Optional[float] = None,
        thread_local: bool = True,
        raise_on_release_error: bool = True,
    ) -> None:
        self.table = table
        self.name = name
        self.timeout = timeout
        self.sleep = sleep
        self.blocking = blocking
        self.blocking_timeout = blocking_timeout
        self.thread_local = bool(thread_local)
        self.raise_on_release_error = raise_on_release_error
        self.local: Any = _ThreadToken() if self.thread_local else SimpleNamespace(token=None)

    def __enter__(self) -> "ProcessLock":
        if self.acquire():
            return self
        raise LockError("Unable to acquire lock within the time specified", lock_name=self.name)

    def __exit__(
        self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        try:
            self.release()
        except LockError:
            if self.raise_on_release_error:
                raise

    def acquire(
        self,
        sleep: Optional[float] = None,
        blocking: Optional[bool] = None,
        blocking_timeout: Optional[float] = None,
        token: Optional[Token] = None,
    ) -> bool:
        """True once the lock is held; False if ``blocking`` is off and it is taken, or
        ``blocking_timeout`` seconds passed."""
        sleep = self.sleep if sleep is None else sleep
        blocking = self.blocking if blocking is None else blocking
        blocking_timeout = self.blocking_timeout if blocking_timeout is None else blocking_timeout
        raw = uuid.uuid1().hex.encode() if token is None else _encode_token(token)
        stop_at = None if blocking_timeout is None else time.monotonic() + blocking_timeout
        while True:
            if self.table.try_acquire(self.name, raw, self.timeout):
                self.local.token = raw
                return True
            if not blocking:
                return False
            wait = sleep
            if stop_at is not None:
                left = stop_at - time.monotonic()
                if left <= 0:
                    return False
                wait = min(wait, left)
            self.table.wait(wait)

    def locked(self) -> bool:
        """True if anyone holds the lock."""
        return self.table.token(self.name) is not None

    def owned(self) -> bool:
        """True if this lock object (in this thread, with ``thread_local``) holds it."""
        mine = self.local.token
        return mine is not None and self.table.token(self.name) == mine

    def release(self) -> None:
        mine = self.local.token
        if mine is None:
            raise LockError("Cannot release a lock that's not owned or is already unlocked.", lock_name=self.name)
        self.local.token = None
        if not self.table.release(self.name, mine):
            raise LockNotOwnedError("Cannot release a lock that's no longer owned", lock_name=self.name)

    def extend(self, additional_time: float, replace_ttl: bool = False) -> bool:
        """Adds ``additional_time`` seconds to the lock's time left (``replace_ttl``:
        sets it to that)."""
        self._check_held("extend")
        if not self.table.expire(self.name, self.local.token, additional_time, add=not replace_ttl):
            raise LockNotOwnedError("Cannot extend a lock that's no longer owned", lock_name=self.name)
        return True

    def reacquire(self) -> bool:
        """Resets the lock's time left to its ``timeout``."""
        self._check_held("reacquire")
        if not self.table.expire(self.name, self.local.token, float(self.timeout or 0), add=False):
            raise LockNotOwnedError("Cannot reacquire a lock that's no longer owned", lock_name=self.name)
        return True

    def _check_held(self, what: str) -> None:
        if self.local.token is None:
            raise LockError(f"Cannot {what} an unlocked lock", lock_name=self.name)
        if self.timeout is None:
            raise LockError(f"Cannot {what} a lock with no timeout", lock_name=self.name)

    def __repr__(self) -> str:
        return f"<polycache ProcessLock {self.name!r}>"


# ---- TieredCache: redis-py's lock, raising polycache's errors ----------------------------


def _translated(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except LockError:
            raise
        except _redis_exceptions.LockNotOwnedError as e:
            raise LockNotOwnedError(e.message, lock_name=e.lock_name) from None
        except _redis_exceptions.LockError as e:
            raise LockError(e.message, lock_name=e.lock_name) from None

    return call


class RedisLock(_RedisLockBase):
    """redis-py's ``Lock`` (the lock django-redis returns) raising polycache's
    :class:`LockError` / :class:`LockNotOwnedError`."""

    def __init__(self, *args: Any, on_acquire: Optional[Callable[[], None]] = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.thread_local:
            self.local = _ThreadToken()
        self.on_acquire = on_acquire

    if _redis_exceptions is not None:
        __enter__ = _translated(_RedisLockBase.__enter__)

        @_translated
        def acquire(self, *args: Any, **kwargs: Any) -> bool:
            got = bool(super().acquire(*args, **kwargs))
            if got and self.on_acquire is not None:
                self.on_acquire()
            return got

        release = _translated(_RedisLockBase.release)
        extend = _translated(_RedisLockBase.extend)
        reacquire = _translated(_RedisLockBase.reacquire)

