"""TieredCache's ``incr``/``decr`` past 64 bits (django-redis's habit). The write runs as
one Lua script with its invalidation message, like every TieredCache write (see
:mod:`polycache.tiered`), and keeps tier 1 by the same epochs.

Redis's ``INCRBY`` stops at 64 bits; django-redis then falls back to read, add in Python,
write, which loses concurrent increments. Here the write is a compare-and-set: it lands
only if the key still holds the value the sum was computed from, else the sum is redone.

When Redis fails, these fail as every TieredCache write does (``TieredCache._failed``):
the key leaves tier 1 and is invalidated once Redis answers; under IGNORE_EXCEPTIONS
``incr`` answers None, and tier 1 is never written alone.
"""

from __future__ import annotations

import time
from typing import Any, Optional

from polycache.tiered_protocol import REDIS_ERRORS

_monotonic = time.monotonic


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
            pttl = tier.incr_cas_script(
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
