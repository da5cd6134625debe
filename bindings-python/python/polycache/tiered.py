"""A two-tier Django cache: polycache in-process in front of a shared Redis.

``CACHES = {"default": {"BACKEND": "polycache.tiered.TieredCache", "LOCATION":
"redis://127.0.0.1:6379/0", "OPTIONS": {...}}}`` (or a Redis Cluster, a Sentinel service:
``tiered_topology``); the options (IGNORE_EXCEPTIONS,
SOCKET_TIMEOUT, SOCKET_CONNECT_TIMEOUT, INVALIDATION_BOUND, LOCAL_MAX_ENTRIES,
LOCAL_MAX_BYTES, EVICTION, LOCAL_TIMEOUT, RETRY_AFTER) are in docs/tiered.md and ``tiered_options``.

Tier 1 is a native polycache store (one per LOCATION and options, shared by every
instance in the process: ``tiered_tier``); tier 2 is Redis, through redis-py, with the
value format of Django's own ``RedisCache`` (``tiered_protocol``). Reads try tier 1, then
Redis, and fill tier 1 with the remaining Redis TTL. Writes go to Redis first, with an
invalidation message on a pub/sub channel in the same Lua script (or MULTI/EXEC), then
to tier 1.

**The invalidation bound.** A write that has returned in one process is never served
stale by another process's tier 1 more than ``INVALIDATION_BOUND`` seconds later: tier 1
is used only under a lease the subscriber thread renews by a pub/sub PING that came back
after every message published before it.

**Faults.** Every Redis call gives up after ``SOCKET_CONNECT_TIMEOUT + SOCKET_TIMEOUT``.
A write that failed is turned into an invalidation of what it touched, applied in Redis
as soon as Redis answers (``tiered_journal``); meanwhile its keys are out of tier 1. With
``IGNORE_EXCEPTIONS`` false (the default) a failure raises :class:`TieredCacheUnavailable`;
with it true, a read is answered from tier 1 only while tier 1 is trusted (else as a
miss), a write is lost, and Redis is skipped for ``RETRY_AFTER`` seconds.

docs/tiered.md says what each fault does, and which test checks it.
"""

from __future__ import annotations

import time
from typing import Any, Dict, Iterable, List, Optional

from asgiref.sync import sync_to_async
from django.core.cache.backends.base import (
    DEFAULT_TIMEOUT,
    BaseCache,
    default_key_func,
)
from django.core.exceptions import ImproperlyConfigured

from polycache import _native
from polycache import tiered_extras as _extras
from polycache import tiered_many as _many
from polycache._settings import rebuilding_setting
from polycache.redis_compat import TieredHabits
from polycache.tiered_namespace import TieredNamespace
from polycache.tiered_options import options as _options
from polycache.tiered_protocol import MISS as _MISS
from polycache.tiered_protocol import REDIS_ERRORS as _REDIS_ERRORS
from polycache.tiered_protocol import Skipped as _Skipped
from polycache.tiered_protocol import TieredCacheUnavailable, redis
from polycache.tiered_protocol import dumps as _dumps
from polycache.tiered_protocol import loads as _loads
from polycache.tiered_tier import _Tier
from polycache.tiered_tier import tier_for as _tier_for
from polycache.tiered_tier import tiers as _tiers  # noqa: F401  (the registry, for tests and tools)
from polycache.tiered_topology import spec as _spec

__all__ = ["TieredCache", "TieredNamespace", "TieredCacheUnavailable"]

_monotonic = time.monotonic


def _warn_key(key: str) -> None:
    BaseCache.validate_key(None, key)  # see polycache.django


