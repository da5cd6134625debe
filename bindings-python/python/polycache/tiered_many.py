"""TieredCache's ``get_many`` (one pipeline of GET + PTTL, not a transaction on a
cluster: redis-py routes each key to its node) and ``incr`` (a Lua script; Python adds past
64 bits). Plain functions taking the cache, bound as methods in ``TieredCache``'s class
body, to keep tiered.py readable in one sitting."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Dict, Iterable, Optional

from polycache.tiered_protocol import MISS as _MISS
from polycache.tiered_protocol import REDIS_ERRORS as _REDIS_ERRORS
from polycache.tiered_protocol import loads as _loads
from polycache.tiered_protocol import redis

if TYPE_CHECKING:
    from polycache.tiered import TieredCache

_monotonic = time.monotonic


def get_many(self: "TieredCache", keys: Iterable[Any], version: Optional[int] = None) -> Dict[Any, Any]:
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
        with self._check().client.pipeline(transaction=not tier.topology.cluster) as p:
            for f in fulls:
                p.get(f)
                p.pttl(f)
            replies = p.execute()
    except _REDIS_ERRORS as e:
        self._failed("get_many", e)
        for k, f in zip(rest, fulls):
            value = tier.local_get(f, _MISS)
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


def incr(self: "TieredCache", key: Any, delta: int = 1, version: Optional[int] = None, ignore_key_check: bool = False) -> Optional[int]:
    """As Django's (Python's integers: past 64 bits too), or django-redis's with
    ``ignore_key_check`` (an absent key is created as ``delta``, never expiring); None
    when Redis failed under IGNORE_EXCEPTIONS (as django-redis)."""
    full = self.make_and_validate_key(key, version=version)
    create = bool(ignore_key_check)
    tier = self._tier
    token = tier.begin(full)
    msg = tier.message("keys", [full])
    sent = _monotonic()
    try:
        reply = self._check().incr_script(keys=[full], args=[delta, tier.channel, msg, "1" if create else ""])
    except _REDIS_ERRORS as e:  # (first: CLUSTERDOWN and TRYAGAIN are error replies too)
        self._failed("incr", e, [full], msg)
        return None
    except redis.ResponseError:  # past 64 bits, or not an integer: Python adds
        tier.finish(full, token)
        return self._incr_past_64_bits(full, key, delta, create)
    if reply is None:
        tier.finish(full, token)
        raise ValueError("Key '%s' not found." % key)
    value, pttl = int(reply[0]), int(reply[1])
    tier.finish(full, token, value, tier.local_seconds(None if pttl < 0 else pttl, sent))
    return value
