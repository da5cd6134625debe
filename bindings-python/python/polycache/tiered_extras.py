"""TieredCache beyond Django's API: django-redis's ``pttl``/``expire``/``persist``/
``keys``/``iter_keys``/``delete_pattern``, polycache's ``namespace()`` and ``stats()``.
Plain functions taking the cache, bound as methods in ``TieredCache``'s class body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple

from django.core.cache.backends.base import BaseCache, default_key_func

from polycache.tiered_namespace import TieredNamespace
from polycache.tiered_protocol import REDIS_ERRORS, glob_escape, scan

if TYPE_CHECKING:
    from polycache.tiered import TieredCache


def pttl(self: "TieredCache", key: Any, version: Optional[int] = None) -> Optional[int]:
    """Milliseconds left for ``key``: None if it never expires, 0 if it is absent. (``ttl``,
    whole seconds rounded from this, is :class:`polycache.redis_compat.TieredHabits`'.)"""
    full = self.make_and_validate_key(key, version=version)
    try:
        ms = self._check().client.pttl(full)
    except REDIS_ERRORS as e:
        self._failed("ttl", e)
        if not self._tier.trusted():  # (tier 1 may hold what another process changed)
            return 0
        left = self._tier.store.ttl(full)  # 0 when absent
        return left if left is None else round(left * 1000)
    if ms == -2:
        return 0
    if ms == -1:
        return None
    return int(ms)


def expire(self: "TieredCache", key: Any, timeout: Any, version: Optional[int] = None) -> bool:
    """Sets a live key's timeout (seconds; None = never); True when it was live."""
    full = self.make_and_validate_key(key, version=version)
    return self._touch_full(full, self._px(timeout), "expire")


def persist(self: "TieredCache", key: Any, version: Optional[int] = None) -> bool:
    """Makes a live key never expire; True when it was live."""
    full = self.make_and_validate_key(key, version=version)
    return self._touch_full(full, None, "persist")


def glob(self: "TieredCache", pattern: str, version: Optional[int]) -> Tuple[str, int]:
    """The Redis glob for a user's ``pattern``, and how much of a match is our prefix."""
    if self.key_func is default_key_func and type(self).make_key is BaseCache.make_key:
        prefix = self.make_key("", version=version)
        return glob_escape(prefix) + pattern, len(prefix)
    return pattern, 0


def keys(self: "TieredCache", pattern: str = "*", version: Optional[int] = None) -> List[str]:
    """Keys in Redis of this cache's prefix and version matching a glob ``pattern``
    (SCAN; with a custom ``KEY_FUNCTION`` the full stored keys are matched and returned)."""
    match, cut = glob(self, pattern, version)
    try:
        fulls = scan(self._check().client, match)
    except REDIS_ERRORS as e:
        self._failed("keys", e)
        return []
    return [f[cut:] for f in fulls]


def iter_keys(self: "TieredCache", pattern: str = "*", version: Optional[int] = None, itersize: Optional[int] = None) -> Iterator[str]:
    """Like :meth:`keys`, as an iterator."""
    return iter(self.keys(pattern, version))


def delete_pattern(self: "TieredCache", pattern: str, version: Optional[int] = None, **kwargs: Any) -> int:
    """Deletes every key matching ``pattern`` in Redis and every tier 1; how many."""
    match, _ = glob(self, pattern, version)
    try:
        fulls = scan(self._check().client, match)
    except REDIS_ERRORS as e:
        self._failed("delete_pattern", e, patterns=[match])
        return 0
    return self._delete_full(fulls, "delete_pattern") if fulls else 0


def namespace(self: "TieredCache", name: str) -> TieredNamespace:
    """A view of the keys of namespace ``name``; ``invalidate()`` drops them all in O(1)
    in every process (the generation lives in Redis)."""
    if not isinstance(name, str):
        raise TypeError(f"polycache TieredCache: a namespace name is a str, got {name!r}")
    return TieredNamespace(self, name)


def stats(self: "TieredCache") -> Dict[str, Any]:
    """Tier 1's counters (hits, misses, hit_ratio, sets, deletes, evictions,
    expirations, entries, bytes) and tier 2's: redis_hits, redis_misses, redis_errors,
    redis_skipped, invalidations_received, subscribes, reconnects, subscriber_errors,
    reconciled (failed writes settled as invalidations) and reconcile_pending; whether
    tier 1 is trusted now (``tier1_trusted``), ``subscribed``, the bound in seconds
    (``invalidation_bound``) and the last Redis error (``last_error``)."""
    tier = self._tier
    out: Dict[str, Any] = dict(tier.store.stats())
    with tier.lock:
        out.update(tier.counts)
    out["reconnects"] = max(0, out["subscribes"] - 1)
    out["reconcile_pending"] = tier.journal.size
    out["tier1_trusted"] = tier.trusted()
    out["subscribed"] = tier.subscribed
    out["invalidation_bound"] = tier.bound
    out["last_error"] = tier.last_error
    return out
