"""A two-tier Django cache: polycache in-process in front of a shared Redis.

.. code-block:: python

    CACHES = {
        "default": {
            "BACKEND": "polycache.tiered.TieredCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "TIMEOUT": 300,
            "OPTIONS": {
                "IGNORE_EXCEPTIONS": False,      # True: serve from tier 1 when Redis fails
                "SOCKET_TIMEOUT": 0.25,          # seconds, per Redis round trip
                "SOCKET_CONNECT_TIMEOUT": 0.25,  # seconds
                "INVALIDATION_BOUND": 0.5,       # seconds, see below
                "LOCAL_MAX_ENTRIES": 10_000,     # tier-1 bounds (LRU)
                "LOCAL_MAX_BYTES": 64 << 20,
    "EVICTION": "lru",  # tier 1's policy: "lru" or "adaptive"
                "LOCAL_TIMEOUT": None,           # cap on seconds an entry lives in tier 1
                "RETRY_AFTER": 1.0,              # IGNORE_EXCEPTIONS: skip a failed Redis this long
            },
        }
    }

Tier 1 is a native polycache store (one per LOCATION and options, shared by every
instance in the process); tier 2 is Redis, through redis-py, with the value format of
Django's own ``RedisCache`` (ints bare, everything else pickled). Reads try tier 1, then
Redis, and fill tier 1 with the remaining Redis TTL. Writes go to Redis first, with an
invalidation message on a pub/sub channel in the same Lua script (or MULTI/EXEC for
``set_many``), then to tier 1.

**The invalidation bound.** Each process runs one subscriber thread per tier. Every
``INVALIDATION_BOUND / 5`` seconds it sends ``PING`` on its pub/sub connection; Redis answers
in order, after every invalidation published before the ping arrived, and the thread
applies those first. When the answer comes back, tier 1 is trusted until
``ping_sent + INVALIDATION_BOUND`` (monotonic clock, no clock sync needed). A read only
uses tier 1 while it is trusted; otherwise it goes to Redis. So a ``set``, ``delete``,
``clear``, ``incr``, ``touch``, ``incr_version`` or namespace ``invalidate()`` that has
returned in one process is never served stale by any other process more than
``INVALIDATION_BOUND`` seconds later (typically it is applied within a millisecond).
A subscriber that connects (first start, or after losing its connection) flushes tier 1
once it is subscribed, before tier 1 is trusted again, so nothing missed while away is
ever served. Races between a fill from Redis and a concurrent invalidation are closed
with per-key-stripe epochs: a fill is dropped if an invalidation for its stripe arrived
since the read began.

**Faults.** Every Redis call gives up after ``SOCKET_CONNECT_TIMEOUT + SOCKET_TIMEOUT``
at most (one immediate retry on a dropped pooled connection, none on a timeout). With
``IGNORE_EXCEPTIONS`` false (the default) a failure raises :class:`TieredCacheUnavailable`;
with it true, reads are served from tier 1 (possibly stale: nothing invalidates it
while Redis is away), writes land in tier 1 only, ``stats()["redis_errors"]`` counts
the failures, and Redis is not tried again for ``RETRY_AFTER`` seconds (those calls count
as ``redis_skipped``) unless the subscriber reconnects sooner. Writes made during an
outage are dropped with the tier-1 flush on reconnect.

As Django's own ``RedisCache``, ``clear()`` flushes the whole Redis database, and
``MAX_ENTRIES`` / ``CULL_FREQUENCY`` do not apply (Redis bounds itself with
``maxmemory``); tier 1 is bounded by ``LOCAL_MAX_ENTRIES`` / ``LOCAL_MAX_BYTES``.
Every write must go through TieredCache (or publish on its channel): a plain ``redis-cli
DEL`` is not seen by tier 1 until the entry's TTL or ``LOCAL_TIMEOUT`` runs out.
"""

from __future__ import annotations

import fnmatch
import json
import math
import os
import pickle
import threading
import time
import warnings
import weakref
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple

from asgiref.sync import sync_to_async
from django.core.exceptions import ImproperlyConfigured
from django.core.cache.backends.base import (
    DEFAULT_TIMEOUT,
    BaseCache,
    CacheKeyWarning,
    default_key_func,
    memcache_key_warnings,
)

from polycache import _native
from polycache._settings import rebuilding_setting

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry
except ImportError:  # TieredCache needs redis-py; importing this module does not
    redis = None  # type: ignore[assignment]

__all__ = ["TieredCache", "TieredNamespace", "TieredCacheUnavailable"]

