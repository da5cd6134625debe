"""TieredCache writes for django-redis's extras: ``set(xx=True)`` and ``incr``/``decr``
past 64 bits. Each runs as one Lua script with its invalidation message, like every
TieredCache write (see :mod:`polycache.tiered`), and keeps tier 1 by the same epochs.

Redis's ``INCRBY`` stops at 64 bits; django-redis then falls back to read, add in Python,
write, which loses concurrent increments. Here the write is a compare-and-set: it lands
only if the key still holds the value the sum was computed from, else the sum is redone.

When Redis fails, these fail as every TieredCache write does (``TieredCache._failed``):
the key leaves tier 1 and is invalidated once Redis answers; under IGNORE_EXCEPTIONS
``set(xx=True)`` answers False and ``incr`` None, and tier 1 is never written alone.
"""

from __future__ import annotations

import time
from typing import Any, Optional

from polycache.tiered_protocol import MISS, REDIS_ERRORS, SET, dumps

_monotonic = time.monotonic

# KEYS[1] key; ARGV as tiered_protocol.SET's. Returns 1 when the key existed (and was written).
_SET_XX = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n" + SET

# KEYS[1] key; ARGV: expected value ("" with ARGV[2] == "1": expected absent), "1"/"0",
# new value, channel, message. Returns the PTTL after the write, or nil when the value
# is no longer the expected one.
_INCR_CAS = """
local v = redis.call('GET', KEYS[1])
if ARGV[2] == '1' then
  if v then return false end
elseif v ~= ARGV[1] then return false end
redis.call('SET', KEYS[1], ARGV[3], 'KEEPTTL')
redis.call('PUBLISH', ARGV[4], ARGV[5])
return redis.call('PTTL', KEYS[1])
"""


def set_if_present(cache: Any, key: Any, value: Any, timeout: Any, version: Optional[int]) -> bool:
    """django-redis's ``set(..., xx=True)``: stores only over a live key; True if it did."""
    full = cache.make_and_validate_key(key, version=version)
    data = dumps(value)  # a PickleError leaves both tiers as they were
    px = cache._px(timeout)
    tier = cache._tier
    token = tier.begin(full)
    msg = tier.message("keys", [full])
    sent = _monotonic()
    try:
        script = cache._check().client.register_script(_SET_XX)
        done = bool(script(keys=[full], args=[data, cache._px_arg(px), tier.channel, msg]))
    except REDIS_ERRORS as e:
        cache._failed("set", e, [full], msg)
        return False
    tier.finish(full, token, value if done and px != 0 else MISS, tier.local_seconds(px, sent))
    return done


def incr_past_64_bits(cache: Any, full: str, key: Any, delta: int, create: bool) -> Optional[int]:
    """``incr`` once Redis's ``INCRBY`` refused (a value or a sum past 64 bits, or a value
    that is not an integer): Python adds, a compare-and-set stores."""
    if not isinstance(delta, int):
        raise TypeError(f"polycache TieredCache: delta must be an int, got {type(delta).__name__}")
    tier = cache._tier
    while True:
        token = tier.begin(full)
        msg = tier.message("keys", [full])
        sent = _monotonic()
        try:
            client = cache._check().client
            raw = client.get(full)
            if raw is None and not create:
                tier.finish(full, token)
                raise ValueError("Key '%s' not found." % key)
            try:
                old = 0 if raw is None else int(raw)
            except ValueError:
                tier.finish(full, token)
                raise TypeError(f"polycache TieredCache: the value of {key!r} is not an integer") from None
            new = old + delta
            pttl = client.register_script(_INCR_CAS)(
                keys=[full],
                args=[raw or b"", "1" if raw is None else "0", new, tier.channel, msg],
            )
        except REDIS_ERRORS as e:
            cache._failed("incr", e, [full], msg)
            return None
        if pttl is None:
            tier.finish(full, token)  # changed meanwhile: add again to what it holds now
            continue
        tier.finish(full, token, new, tier.local_seconds(None if pttl < 0 else pttl, sent))
        return new
