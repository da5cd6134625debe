"""Writes that failed, to be settled once Redis answers again.

A write that failed (a timeout, a dropped connection, Redis skipped under
IGNORE_EXCEPTIONS) may or may not have been applied by Redis, and no other process was
told. The one safe repair for a cache is to invalidate what it touched: so its keys are
deleted (and namespace generations bumped, or the database flushed for a failed
``clear()``, every key matching the glob of a failed ``delete_pattern()``) in Redis, with
the usual invalidation message, as soon as Redis answers. Until
then the keys are out of this process's tier 1. Re-applying the write itself could
overwrite a newer one from another process; an invalidation only ever costs a miss."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Iterable, List, Set

from polycache.tiered_protocol import scan

if TYPE_CHECKING:
    from polycache.tiered_tier import _Tier

_MAX_KEYS = 10_000  # past this many keys, flushing the database is the cheaper repair


class Journal:
    def __init__(self, tier: "_Tier") -> None:
        self.tier = tier
        self.lock = threading.Lock()  # guards the sets (no I/O, no user code under it)
        self.running = threading.Lock()  # one settle at a time, never waited for
        self.keys: Set[str] = set()
        self.gens: Set[str] = set()
        self.patterns: Set[str] = set()
        self.clears = 0
        self.size = 0  # read without the lock as a hint: 0 = nothing to settle

    def add(self, keys: Iterable[str] = (), gens: Iterable[str] = (), clear: bool = False, patterns: Iterable[str] = ()) -> None:
        with self.lock:
            self.keys.update(keys)
            self.gens.update(gens)
            self.patterns.update(patterns)
            if clear or len(self.keys) + len(self.patterns) > _MAX_KEYS:
                self.clears += 1
                self.keys.clear()
                self.patterns.clear()
            self._resize()

    def _resize(self) -> None:
        self.size = len(self.keys) + len(self.gens) + len(self.patterns) + self.clears

    def settle(self) -> None:
        """Applies every pending invalidation to Redis and tier 1. Raises the Redis error
        if Redis still fails (what was not done stays pending)."""
        if not self.size or not self.running.acquire(blocking=False):
            return
        try:
            with self.lock:
                clears, keys, gens, patterns = self.clears, list(self.keys), list(self.gens), list(self.patterns)
            tier = self.tier
            if clears:
                tier.topology.flush_all(tier.channel, tier.message("clear", []))
                tier.flush()
            else:
                every = keys + [k for match in patterns for k in scan(tier.client, match)]
                for chunk in tier.topology.groups(every):  # (one hash slot each on a cluster)
                    tier.delete_script(keys=chunk, args=[tier.channel, tier.message("keys", chunk)])
                    tier.drop(chunk)
                for gk in gens:
                    tier.invalidate_script(keys=[gk], args=[tier.channel, tier.message("keys", [gk])])
                    tier.drop([gk])
            with self.lock:
                self.clears -= clears
                self.keys.difference_update(keys)
                self.gens.difference_update(gens)
                self.patterns.difference_update(patterns)
                self._resize()
            tier.count("reconciled", clears + len(keys) + len(gens) + len(patterns))
            tier.down_until = 0.0
        finally:
            self.running.release()

    def settle_soon(self) -> None:
        """From the subscriber, after a pong (so Redis answers): settle if anything is
        pending and Redis is not being skipped. A failure is counted and retried later."""
        tier = self.tier
        if not self.size or time.monotonic() < tier.down_until:
            return
        try:
            self.settle()
        except Exception as e:  # (an error reply too: the subscriber must go on)
            tier.last_error = f"{type(e).__name__}: {e}"
            tier.count("redis_errors")
            tier.down_until = time.monotonic() + tier.retry_after

    def pending(self) -> List[str]:
        with self.lock:
            return sorted(self.keys) + sorted(self.gens) + sorted(self.patterns) + ["<clear>"] * bool(self.clears)
