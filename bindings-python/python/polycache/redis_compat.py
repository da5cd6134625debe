"""django-redis's extras on ``PolyCache`` and ``TieredCache``, with django-redis 7's
names, arguments and return values, so code written for ``django_redis.cache.RedisCache``
runs unchanged:

- ``set(key, value, timeout, version, nx=True)`` stores only if absent, ``xx=True`` only
  if present; both return True when they stored (a plain ``set`` returns None, as
  Django's);
- ``ttl(key)``: whole seconds left, rounded as Redis's ``TTL`` (to the nearest second);
  ``pttl(key)``: milliseconds; both None when the key never expires, 0 when it is absent;
- ``pexpire(key, ms)``, ``expire_at(key, when)``, ``pexpire_at(key, when)`` (``when``: a
  ``datetime`` or Unix seconds / milliseconds), True when the key was live;
- ``incr(key, delta, ignore_key_check=True)`` creates an absent key with ``delta`` and no
  expiry (Redis ``INCRBY``); ``incr``/``decr`` use Python's integers, past 64 bits too;
- ``delete_many(keys)`` returns how many keys it deleted (None for no keys, as Django's
  own suite asks);
- ``lock(key, version, timeout, sleep, blocking, blocking_timeout, thread_local)``: see
  :mod:`polycache.locks`.
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Callable, Optional

from django.core.cache.backends.base import DEFAULT_TIMEOUT

from polycache.locks import LockTable, ProcessLock, RedisLock, lock_table_for

__all__ = ["RedisHabits", "PolyHabits", "TieredHabits"]


def _seconds(when: Any, per_second: int) -> float:
    """Unix seconds for ``when``: a datetime (naive = local time, truncated as redis-py
    truncates it) or a number of seconds (``per_second=1``) or milliseconds (1000)."""
    if isinstance(when, datetime.datetime):
        whole = int(when.timestamp())
        return whole if per_second == 1 else whole + when.microsecond // 1000 / 1000
    if isinstance(when, bool) or not isinstance(when, (int, float)):
        raise TypeError(f"expire_at/pexpire_at take a datetime or a Unix time, got {type(when).__name__}")
    return when / per_second


class RedisHabits:
    """What both backends share; each provides ``expire``, ``pttl``, ``add`` and
    ``_new_lock``."""

    expire: Callable[..., bool]
    pttl: Callable[..., Optional[int]]
    add: Callable[..., bool]
    make_and_validate_key: Callable[..., str]

    def _now(self) -> float:
        """Seconds since the epoch on the clock the backend's timeouts use."""
        return time.time()

    def ttl(self, key: Any, version: Optional[int] = None) -> Optional[int]:
        """Seconds left for ``key`` as Redis's ``TTL`` gives them (rounded to the nearest
        second): None if it never expires, 0 if it is absent."""
        ms = self.pttl(key, version)
        return ms if not ms else (ms + 500) // 1000

    def pexpire(self, key: Any, timeout: Any, version: Optional[int] = None) -> bool:
        """Sets a live key's timeout in milliseconds (``DEFAULT_TIMEOUT``: the cache's
        default timeout; 0 or less deletes it); True when it was live."""
        if timeout is DEFAULT_TIMEOUT or timeout is None:
            return self.expire(key, timeout, version)
        return self.expire(key, timeout / 1000, version)

    def expire_at(self, key: Any, when: Any, version: Optional[int] = None) -> bool:
        """Makes a live key expire at ``when`` (a datetime or Unix seconds); True when it
        was live. A time already past deletes it."""
        return self.expire(key, _seconds(when, 1) - self._now(), version)

    def pexpire_at(self, key: Any, when: Any, version: Optional[int] = None) -> bool:
        """Makes a live key expire at ``when`` (a datetime or Unix milliseconds); True
        when it was live."""
        return self.expire(key, _seconds(when, 1000) - self._now(), version)

    def lock(
        self,
        key: Any,
        version: Optional[int] = None,
        timeout: Optional[float] = None,
        sleep: float = 0.1,
        blocking: bool = True,
        blocking_timeout: Optional[float] = None,
        thread_local: bool = True,
    ) -> Any:
        """A lock named by the cache key of ``key`` (prefix and version apply), with
        redis-py's ``Lock`` API: ``with cache.lock("report", timeout=60): ...``."""
        full = self.make_and_validate_key(key, version=version)
        return self._new_lock(
            full, timeout=timeout, sleep=sleep, blocking=blocking, blocking_timeout=blocking_timeout, thread_local=thread_local
        )

    def _new_lock(self, name: str, **options: Any) -> Any:
        raise NotImplementedError

    def _set_if(self, key: Any, value: Any, timeout: Any, version: Optional[int], nx: bool, xx: bool) -> bool:
        if nx and xx:
            raise ValueError("set: nx and xx cannot both be true")
        if nx:
            return self.add(key, value, timeout, version)
        return self._set_if_present(key, value, timeout, version)

    def _set_if_present(self, key: Any, value: Any, timeout: Any, version: Optional[int]) -> bool:
        raise NotImplementedError


class PolyHabits(RedisHabits):
    """The extras on :class:`polycache.django.PolyCache` (``set(nx=, xx=)`` is native)."""

    _n: Any
    _locks: LockTable

    def _init_habits(self, location: str, clock: Optional[Callable[[], float]]) -> None:
        self._locks = lock_table_for(location, clock or time.time)

    def _now(self) -> float:
        return self._locks.clock()

    def pttl(self, key: Any, version: Optional[int] = None) -> Optional[int]:
        """Milliseconds left for ``key``: None if it never expires, 0 if it is absent."""
        left = self._n.ttl(key, version)
        return left if left is None else round(left * 1000)

    def incr(self, key: Any, delta: int = 1, version: Optional[int] = None, ignore_key_check: bool = False) -> int:
        """Adds ``delta`` to an integer value (Python's integers: no 64-bit limit),
        keeping its timeout; ``ValueError`` if the key is absent, unless
        ``ignore_key_check``: then an absent key is stored as ``delta``, never expiring."""
        if not ignore_key_check:
            return self._n.incr(key, delta, version)
        if not isinstance(delta, int):
            raise TypeError(f"delta must be an int, got {type(delta).__name__}")
        while True:
            if self._n.add(key, delta, None, version):
                return delta
            try:
                return self._n.incr(key, delta, version)
            except ValueError:
                continue  # deleted or expired since the add: create it

    def _new_lock(self, name: str, **options: Any) -> ProcessLock:
        return ProcessLock(self._locks, name, **options)


class TieredHabits(RedisHabits):
    """The extras on :class:`polycache.tiered.TieredCache`: the lock is redis-py's, on the
    cache's Redis, so processes exclude each other."""

    _tier: Any
    _store_if: Callable[..., bool]

    def _new_lock(self, name: str, **options: Any) -> RedisLock:
        # Reads inside the lock must see every write made before it: tier 1 may be up to
        # INVALIDATION_BOUND behind, so it starts empty (see polycache.locks).
        return RedisLock(self._tier.client, name, on_acquire=self._tier.flush, **options)

    def _set_if_present(self, key: Any, value: Any, timeout: Any, version: Optional[int]) -> bool:
        return self._store_if("set", "set_xx_script", key, value, timeout, version)

    def _incr_past_64_bits(self, full: str, key: Any, delta: int, create: bool) -> Optional[int]:
        from polycache.tiered_writes import incr_past_64_bits

        return incr_past_64_bits(self, full, key, delta, create)
