"""The model of test_model.py: Django's cache rules (docs/format.md sections 1-3) in
plain Python, the strategies the state machines draw from, and the clock they move. No
tests here."""

from __future__ import annotations

import math
import os
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Tuple

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from polycache import namespaced_key

MISSING: Any = object()
START = 1_700_000_000.0

PLAIN = ["a", "b", "c", "d", "e"]
KEYS = st.sampled_from(PLAIN)
STALE_KEYS = st.sampled_from(["s1", "s2"])  # only ever read with get_or_set(..., stale=)
NAMESPACES = st.sampled_from(["books", "users"])
# Multiples of 0.25 s: exact in binary, so LocMemCache's float expiries and the model's
# milliseconds meet at the same instants.
TIMEOUTS = st.sampled_from([DEFAULT_TIMEOUT, None, 0, -1, 0.25, 1, 2.5, 10, 300])
STEPS = st.sampled_from([0.25, 1, 2.5, 9.75, 10, 100, 301])
DELTAS = st.integers(-1000, 1000)
VALUES = st.one_of(
    st.integers(-(2**31), 2**31),
    st.text(max_size=6),
    st.binary(max_size=6),
    st.booleans(),
    st.none(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(st.integers(0, 9), max_size=3),
    st.dictionaries(st.text(max_size=2), st.integers(0, 9), max_size=2),
)


def examples(default: int) -> settings:
    search = os.environ.get("POLYCACHE_MODEL_EXAMPLES")
    return settings(
        max_examples=int(search) if search else default,
        stateful_step_count=40,
        deadline=None,
        derandomize=not search,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )


class Clock:
    """``time.time`` for every cache under test; moved by the machine."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def ms(self) -> int:
        return round(self.now * 1000)


class Model:
    """Django's cache rules in a few lines. Entries keep their expiry (ms, None = never)
    and their recency (last = most recently used); an entry is live while now < expiry.
    With ``max_entries`` it evicts the least recently used live entry, as the "lru"
    eviction of docs/format.md section 3 does."""

    def __init__(self, clock: Clock, max_entries: Optional[int] = None, cull_frequency: Optional[int] = None) -> None:
        self.clock = clock
        self.max_entries = max_entries
        self.cull_frequency = cull_frequency
        self.entries: "OrderedDict[str, Tuple[Any, Optional[int]]]" = OrderedDict()
        self.generations: Dict[str, int] = {}
        self.hits = self.misses = 0  # reads: get, get_many, get_or_set's (no other call)

    # ---- time -------------------------------------------------------------------------
    def expiry(self, timeout: Any) -> Optional[int]:
        if timeout is DEFAULT_TIMEOUT:
            timeout = 300
        if timeout is None:
            return None
        if timeout <= 0:
            return self.clock.ms() - 1  # already expired
        return self.clock.ms() + math.ceil(timeout * 1000)

    def live(self, key: str) -> bool:
        entry = self.entries.get(key)
        if entry is None:
            return False
        if entry[1] is not None and entry[1] <= self.clock.ms():
            del self.entries[key]  # expired: as good as gone
            return False
        return True

    def live_keys(self) -> List[str]:
        return [k for k in list(self.entries) if self.live(k)]

    def peek(self, key: str) -> Any:
        return self.entries[key][0] if self.live(key) else MISSING

    # ---- Django's API -------------------------------------------------------------------
    def get(self, key: str) -> Any:
        if not self.live(key):
            self.misses += 1
            return MISSING
        self.hits += 1
        self.entries.move_to_end(key)
        return self.entries[key][0]

    def set(self, key: str, value: Any, timeout: Any) -> None:
        expires = self.expiry(timeout)
        if expires is not None and expires <= self.clock.ms():
            self.entries.pop(key, None)
            return
        # Expired entries are reclaimed before anything live is evicted (with at most 4
        # entries, all of them: docs/format.md section 3, steps 3 and 5).
        live = self.live_keys()
        replacing = self.entries.pop(key, None) is not None
        live = [k for k in live if k != key]  # least recently used first
        if self.max_entries is not None:
            f = self.cull_frequency
            if f is not None and not replacing and len(live) >= self.max_entries:
                for k in live[: max(len(live) // f, 1) if f else len(live)]:  # Django's cull
                    del self.entries[k]
                live = self.live_keys()
            while len(live) >= self.max_entries:
                del self.entries[live.pop(0)]
        self.entries[key] = (value, expires)

    def add(self, key: str, value: Any, timeout: Any) -> bool:
        if self.live(key):
            return False
        self.set(key, value, timeout)
        return True

    def get_or_set(self, key: str, default: Any, timeout: Any) -> Any:
        """Django's: get; on a miss add, then get (the default when nothing was stored)."""
        value = self.get(key)
        if value is MISSING:
            self.add(key, default, timeout)
            value = self.get(key)
        return default if value is MISSING else value

    def get_or_set_stale(self, key: str, default: Any, timeout: float, stale: float) -> Any:
        """polycache's get_or_set(..., stale=S) for one caller: fresh for ``timeout``, then
        served stale (and refreshed by the caller who finds it so) for ``stale`` more."""
        held = self.get(key)  # (value, fresh until, ms)
        envelope = (default, self.clock.ms() + round(timeout * 1000))
        if held is MISSING:
            self.add(key, envelope, timeout + stale)
            held = self.get(key)
            return default if held is MISSING else held[0]
        if self.clock.ms() < held[1]:
            return held[0]
        self.set(key, envelope, timeout + stale)
        return default

    def touch(self, key: str, timeout: Any) -> bool:
        if not self.live(key):
            return False
        self.entries[key] = (self.entries[key][0], self.expiry(timeout))
        self.entries.move_to_end(key)
        return True

    def delete(self, key: str) -> bool:
        live = self.live(key)
        self.entries.pop(key, None)
        return live

    def incr(self, key: str, delta: int) -> int:
        if not self.live(key):
            raise ValueError(f"Key {key!r} not found")
        value, expires = self.entries[key]
        if type(value) is not int:
            # polycache's store promotes the entry before it finds it is no integer (Django's
            # LocMemCache does not): recency only; test_a_failed_incr_leaves_recency_alone.
            self.entries.move_to_end(key)
            raise TypeError(f"value for key {key!r} is not an integer")
        self.entries[key] = (value + delta, expires)
        self.entries.move_to_end(key)
        return value + delta

    def ttl(self, key: str) -> Optional[float]:
        if not self.live(key):
            return 0
        expires = self.entries[key][1]
        return None if expires is None else (expires - self.clock.ms()) / 1000

    def clear(self) -> None:
        self.entries.clear()  # generations survive clear()

    # ---- namespaces ---------------------------------------------------------------------
    def generation(self, ns: str) -> int:
        return self.generations.get(ns, 1)

    def ns_key(self, ns: str, key: str) -> str:
        return namespaced_key(ns, self.generation(ns), key)

    def invalidate(self, ns: str) -> int:
        self.generations[ns] = self.generation(ns) + 1
        return self.generations[ns]

    # ---- snapshots ----------------------------------------------------------------------
    def dump(self) -> Tuple["OrderedDict[str, Tuple[Any, Optional[int]]]", Dict[str, int]]:
        return OrderedDict((k, self.entries[k]) for k in self.live_keys()), dict(self.generations)

    def load(self, snapshot: Tuple["OrderedDict[str, Tuple[Any, Optional[int]]]", Dict[str, int]]) -> int:
        entries, generations = snapshot
        self.entries = OrderedDict(entries)
        for ns, g in generations.items():
            self.generations[ns] = max(self.generation(ns), g)
        return len(self.live_keys())


def outcome(call: Any, *args: Any) -> Tuple[str, Any]:
    """("ok", result) or ("raised", exception type): what a call did."""
    try:
        return "ok", call(*args)
    except (ValueError, TypeError) as e:
        return "raised", ValueError if isinstance(e, ValueError) else TypeError