_MISS = object()
_monotonic = time.monotonic
_STRIPES = 4096  # power of two
_REDIS_ERRORS = (redis.ConnectionError, redis.TimeoutError, OSError) if redis is not None else (OSError,)


class TieredCacheUnavailable(ConnectionError):
    """Redis could not be reached within the socket timeouts (and IGNORE_EXCEPTIONS is off)."""


class _Skipped(redis.ConnectionError if redis is not None else OSError):  # type: ignore[misc]
    """Redis was not tried: it failed less than RETRY_AFTER seconds ago (IGNORE_EXCEPTIONS)."""


def _warn_key(key: str) -> None:
    for warning in memcache_key_warnings(key):
        warnings.warn(warning, CacheKeyWarning)


# ---- values: the format of Django's RedisSerializer --------------------------------------


def _dumps(value: Any) -> Any:
    if type(value) is int:
        return value  # stored bare, so INCRBY works on it
    return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def _loads(data: bytes) -> Any:
    try:
        return int(data)
    except ValueError:
        return pickle.loads(data)


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


# ---- Lua: each write and its invalidation message in one atomic step ---------------------

# KEYS[1] key. Returns {value, pttl} or nil when absent.
_GET = """
local v = redis.call('GET', KEYS[1])
if not v then return false end
return {v, redis.call('PTTL', KEYS[1])}
"""

# KEYS[1] key; ARGV: data, px ("" = never, "0" = already expired), channel, message
_SET = """
local px = ARGV[2]
if px == '' then redis.call('SET', KEYS[1], ARGV[1])
elseif px == '0' then redis.call('DEL', KEYS[1])
else redis.call('SET', KEYS[1], ARGV[1], 'PX', px) end
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1
"""

# KEYS: keys (at most _CHUNK); ARGV: channel, message. Returns how many existed.
_DELETE = """
local n = redis.call('DEL', unpack(KEYS))
redis.call('PUBLISH', ARGV[1], ARGV[2])
return n
"""
_CHUNK = 500

# KEYS[1] key; ARGV: data, px ("" = never, "0" = already expired), channel, message
_ADD = """
local px = ARGV[2]
if px == '0' then
  if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
  return 1
end
local ok
if px == '' then ok = redis.call('SET', KEYS[1], ARGV[1], 'NX')
else ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', px) end
if ok then redis.call('PUBLISH', ARGV[3], ARGV[4]) return 1 end
return 0
"""

# KEYS[1] key; ARGV: px ("" = never, "0" = expire now), channel, message
_TOUCH = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local px = ARGV[1]
if px == '' then redis.call('PERSIST', KEYS[1])
elseif px == '0' then redis.call('DEL', KEYS[1])
else redis.call('PEXPIRE', KEYS[1], px) end
redis.call('PUBLISH', ARGV[2], ARGV[3])
return 1
"""

# KEYS[1] key; ARGV: delta, channel, message. Returns {value, pttl} or nil when absent.
_INCR = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PUBLISH', ARGV[2], ARGV[3])
return {n, redis.call('PTTL', KEYS[1])}
"""


# ---- the per-process tier: tier-1 store, Redis clients, subscriber ----------------------


