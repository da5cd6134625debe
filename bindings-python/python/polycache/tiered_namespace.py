"""Namespaces of a TieredCache: a generation in Redis names a namespace's keys, so
``invalidate()`` is O(1) in every process. Generations come from a counter that never
goes back (see ``tiered_protocol.GENERATION``): a counter Redis lost restarts above every
generation issued before, so an invalidated entry can never be read again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from django.core.cache.backends.base import DEFAULT_TIMEOUT

from polycache import _native
from polycache.tiered_protocol import MISS, REDIS_ERRORS

if TYPE_CHECKING:
    from polycache.tiered import TieredCache


def generation_key(cache: "TieredCache", name: str) -> str:
    return f"{cache.key_prefix}:#ns:{name}"


def generation(cache: "TieredCache", name: str) -> Optional[int]:
    """The namespace's generation; None if unknown because Redis is down (IGNORE_EXCEPTIONS)
    and tier 1 is not trusted."""
    gk = generation_key(cache, name)
    tier = cache._tier
    if tier.trusted():
        gen = tier.store.get(gk, MISS)
        if gen is not MISS:
            return gen
    token = tier.token(gk)
    try:
        gen = int(cache._check().generation_script(keys=[gk]))
    except REDIS_ERRORS as e:
        cache._failed("namespace", e)
        gen = tier.local_get(gk, MISS)
        return None if gen is MISS else gen
    tier.fill(gk, token, gen, tier.local_timeout)
    return gen


def invalidate(cache: "TieredCache", name: str) -> Optional[int]:
    """Moves the namespace to a new generation in Redis and tells every process; the new
    generation (None when Redis failed under IGNORE_EXCEPTIONS: it is moved once Redis
    answers again)."""
    gk = generation_key(cache, name)
    tier = cache._tier
    token = tier.begin(gk)
    msg = tier.message("keys", [gk])
    try:
        gen = int(cache._check().invalidate_script(keys=[gk], args=[tier.channel, msg]))
    except REDIS_ERRORS as e:
        cache._failed("invalidate", e, msg=msg, gens=[gk])
        return None
    tier.finish(gk, token, gen, tier.local_timeout)
    return gen


class TieredNamespace:
    """Keys of one namespace of a :class:`TieredCache`. Its generation lives in Redis, so
    ``invalidate()`` is O(1) and seen by every process within the invalidation bound."""

    __slots__ = ("_cache", "name")

    def __init__(self, cache: "TieredCache", name: str) -> None:
        self._cache = cache
        self.name = name

    def _key(self, key: Any) -> Optional[str]:
        gen = generation(self._cache, self.name)
        if gen is None:
            return None
        return _native.namespaced_key(self.name, gen, str(key))

    def generation(self) -> Optional[int]:
        """An opaque number that grows with each invalidation (None if Redis is down)."""
        return generation(self._cache, self.name)

    def invalidate(self) -> Optional[int]:
        """Drops every key of the namespace, in every process; the new generation."""
        return invalidate(self._cache, self.name)

    def get(self, key: Any, default: Any = None, version: Optional[int] = None) -> Any:
        k = self._key(key)
        return default if k is None else self._cache.get(k, default, version)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> None:
        k = self._key(key)
        if k is not None:
            self._cache.set(k, value, timeout, version)

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        k = self._key(key)
        return False if k is None else self._cache.add(k, value, timeout, version)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        k = self._key(key)
        return False if k is None else self._cache.touch(k, timeout, version)

    def ttl(self, key: Any, version: Optional[int] = None) -> Optional[float]:
        k = self._key(key)
        return 0 if k is None else self._cache.ttl(k, version)

    def delete(self, key: Any, version: Optional[int] = None) -> bool:
        k = self._key(key)
        return False if k is None else self._cache.delete(k, version)

    def has_key(self, key: Any, version: Optional[int] = None) -> bool:
        k = self._key(key)
        return False if k is None else self._cache.has_key(k, version)

    def __contains__(self, key: Any) -> bool:
        return self.has_key(key)

    def incr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> Optional[int]:
        k = self._key(key)
        return None if k is None else self._cache.incr(k, delta, version)

    def decr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> Optional[int]:
        return self.incr(key, -delta, version)

    def __repr__(self) -> str:
        return f"<polycache TieredNamespace {self.name!r}>"