class TieredCache(TieredHabits, BaseCache):
    """Django's cache API over polycache in-process (tier 1) and Redis (tier 2)."""

    def __init__(self, location: Any, params: Dict[str, Any]) -> None:
        if redis is None:
            raise ImproperlyConfigured("polycache.tiered.TieredCache needs redis-py: pip install 'redis>=5'")
        self._hot: Optional[_native.Cache] = None
        super().__init__(params)
        opts = _options(params)
        self._ignore = opts.pop("IGNORE_EXCEPTIONS")
        self._tier = _tier_for(_spec(location, params.get("OPTIONS") or {}), opts)
        self._rebuild()

    # ---- key settings Django reads and writes as attributes (tests change key_func) -----

    def _rebuild(self) -> None:
        """The native key path for tier-1 reads, when keys are Django's defaults."""
        tier = self.__dict__.get("_tier")
        if tier is None:
            return  # still inside BaseCache.__init__
        cls = type(self)
        native_keys = (
            self.key_func is default_key_func
            and cls.make_key is BaseCache.make_key
            and cls.validate_key is BaseCache.validate_key
            and cls.make_and_validate_key is BaseCache.make_and_validate_key
            and isinstance(self.key_prefix, str)
            and type(self.version) is int
        )
        self._hot = (
            tier.store.view(
                max_entries=tier.max_entries, max_bytes=tier.max_bytes, eviction=tier.eviction, cull_frequency=3,
                default_timeout=None, key_prefix=self.key_prefix, version=self.version, validate_key=_warn_key,
            )
            if native_keys
            else None
        )

    key_func = rebuilding_setting("key_func")
    key_prefix = rebuilding_setting("key_prefix")
    version = rebuilding_setting("version")

    # ---- helpers ----------------------------------------------------------------------

    def _trusted_hot(self) -> Optional[_native.Cache]:
        hot = self._hot
        if hot is not None and _monotonic() < self._tier.lease_until:
            return hot
        return None

    def _check(self) -> _Tier:
        """The tier, before a Redis call; raises _Skipped while Redis is known to be down
        and IGNORE_EXCEPTIONS is on (then the call answers at once instead of waiting out
        a timeout). Settles the writes that failed earlier first."""
        tier = self._tier
        if self._ignore and _monotonic() < tier.down_until:
            raise _Skipped()
        if tier.journal.size:
            try:
                tier.journal.settle()
            except redis.ResponseError as e:  # Redis answered, but no: settle later, go on
                tier.last_error = f"{type(e).__name__}: {e}"
        return tier

    def _failed(self, op: str, error: BaseException, keys: Iterable[str] = (), msg: Any = None,
                gens: Iterable[str] = (), clear: bool = False, patterns: Iterable[str] = ()) -> None:
        """After a failed Redis call: counts it; the write it was (``keys``, ``gens``,
        ``clear``, ``patterns`` of delete_pattern), which Redis may or may not have applied,
        leaves tier 1 and is settled as an invalidation once Redis answers. With IGNORE_EXCEPTIONS returns (the caller
        answers as a miss, or from tier 1 while trusted), else raises TieredCacheUnavailable."""
        tier = self._tier
        if isinstance(error, _Skipped):
            tier.count("redis_skipped")
        else:
            tier.count("redis_errors")
            tier.last_error = f"{type(error).__name__}: {error}"
            tier.down_until = _monotonic() + tier.retry_after
            tier.ensure_running()
            for m in [msg] if isinstance(msg, str) else msg or ():
                tier.unconfirm(m)
        keys, gens, patterns = list(keys), list(gens), list(patterns)
        if patterns:
            tier.flush()  # (tier 1 cannot be searched by a Redis glob)
        if keys or gens or clear or patterns:
            tier.drop(keys + gens)
            tier.journal.add(keys, gens, clear, patterns)
        if not self._ignore:
            raise TieredCacheUnavailable(
                f"polycache TieredCache: {op} failed, Redis at {tier.url} unavailable "
                f"({type(error).__name__}: {error}); set OPTIONS IGNORE_EXCEPTIONS=True to answer "
                f"as a miss instead"
            ) from error

    def _px(self, timeout: Any) -> Optional[int]:
        """Milliseconds to keep an entry in Redis for a Django timeout (None = forever,
        0 = already expired), by the core's timeout rules."""
        if timeout is DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        now = int(time.time() * 1000)
        expiry = _native.timeout_expiry(timeout, None, now)
        if expiry is None:
            return None
        return max(0, expiry - now)

    @staticmethod
    def _px_arg(px: Optional[int]) -> str:
        return "" if px is None else str(px)

    def _full_keys(self, keys: List[Any], version: Optional[int], validated: bool) -> List[str]:
        make = self.make_key if validated else self.make_and_validate_key
        return [make(k, version=version) for k in keys]

    # ---- reads --------------------------------------------------------------------------

    def get(self, key: Any, default: Any = None, version: Optional[int] = None) -> Any:
        hot = self._hot
        if hot is not None and _monotonic() < self._tier.lease_until:
            value = hot.get(key, _MISS, version)
            if value is not _MISS:
                return value
            return self._get_full(self.make_key(key, version=version), default)
        return self._get_full(self.make_and_validate_key(key, version=version), default)

    def _get_full(self, full: str, default: Any) -> Any:
        tier = self._tier
        token = tier.token(full)
        sent = _monotonic()
        try:
            reply = self._check().get_script(keys=[full])
        except _REDIS_ERRORS as e:
            self._failed("get", e)
            return tier.local_get(full, default)
        if reply is None:
            tier.count("redis_misses")
            return default
        tier.count("redis_hits")
        data, pttl = reply
        value = _loads(data)
        if pttl != -2:
            tier.fill(full, token, value, tier.local_seconds(None if pttl < 0 else pttl, sent))
        return value

    def has_key(self, key: Any, version: Optional[int] = None) -> bool:
        hot = self._trusted_hot()
        if hot is not None:
            if hot.has_key(key, version):
                return True
            full = self.make_key(key, version=version)
        else:
            full = self.make_and_validate_key(key, version=version)
        try:
            return bool(self._check().client.exists(full))
        except _REDIS_ERRORS as e:
            self._failed("has_key", e)
            return self._tier.local_has(full)

    # ---- writes: Redis first (with the invalidation message), then tier 1 ---------------

    def _write(self, full: str, blob: Any, px: Optional[int], p: Any) -> None:
        if px is None:
            p.set(full, blob)
        elif px > 0:
            p.set(full, blob, px=px)
        else:
            p.delete(full)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None, *, nx: bool = False, xx: bool = False) -> Optional[bool]:
        if nx or xx:
            return self._set_if(key, value, timeout, version, nx, xx)
        self.set_many({key: value}, timeout, version, _op="set")
        return None

    def set_many(
        self, data: Dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None, _op: str = "set_many"
    ) -> List[Any]:
        """As Django's: the keys that could not be stored (all of them when Redis failed
        under IGNORE_EXCEPTIONS)."""
        if not data:
            return []
        items = [(self.make_and_validate_key(k, version=version), v) for k, v in data.items()]
        blobs = [_dumps(v) for _, v in items]  # a PickleError leaves both tiers as they were
        px = self._px(timeout)
        tier = self._tier
        fulls = [f for f, _ in items]
        tokens = [tier.begin(f) for f in fulls]
        msg: Any = tier.message("keys", fulls)
        sent = _monotonic()
        try:
            if len(fulls) == 1:
                self._check().set_script(keys=fulls, args=[blobs[0], self._px_arg(px), tier.channel, msg])
            elif tier.topology.cluster:  # one script per hash slot, each with its message
                blob = dict(zip(fulls, blobs))
                groups = tier.topology.groups(fulls)
                msg = [tier.message("keys", g) for g in groups]
                for g, m in zip(groups, msg):
                    self._check().set_many_script(keys=g, args=[self._px_arg(px), tier.channel, m] + [blob[f] for f in g])
            else:
                with self._check().client.pipeline(transaction=True) as p:
                    for f, blob in zip(fulls, blobs):
                        self._write(f, blob, px, p)
                    p.publish(tier.channel, msg)
                    p.execute()
        except _REDIS_ERRORS as e:
            self._failed(_op, e, fulls, msg)
            return list(data)
        seconds = tier.local_seconds(px, sent)
        for (f, v), t in zip(items, tokens):
            tier.finish(f, t, v if px != 0 else _MISS, seconds)
        return []

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        return self._store_if("add", "add_script", key, value, timeout, version)

    def _store_if(self, op: str, script: str, key: Any, value: Any, timeout: Any, version: Optional[int]) -> bool:
        """A conditional write (``add``, ``set(xx=True)``) by the tier's ``script`` (args:
        data, px, channel, message; returns 1 when it stored); True when it did."""
        full = self.make_and_validate_key(key, version=version)
        data = _dumps(value)
        px = self._px(timeout)
        tier = self._tier
        token = tier.begin(full)
        msg = tier.message("keys", [full])
        sent = _monotonic()
        try:
            done = bool(getattr(self._check(), script)(keys=[full], args=[data, self._px_arg(px), tier.channel, msg]))
        except _REDIS_ERRORS as e:
            self._failed(op, e, [full], msg)
            return False
        tier.finish(full, token, value if done and px != 0 else _MISS, tier.local_seconds(px, sent))
        return done

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._touch_full(full, self._px(timeout), "touch")

    def _touch_full(self, full: str, px: Optional[int], op: str) -> bool:
        tier = self._tier
        token = tier.begin(full)
        msg = tier.message("keys", [full])
        try:
            done = bool(self._check().touch_script(keys=[full], args=[self._px_arg(px), tier.channel, msg]))
        except _REDIS_ERRORS as e:
            self._failed(op, e, [full], msg)
            return False
        tier.finish(full, token)  # tier 1 refetches it with its new TTL
        return done

    def delete(self, key: Any, version: Optional[int] = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._delete_full([full], "delete") > 0

    def delete_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Optional[int]:
        fulls = self._full_keys(list(keys), version, validated=False)
        return self._delete_full(fulls, "delete_many") if fulls else None

    def _delete_full(self, fulls: List[str], op: str) -> int:
        tier = self._tier
        deleted = 0
        for group in tier.topology.groups(fulls):  # (one hash slot each on a cluster)
            tokens = [tier.begin(f) for f in group]
            msg = tier.message("keys", group)
            try:
                deleted += int(self._check().delete_script(keys=group, args=[tier.channel, msg]))
            except _REDIS_ERRORS as e:
                self._failed(op, e, group, msg)
                return deleted
            for f, t in zip(group, tokens):
                tier.finish(f, t)
        return deleted

    get_many = _many.get_many
    incr = _many.incr

    def decr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> Optional[int]:
        return self.incr(key, -delta, version)

    def clear(self) -> None:
        """Empties Redis's database (FLUSHDB, as Django's RedisCache does) and the tier 1
        of every process connected to it."""
        tier = self._tier
        tier.flush()
        msg = tier.message("clear", [])
        try:
            self._check().topology.flush_all(tier.channel, msg)
        except _REDIS_ERRORS as e:
            self._failed("clear", e, msg=msg, clear=True)
        finally:
            tier.flush()

    def close(self, **kwargs: Any) -> None:
        """Nothing to do per request: the connection pool and tier 1 live on."""

    # ---- async: tier-1 hits without a thread hop; Redis calls in a thread -------------

    async def aget(self, key, default=None, version=None):  # type: ignore[no-untyped-def]
        hot = self._hot
        if hot is not None and _monotonic() < self._tier.lease_until:
            value = hot.get(key, _MISS, version)
            if value is not _MISS:
                return value
            full = self.make_key(key, version=version)
        else:
            full = self.make_and_validate_key(key, version=version)
        return await sync_to_async(self._get_full, thread_sensitive=True)(full, default)

    # The other a* methods are BaseCache's: the sync method in a thread (they do I/O).

    # ---- beyond Django: django-redis's names, namespaces, stats (tiered_extras) --------

    pttl = _extras.pttl  # (ttl, pexpire, expire_at, pexpire_at, lock: TieredHabits)
    expire = _extras.expire
    persist = _extras.persist
    keys = _extras.keys
    iter_keys = _extras.iter_keys
    delete_pattern = _extras.delete_pattern
    namespace = _extras.namespace
    stats = _extras.stats