class _Tier:
    """What every TieredCache instance with the same LOCATION and options shares in a
    process: the tier-1 store, the Redis connection pool, and one subscriber thread that
    applies invalidations from other processes and keeps the tier-1 lease."""

    def __init__(self, url: str, opts: Dict[str, Any]) -> None:
        self.url = url
        self.bound: float = opts["INVALIDATION_BOUND"]
        self.socket_timeout: float = opts["SOCKET_TIMEOUT"]
        self.connect_timeout: float = opts["SOCKET_CONNECT_TIMEOUT"]
        self.local_timeout: Optional[float] = opts["LOCAL_TIMEOUT"]
        self.max_entries: int = opts["LOCAL_MAX_ENTRIES"]
        self.max_bytes: Optional[int] = opts["LOCAL_MAX_BYTES"]
        self.eviction: str = opts["EVICTION"]
        self.retry_after: float = opts["RETRY_AFTER"]
        self.store = _native.Cache(self.max_entries, max_bytes=self.max_bytes, eviction=self.eviction, default_timeout=None)
        self._init_process_state()

    def _connect(self) -> None:
        common = dict(
            socket_timeout=self.socket_timeout,
            socket_connect_timeout=self.connect_timeout,
            health_check_interval=0,
        )
        pid = os.getpid()
        # Requests: one immediate retry when a pooled connection turns out dead (e.g. after
        # a Redis restart); never a retry after a timeout.
        self.client = redis.Redis.from_url(
            self.url,
            retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            client_name=f"polycache-tiered:{pid}",
            **common,
        )
        # The subscriber: no silent reconnects, every error must reach the thread.
        # (Named so operators, and the tests, can find it in CLIENT LIST.)
        self._sub_client = redis.Redis.from_url(
            self.url, retry=Retry(NoBackoff(), 0), client_name=f"polycache-tiered-sub:{pid}", **common
        )
        db = self.client.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"polycache:tiered:{db}"
        self.get_script = self.client.register_script(_GET)
        self.set_script = self.client.register_script(_SET)
        self.delete_script = self.client.register_script(_DELETE)
        self.add_script = self.client.register_script(_ADD)
        self.touch_script = self.client.register_script(_TOUCH)
        self.incr_script = self.client.register_script(_INCR)

    def _init_process_state(self) -> None:
        self._connect()
        self.lock = threading.Lock()
        self.epoch = 0
        self.stripes = [0] * _STRIPES
        self.lease_until = 0.0  # monotonic; tier 1 is trusted while now < lease_until
        self.down_until = 0.0  # monotonic; IGNORE_EXCEPTIONS callers skip Redis until then
        self.sender = os.urandom(8).hex()
        self.counts = {
            "redis_hits": 0,
            "redis_misses": 0,
            "redis_errors": 0,
            "redis_skipped": 0,
            "invalidations_received": 0,
            "subscribes": 0,
            "subscriber_errors": 0,
        }
        self.last_error: Optional[str] = None
        self.subscribed = False
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.ensure_running()

    def after_fork(self) -> None:
        # Threads do not survive fork; nothing inherited from the parent is trusted.
        self.store.clear()
        self._init_process_state()

    # -- the subscriber ------------------------------------------------------------------

    def ensure_running(self) -> None:
        t = self._thread
        if t is None or not t.is_alive():
            ref = weakref.ref(self)
            t = threading.Thread(target=_subscriber, args=(ref, self._stop), name="polycache-tiered", daemon=True)
            self._thread = t
            t.start()

    def stop(self) -> None:
        self._stop.set()

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def message(self, op: str, keys: List[str]) -> str:
        return json.dumps([self.sender, op, keys])

    def _subscribe_once(self) -> None:
        ps = self._sub_client.pubsub()
        try:
            ps.subscribe(self.channel)
            deadline = _monotonic() + self.connect_timeout + self.socket_timeout
            while True:
                left = deadline - _monotonic()
                if left <= 0:
                    raise redis.TimeoutError("no subscribe confirmation")
                msg = ps.get_message(timeout=left)
                if msg is not None and msg["type"] == "subscribe":
                    break
            # Subscribed: every later write reaches us. Whatever tier 1 holds from before may
            # have missed an invalidation; drop it (and any fill in flight).
            self.flush()
            self.subscribed = True
            self.down_until = 0.0  # Redis is back: callers may try it again
            self.count("subscribes")
            self._listen(ps)
        finally:
            self.subscribed = False
            self.lease_until = 0.0
            try:
                ps.close()
            except Exception:
                pass

    def _listen(self, ps: Any) -> None:
        interval = self.bound / 5
        pending: Optional[Tuple[bytes, float]] = None
        next_ping = 0.0
        seq = 0
        while not self._stop.is_set():
            now = _monotonic()
            if pending is None and now >= next_ping:
                seq += 1
                token = f"{self.sender}:{seq}"
                pending = (token.encode(), now)
                next_ping = now + interval
                ps.ping(token)
            elif pending is not None and now - pending[1] > self.bound:
                raise redis.TimeoutError("pub/sub ping unanswered")
            wait = max(0.0, min(next_ping - now, interval)) if pending is None else interval / 4
            msg = ps.get_message(timeout=wait)
            if msg is None:
                continue
            kind = msg["type"]
            if kind == "message":
                self._apply(msg["data"])
            elif kind == "pong" and pending is not None and msg["data"] == pending[0]:
                # Every message published before this ping reached Redis is applied.
                self.lease_until = pending[1] + self.bound
                pending = None

    def _apply(self, data: bytes) -> None:
        try:
            sender, op, keys = json.loads(data)
        except (ValueError, TypeError):
            return
        if sender == self.sender:
            return  # our own write: tier 1 was updated by the writer
        self.count("invalidations_received")
        if op == "clear":
            self.flush()
        else:
            self.drop(keys)

    # -- tier-1 bookkeeping: epochs close the fill / invalidate races --------------------

    def token(self, key: str) -> Tuple[int, int, int]:
        """Taken before reading Redis; a fill with it succeeds only if no invalidation of
        the key's stripe (or flush) happened since."""
        i = hash(key) & (_STRIPES - 1)
        return (self.epoch, i, self.stripes[i])

    def _put(self, key: str, value: Any, seconds: Optional[float]) -> None:
        if seconds is not None and seconds <= 0:
            self.store.delete(key)
            return
        try:
            self.store.set(key, value, seconds)
        except Exception:  # too large for tier 1, unpicklable twice...: just don't keep it
            self.store.delete(key)

    def fill(self, key: str, token: Tuple[int, int, int], value: Any, seconds: Optional[float]) -> None:
        with self.lock:
            if self.epoch == token[0] and self.stripes[token[1]] == token[2]:
                self._put(key, value, seconds)

    def begin(self, key: str) -> Tuple[int, int, int]:
        """Before a write to Redis: fail the fills in flight for the key's stripe. (Tier 1
        keeps the old value while the write is in flight: it has not happened yet.)"""
        i = hash(key) & (_STRIPES - 1)
        with self.lock:
            self.stripes[i] += 1
            return (self.epoch, i, self.stripes[i])

    def finish(self, key: str, token: Tuple[int, int, int], value: Any = _MISS, seconds: Optional[float] = None) -> None:
        """After a write to Redis: keep ``value`` in tier 1 unless anything touched the key's
        stripe meanwhile (then drop it: we cannot tell which write Redis kept)."""
        with self.lock:
            i = token[1]
            ok = value is not _MISS and self.epoch == token[0] and self.stripes[i] == token[2]
            self.stripes[i] += 1
            if ok:
                self._put(key, value, seconds)
            else:
                self.store.delete(key)

    def local_write(self, key: str, value: Any, seconds: Optional[float]) -> None:
        """A write to tier 1 alone (Redis unavailable, IGNORE_EXCEPTIONS)."""
        with self.lock:
            self.stripes[hash(key) & (_STRIPES - 1)] += 1
            self._put(key, value, seconds)

    def drop(self, keys: Iterable[str]) -> None:
        with self.lock:
            for key in keys:
                self.stripes[hash(key) & (_STRIPES - 1)] += 1
                self.store.delete(key)

    def flush(self) -> None:
        with self.lock:
            self.epoch += 1
            self.store.clear()

    def local_seconds(self, ms: Optional[int], since: float) -> Optional[float]:
        """Seconds tier 1 may keep an entry Redis keeps for ``ms`` milliseconds (None =
        forever) counted from ``since`` (monotonic, taken before the request was sent)."""
        cap = self.local_timeout
        if ms is None:
            return cap
        left = (ms - 1) / 1000.0 - (_monotonic() - since)  # (1 ms for the store's rounding)
        return left if cap is None else min(left, cap)


def _subscriber(ref: "weakref.ref[_Tier]", stop: threading.Event) -> None:
    backoff = 0.02
    while not stop.is_set():
        tier = ref()
        if tier is None:
            return
        before = tier.counts["subscribes"]
        try:
            tier._subscribe_once()
        except Exception as e:  # connection lost, timeout, Redis down: reconnect
            tier.last_error = f"{type(e).__name__}: {e}"
            tier.count("subscriber_errors")
        if tier.counts["subscribes"] != before:
            backoff = 0.02  # it was up: retry soon
        del tier
        stop.wait(backoff)
        backoff = min(backoff * 2, 0.5)


_tiers: Dict[Tuple[Any, ...], _Tier] = {}
_tiers_lock = threading.Lock()


def _tier_for(url: str, opts: Dict[str, Any]) -> _Tier:
    key = (url,) + tuple(sorted(opts.items()))
    with _tiers_lock:
        tier = _tiers.get(key)
        if tier is None:
            tier = _tiers[key] = _Tier(url, opts)
        return tier


def _after_fork_in_child() -> None:
    for tier in list(_tiers.values()):
        tier.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


# ---- options ------------------------------------------------------------------------------

_DEFAULTS: Dict[str, Any] = {
    "IGNORE_EXCEPTIONS": False,
    "SOCKET_TIMEOUT": 0.25,
    "SOCKET_CONNECT_TIMEOUT": None,  # = SOCKET_TIMEOUT
    "INVALIDATION_BOUND": 0.5,
    "LOCAL_MAX_ENTRIES": 10_000,
    "LOCAL_MAX_BYTES": 64 << 20,
    "EVICTION": "lru",  # tier 1's policy: "lru" or "adaptive"
    "LOCAL_TIMEOUT": None,
    "RETRY_AFTER": 1.0,
}


def _options(params: Dict[str, Any]) -> Dict[str, Any]:
    given = params.get("OPTIONS", {}) or {}
    opts = dict(_DEFAULTS)
    for name in _DEFAULTS:
        if name in given:
            opts[name] = given[name]
        elif name.lower() in given:
            opts[name] = given[name.lower()]

    def positive(name: str, allow_none: bool = False) -> None:
        v = opts[name]
        if v is None and allow_none:
            return
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise ValueError(f"polycache TieredCache: OPTIONS {name} must be a positive number of seconds, got {v!r}")

    if opts["SOCKET_CONNECT_TIMEOUT"] is None:
        opts["SOCKET_CONNECT_TIMEOUT"] = opts["SOCKET_TIMEOUT"]
    for name in ("SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT", "INVALIDATION_BOUND", "RETRY_AFTER"):
        positive(name)
    positive("LOCAL_TIMEOUT", allow_none=True)
    if not isinstance(opts["IGNORE_EXCEPTIONS"], bool):
        raise ValueError(f"polycache TieredCache: OPTIONS IGNORE_EXCEPTIONS must be True or False, got {opts['IGNORE_EXCEPTIONS']!r}")
    if opts["EVICTION"] not in ("lru", "adaptive"):
        raise ValueError(f'polycache TieredCache: OPTIONS EVICTION must be "lru" or "adaptive", got {opts["EVICTION"]!r}')
    for name in ("LOCAL_MAX_ENTRIES", "LOCAL_MAX_BYTES"):
        v = opts[name]
        if v is None and name == "LOCAL_MAX_BYTES":
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"polycache TieredCache: OPTIONS {name} must be a positive int, got {v!r}")
    return opts


def _location(location: Any) -> str:
    if isinstance(location, (list, tuple)):
        if len(location) != 1:
            raise ValueError("polycache TieredCache: LOCATION must be one Redis URL (no replicas)")
        location = location[0]
    if not isinstance(location, str) or "," in location or not location.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"polycache TieredCache: LOCATION must be one redis://, rediss:// or unix:// URL, got {location!r}")
    return location


# ---- the backend ---------------------------------------------------------------------------


class TieredCache(BaseCache):
    """Django's cache API over polycache in-process (tier 1) and Redis (tier 2)."""

    def __init__(self, location: Any, params: Dict[str, Any]) -> None:
        if redis is None:
            raise ImproperlyConfigured("polycache.tiered.TieredCache needs redis-py: pip install 'redis>=5'")
        self._hot: Optional[_native.Cache] = None
        super().__init__(params)
        opts = _options(params)
        self._ignore = opts.pop("IGNORE_EXCEPTIONS")
        self._tier = _tier_for(_location(location), opts)
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
                max_entries=tier.max_entries,
                max_bytes=tier.max_bytes,
                eviction=tier.eviction,
                cull_frequency=3,
                default_timeout=None,
                key_prefix=self.key_prefix,
                version=self.version,
                validate_key=_warn_key,
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
        and IGNORE_EXCEPTIONS is on (then tier 1 answers at once instead of waiting out a
        timeout on every call)."""
        tier = self._tier
        if self._ignore and _monotonic() < tier.down_until:
            raise _Skipped()
        return tier

    def _failed(self, op: str, error: BaseException, *drop: str) -> None:
        """After a failed Redis call: counts it; with IGNORE_EXCEPTIONS returns (the caller
        then answers from tier 1), else drops ``drop`` from tier 1 (Redis may or may not
        have applied the write) and raises TieredCacheUnavailable."""
        tier = self._tier
        if isinstance(error, _Skipped):
            tier.count("redis_skipped")
            return
        tier.count("redis_errors")
        tier.last_error = f"{type(error).__name__}: {error}"
        tier.down_until = _monotonic() + tier.retry_after
        tier.ensure_running()
        if not self._ignore:
            if drop:
                tier.drop(drop)
            raise TieredCacheUnavailable(
                f"polycache TieredCache: {op} failed, Redis at {tier.url} unavailable "
                f"({type(error).__name__}: {error}); set OPTIONS IGNORE_EXCEPTIONS=True to serve "
                f"from the in-process tier instead"
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
            value = tier.store.get(full, _MISS)
            return default if value is _MISS else value
        if reply is None:
            tier.count("redis_misses")
            return default
        tier.count("redis_hits")
        data, pttl = reply
        value = _loads(data)
        if pttl != -2:
            tier.fill(full, token, value, tier.local_seconds(None if pttl < 0 else pttl, sent))
        return value

    def get_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Dict[Any, Any]:
        keys = list(keys)
        hot = self._trusted_hot()
        found: Dict[Any, Any] = {}
        if hot is not None:
            found = hot.get_many(keys, version)
            rest = [k for k in keys if k not in found]
            fulls = self._full_keys(rest, version, validated=True)
        else:
            rest = keys
            fulls = self._full_keys(rest, version, validated=False)
        if not rest:
            return found
        tier = self._tier
        tokens = [tier.token(f) for f in fulls]
        sent = _monotonic()
        try:
            with self._check().client.pipeline(transaction=True) as p:
                for f in fulls:
                    p.get(f).pttl(f)
                replies = p.execute()
        except _REDIS_ERRORS as e:
            self._failed("get_many", e)
            for k, f in zip(rest, fulls):
                value = tier.store.get(f, _MISS)
                if value is not _MISS:
                    found[k] = value
            return found
        hits = 0
        for i, (k, f) in enumerate(zip(rest, fulls)):
            data, pttl = replies[2 * i], replies[2 * i + 1]
            if data is None:
                continue
            hits += 1
            value = found[k] = _loads(data)
            if pttl != -2:
                tier.fill(f, tokens[i], value, tier.local_seconds(None if pttl < 0 else pttl, sent))
        tier.count("redis_hits", hits)
        tier.count("redis_misses", len(rest) - hits)
        return found

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
            return self._tier.store.has_key(full)

    # ---- writes: Redis first (with the invalidation message), then tier 1 ---------------

    def _write(self, full: str, blob: Any, px: Optional[int], p: Any) -> None:
        if px is None:
            p.set(full, blob)
        elif px > 0:
            p.set(full, blob, px=px)
        else:
            p.delete(full)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> None:
        self.set_many({key: value}, timeout, version, _op="set")

    def set_many(
        self, data: Dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None, _op: str = "set_many"
    ) -> List[Any]:
        if not data:
            return []
        items = [(self.make_and_validate_key(k, version=version), v) for k, v in data.items()]
        blobs = [_dumps(v) for _, v in items]  # a PickleError leaves both tiers as they were
        px = self._px(timeout)
        tier = self._tier
        fulls = [f for f, _ in items]
        tokens = [tier.begin(f) for f in fulls]
        sent = _monotonic()
        try:
            if len(fulls) == 1:
                self._check().set_script(
                    keys=fulls, args=[blobs[0], self._px_arg(px), tier.channel, tier.message("keys", fulls)]
                )
            else:
                with self._check().client.pipeline(transaction=True) as p:
                    for f, blob in zip(fulls, blobs):
                        self._write(f, blob, px, p)
                    p.publish(tier.channel, tier.message("keys", fulls))
                    p.execute()
        except _REDIS_ERRORS as e:
            self._failed(_op, e, *fulls)
            seconds = tier.local_seconds(px, sent)
            for f, v in items:
                if px == 0:
                    tier.drop([f])
                else:
                    tier.local_write(f, v, seconds)
            return []
        seconds = tier.local_seconds(px, sent)
        for (f, v), t in zip(items, tokens):
            tier.finish(f, t, v if px != 0 else _MISS, seconds)
        return []

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        data = _dumps(value)
        px = self._px(timeout)
        tier = self._tier
        token = tier.begin(full)
        sent = _monotonic()
        try:
            added = bool(
                self._check().add_script(
                    keys=[full], args=[data, self._px_arg(px), tier.channel, tier.message("keys", [full])]
                )
            )
        except _REDIS_ERRORS as e:
            self._failed("add", e, full)
            if tier.store.has_key(full):
                return False
            if px != 0:
                tier.local_write(full, value, tier.local_seconds(px, sent))
            return True
        tier.finish(full, token, value if added and px != 0 else _MISS, tier.local_seconds(px, sent))
        return added

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._touch_full(full, self._px(timeout), "touch")

    def _touch_full(self, full: str, px: Optional[int], op: str) -> bool:
        tier = self._tier
        token = tier.begin(full)
        try:
            done = bool(
                self._check().touch_script(
                    keys=[full], args=[self._px_arg(px), tier.channel, tier.message("keys", [full])]
                )
            )
        except _REDIS_ERRORS as e:
            self._failed(op, e, full)
            with tier.lock:
                return tier.store.touch(full, None if px is None else px / 1000.0)
        tier.finish(full, token)  # tier 1 refetches it with its new TTL
        return done

    def delete(self, key: Any, version: Optional[int] = None) -> bool:
        full = self.make_and_validate_key(key, version=version)
        return self._delete_full([full], "delete") > 0

    def delete_many(self, keys: Iterable[Any], version: Optional[int] = None) -> None:
        fulls = self._full_keys(list(keys), version, validated=False)
        if fulls:
            self._delete_full(fulls, "delete_many")

    def _delete_full(self, fulls: List[str], op: str) -> int:
        if len(fulls) > _CHUNK:
            return sum(self._delete_full(fulls[i : i + _CHUNK], op) for i in range(0, len(fulls), _CHUNK))
        tier = self._tier
        tokens = [tier.begin(f) for f in fulls]
        try:
            deleted = int(self._check().delete_script(keys=fulls, args=[tier.channel, tier.message("keys", fulls)]))
        except _REDIS_ERRORS as e:
            self._failed(op, e, *fulls)
            deleted = sum(1 for f in fulls if tier.store.has_key(f))
            tier.drop(fulls)
            return deleted
        for f, t in zip(fulls, tokens):
            tier.finish(f, t)
        return deleted

    def incr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        full = self.make_and_validate_key(key, version=version)
        return self._incr_full(full, key, delta)

    def _incr_full(self, full: str, key: Any, delta: int) -> int:
        tier = self._tier
        token = tier.begin(full)
        sent = _monotonic()
        try:
            reply = self._check().incr_script(keys=[full], args=[delta, tier.channel, tier.message("keys", [full])])
        except redis.ResponseError as e:
            tier.finish(full, token)
            if "not an integer" in str(e):
                raise TypeError(f"polycache TieredCache: the value of {key!r} is not an integer") from e
            raise ValueError(f"polycache TieredCache: cannot add {delta} to {key!r}: {e}") from e
        except _REDIS_ERRORS as e:
            self._failed("incr", e, full)
            with tier.lock:
                if not tier.store.has_key(full):
                    raise ValueError("Key '%s' not found." % key) from None
                return tier.store.incr(full, delta)
        if reply is None:
            tier.finish(full, token)
            raise ValueError("Key '%s' not found." % key)
        value, pttl = int(reply[0]), int(reply[1])
        tier.finish(full, token, value, tier.local_seconds(None if pttl < 0 else pttl, sent))
        return value

    def decr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        return self.incr(key, -delta, version)

    def clear(self) -> None:
        """Empties Redis's database (FLUSHDB, as Django's RedisCache does) and the tier 1
        of every process connected to it."""
        tier = self._tier
        tier.flush()
        try:
            with self._check().client.pipeline(transaction=True) as p:
                p.flushdb()
                p.publish(tier.channel, tier.message("clear", []))
                p.execute()
        except _REDIS_ERRORS as e:
            self._failed("clear", e)
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

    # ---- beyond Django: django-redis's names ------------------------------------------

    def ttl(self, key: Any, version: Optional[int] = None) -> Optional[float]:
        """Seconds left for ``key``: None if it never expires, 0 if it is absent."""
        full = self.make_and_validate_key(key, version=version)
        tier = self._tier
        try:
            ms = self._check().client.pttl(full)
        except _REDIS_ERRORS as e:
            self._failed("ttl", e)
            return tier.store.ttl(full)
        if ms == -2:
            return 0
        if ms == -1:
            return None
        return ms / 1000.0

    def expire(self, key: Any, timeout: Any, version: Optional[int] = None) -> bool:
        """Sets a live key's timeout (seconds; None = never); True when it was live."""
        full = self.make_and_validate_key(key, version=version)
        return self._touch_full(full, self._px(timeout), "expire")

    def persist(self, key: Any, version: Optional[int] = None) -> bool:
        """Makes a live key never expire; True when it was live."""
        full = self.make_and_validate_key(key, version=version)
        return self._touch_full(full, None, "persist")

    def _reversible(self) -> bool:
        return self.key_func is default_key_func and type(self).make_key is BaseCache.make_key

    def _scan(self, pattern: str, version: Optional[int]) -> Tuple[List[str], int]:
        if self._reversible():
            prefix = self.make_key("", version=version)
            match = _glob_escape(prefix) + pattern
        else:
            prefix, match = "", pattern
        tier = self._tier
        fulls = [k.decode("utf-8", "surrogateescape") if isinstance(k, bytes) else k for k in self._check().client.scan_iter(match=match, count=1000)]
        return fulls, len(prefix)

    def keys(self, pattern: str = "*", version: Optional[int] = None) -> List[str]:
        """Keys in Redis of this cache's prefix and version matching a glob ``pattern``
        (SCAN; with a custom ``KEY_FUNCTION`` the full stored keys are matched and returned)."""
        try:
            fulls, cut = self._scan(pattern, version)
        except _REDIS_ERRORS as e:
            self._failed("keys", e)
            return []
        return [f[cut:] for f in fulls]

    def iter_keys(self, pattern: str = "*", version: Optional[int] = None, itersize: Optional[int] = None) -> Iterator[str]:
        """Like :meth:`keys`, as an iterator."""
        return iter(self.keys(pattern, version))

    def delete_pattern(self, pattern: str, version: Optional[int] = None, **kwargs: Any) -> int:
        """Deletes every key matching ``pattern`` in Redis and every tier 1; how many."""
        try:
            fulls, _ = self._scan(pattern, version)
        except _REDIS_ERRORS as e:
            self._failed("delete_pattern", e)
            return 0
        return self._delete_full(fulls, "delete_pattern") if fulls else 0

    def namespace(self, name: str) -> "TieredNamespace":
        """A view of the keys of namespace ``name``; ``invalidate()`` drops them all in O(1)
        in every process (the generation lives in Redis)."""
        if not isinstance(name, str):
            raise TypeError(f"polycache TieredCache: a namespace name is a str, got {name!r}")
        return TieredNamespace(self, name)

    def _generation_key(self, name: str) -> str:
        return f"{self.key_prefix}:#ns:{name}"

    def _generation(self, name: str) -> Optional[int]:
        """The namespace's generation (0 until first invalidated); None if unknown because
        Redis is down (IGNORE_EXCEPTIONS)."""
        gk = self._generation_key(name)
        tier = self._tier
        if _monotonic() < tier.lease_until:
            gen = tier.store.get(gk, _MISS)
            if gen is not _MISS:
                return gen
        token = tier.token(gk)
        try:
            data = self._check().client.get(gk)
        except _REDIS_ERRORS as e:
            self._failed("namespace", e)
            gen = tier.store.get(gk, _MISS)
            return None if gen is _MISS else gen
        gen = 0 if data is None else int(data)
        tier.fill(gk, token, gen, tier.local_timeout)
        return gen

    def _invalidate(self, name: str) -> int:
        gk = self._generation_key(name)
        tier = self._tier
        token = tier.begin(gk)
        try:
            with self._check().client.pipeline(transaction=True) as p:
                p.incr(gk)
                p.publish(tier.channel, tier.message("keys", [gk]))
                gen = int(p.execute()[0])
        except _REDIS_ERRORS as e:
            tier.drop([gk])  # the generation is unknown here until Redis is back
            self._failed("invalidate", e)
            return 0
        tier.finish(gk, token, gen, tier.local_timeout)
        return gen

    def stats(self) -> Dict[str, Any]:
        """Tier 1's counters (hits, misses, hit_ratio, sets, deletes, evictions,
        expirations, entries, bytes) and tier 2's: redis_hits, redis_misses, redis_errors,
        redis_skipped, invalidations_received, subscribes, reconnects, subscriber_errors;
        whether tier 1 is trusted now (``tier1_trusted``), ``subscribed``, the bound in
        seconds (``invalidation_bound``) and the last Redis error (``last_error``)."""
        tier = self._tier
        out: Dict[str, Any] = dict(tier.store.stats())
        with tier.lock:
            out.update(tier.counts)
        out["reconnects"] = max(0, out["subscribes"] - 1)
        out["tier1_trusted"] = _monotonic() < tier.lease_until
        out["subscribed"] = tier.subscribed
        out["invalidation_bound"] = tier.bound
        out["last_error"] = tier.last_error
        return out


class TieredNamespace:
    """Keys of one namespace of a :class:`TieredCache`. Its generation lives in Redis, so
    ``invalidate()`` is O(1) and seen by every process within the invalidation bound."""

    __slots__ = ("_cache", "name")

    def __init__(self, cache: TieredCache, name: str) -> None:
        self._cache = cache
        self.name = name

    def _key(self, key: Any) -> Optional[str]:
        gen = self._cache._generation(self.name)
        if gen is None:
            return None
        return _native.namespaced_key(self.name, gen, str(key))

    def generation(self) -> Optional[int]:
        return self._cache._generation(self.name)

    def invalidate(self) -> int:
        """Drops every key of the namespace, in every process; the new generation."""
        return self._cache._invalidate(self.name)

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

    def incr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        k = self._key(key)
        if k is None:
            raise ValueError("Key '%s' not found." % key)
        return self._cache.incr(k, delta, version)

    def decr(self, key: Any, delta: int = 1, version: Optional[int] = None) -> int:
        return self.incr(key, -delta, version)

    def __repr__(self) -> str:
        return f"<polycache TieredNamespace {self.name!r}>"
