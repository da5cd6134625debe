"""A stateful property test of the Django backend: hypothesis drives ``PolyCache`` and a
small pure-Python model of Django's cache semantics (docs/format.md, sections 1-3) with
the same random sequence of calls (get, set, add, touch, expire, persist, incr, decr,
delete, has_key, ttl, the batch calls, clear, namespaces and their invalidation, dump and
load) on a clock the test moves; after every step the two must agree on every key.

Django's own ``LocMemCache`` runs beside them on the same clock as the real peer of the
model: where the semantics coincide (plain keys; ``incr`` of exact ints), every answer of
the model must be LocMemCache's too, so the model is checked against Django before
PolyCache is checked against the model. The bounded variants are in test_model_bounds.py.

``POLYCACHE_MODEL_EXAMPLES=2000`` searches longer and at random (``make test-python``
runs a fixed, derandomized set).
"""

from __future__ import annotations

import types
import uuid
from typing import Any, Dict, List

import pytest
from django.core.cache.backends import base as django_base
from django.core.cache.backends import locmem
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from polycache import ValueTooLargeError, stampede
from polycache.django import PolyCache, _stores
from test_model_rules import DELTAS, KEYS, MISSING, NAMESPACES, PLAIN, STALE_KEYS, START, STEPS, TIMEOUTS, VALUES, Clock, Model, examples, outcome


class CacheMachine(RuleBasedStateMachine):
    """PolyCache against the model; subclasses bound the cache."""

    options: Dict[str, Any] = {"MAX_ENTRIES": 1_000_000}
    with_reference = True  # LocMemCache beside them, on the plain keys
    exact = True  # False: the cache may have evicted what the model holds

    def __init__(self) -> None:
        super().__init__()
        self.clock = CLOCK
        self.clock.now = START
        self.location = f"model-{uuid.uuid4().hex}"
        self.cache = PolyCache(self.location, {"TIMEOUT": 300, "OPTIONS": dict(self.options, CLOCK=self.clock)})
        self.model = self.make_model()
        self.ref = LocMemCache(self.location, {"TIMEOUT": 300, "OPTIONS": {"MAX_ENTRIES": 1_000_000}}) if self.with_reference else None
        self.snapshot: Any = None
        self.evicted = 0  # keys the model held that the cache evicted (inexact variants)

    def make_model(self) -> Model:
        return Model(self.clock)

    def teardown(self) -> None:
        _stores.pop(self.location, None)
        if self.ref is not None:
            self.ref.clear()

    def agree(self, real: Any, modelled: Any, what: str) -> None:
        assert real == modelled, f"{what}: polycache {real!r}, model {modelled!r}"

    def peer(self, call: str, *args: Any) -> Any:
        return getattr(self.ref, call)(*args) if self.ref is not None else MISSING

    def with_peer(self, modelled: Any, call: str, *args: Any) -> None:
        if self.ref is not None:
            got = getattr(self.ref, call)(*args)
            assert got == modelled, f"{call}{args}: LocMemCache {got!r}, model {modelled!r}"

    # ---- plain keys, with LocMemCache beside -----------------------------------------------
    @rule(key=KEYS, value=VALUES, timeout=TIMEOUTS)
    def set(self, key: str, value: Any, timeout: Any) -> None:
        self.cache.set(key, value, timeout)
        self.model.set(key, value, timeout)
        self.peer("set", key, value, timeout)

    @rule(key=KEYS, value=VALUES, timeout=TIMEOUTS)
    def add(self, key: str, value: Any, timeout: Any) -> None:
        modelled = self.model.add(key, value, timeout)
        self.agree(self.cache.add(key, value, timeout), modelled, f"add({key!r})")
        self.with_peer(modelled, "add", key, value, timeout)

    @rule(key=KEYS)
    def get(self, key: str) -> None:
        modelled = self.model.get(key)
        self.agree(self.cache.get(key, MISSING), modelled, f"get({key!r})")
        self.with_peer(modelled, "get", key, MISSING)

    @rule(key=KEYS, value=VALUES, timeout=TIMEOUTS)
    def get_or_set(self, key: str, value: Any, timeout: Any) -> None:
        modelled = self.model.get_or_set(key, value, timeout)
        self.agree(self.cache.get_or_set(key, lambda: value, timeout), modelled, f"get_or_set({key!r})")
        self.with_peer(modelled, "get_or_set", key, lambda: value, timeout)

    @rule(key=STALE_KEYS, value=VALUES, timeout=st.sampled_from([0.25, 1, 10]), stale=st.sampled_from([1, 2.5, 100]))
    def get_or_set_stale(self, key: str, value: Any, timeout: float, stale: float) -> None:
        modelled = self.model.get_or_set_stale(key, value, timeout, stale)
        real = self.cache.get_or_set(key, lambda: value, timeout, stale=stale)
        self.agree(real, modelled, f"get_or_set({key!r}, stale={stale})")

    @rule(key=KEYS, timeout=TIMEOUTS)
    def touch(self, key: str, timeout: Any) -> None:
        modelled = self.model.touch(key, timeout)
        self.agree(self.cache.touch(key, timeout), modelled, f"touch({key!r})")
        self.with_peer(modelled, "touch", key, timeout)

    @rule(key=KEYS, timeout=TIMEOUTS)
    def expire(self, key: str, timeout: Any) -> None:
        timeout = 300 if timeout is DEFAULT_TIMEOUT else timeout
        modelled = self.model.touch(key, timeout)
        self.agree(self.cache.expire(key, timeout), modelled, f"expire({key!r})")
        self.with_peer(modelled, "touch", key, timeout)  # django-redis's expire is Django's touch

    @rule(key=KEYS)
    def persist(self, key: str) -> None:
        modelled = self.model.touch(key, None)
        self.agree(self.cache.persist(key), modelled, f"persist({key!r})")
        self.with_peer(modelled, "touch", key, None)

    @rule(key=KEYS)
    def delete(self, key: str) -> None:
        modelled = self.model.delete(key)
        self.agree(self.cache.delete(key), modelled, f"delete({key!r})")
        self.with_peer(modelled, "delete", key)

    @rule(key=KEYS, delta=DELTAS, down=st.booleans())
    def incr(self, key: str, delta: int, down: bool) -> None:
        held = self.model.peek(key)
        modelled = outcome(self.model.incr, key, -delta if down else delta)
        real = outcome(self.cache.decr if down else self.cache.incr, key, delta)
        self.agree(real, modelled, f"{'decr' if down else 'incr'}({key!r}, {delta})")
        if self.ref is not None and (held is MISSING or type(held) is int):  # LocMemCache adds to floats and bools too
            got = outcome(self.ref.decr if down else self.ref.incr, key, delta)
            assert got == modelled, f"incr({key!r}): LocMemCache {got!r}, model {modelled!r}"

    @rule(key=KEYS)
    def has_key(self, key: str) -> None:
        modelled = self.model.live(key)
        self.agree(self.cache.has_key(key), modelled, f"has_key({key!r})")
        self.with_peer(modelled, "has_key", key)

    @rule(key=KEYS)
    def ttl(self, key: str) -> None:
        # ttl() is whole seconds as django-redis gives them (Redis rounds to the nearest
        # second); pttl() keeps the milliseconds, so the model is checked on both.
        real, precise, modelled = self.cache.ttl(key), self.cache.pttl(key), self.model.ttl(key)
        if real is None or modelled is None:
            self.agree(real, modelled, f"ttl({key!r})")
            self.agree(precise, modelled, f"pttl({key!r})")
        else:
            assert abs(precise - modelled * 1000) < 2, f"pttl({key!r}): polycache {precise}, model {modelled}"
            assert real == (precise + 500) // 1000, f"ttl({key!r}): {real} is not pttl {precise} rounded"

    @rule(keys=st.lists(KEYS, max_size=4, unique=True))
    def get_many(self, keys: List[str]) -> None:
        modelled = {k: v for k in keys if (v := self.model.get(k)) is not MISSING}
        self.agree(self.cache.get_many(keys), modelled, f"get_many({keys})")
        self.with_peer(modelled, "get_many", keys)

    @rule(data=st.dictionaries(KEYS, VALUES, max_size=3), timeout=TIMEOUTS)
    def set_many(self, data: Dict[str, Any], timeout: Any) -> None:
        for k, v in data.items():
            self.model.set(k, v, timeout)
        self.agree(self.cache.set_many(data, timeout), [], "set_many")
        self.with_peer([], "set_many", data, timeout)

    @rule(keys=st.lists(KEYS, max_size=3))
    def delete_many(self, keys: List[str]) -> None:
        for k in keys:
            self.model.delete(k)
        self.cache.delete_many(keys)
        self.peer("delete_many", keys)

    @rule()
    def clear(self) -> None:
        self.cache.clear()
        self.model.clear()
        self.peer("clear")

    @rule(seconds=STEPS)
    def advance(self, seconds: float) -> None:
        self.clock.now += seconds

    # ---- namespaces -------------------------------------------------------------------------
    @rule(ns=NAMESPACES, key=KEYS, value=VALUES, timeout=TIMEOUTS)
    def ns_set(self, ns: str, key: str, value: Any, timeout: Any) -> None:
        self.cache.namespace(ns).set(key, value, timeout)
        self.model.set(self.model.ns_key(ns, key), value, timeout)

    @rule(ns=NAMESPACES, key=KEYS, value=VALUES, timeout=TIMEOUTS)
    def ns_add(self, ns: str, key: str, value: Any, timeout: Any) -> None:
        modelled = self.model.add(self.model.ns_key(ns, key), value, timeout)
        self.agree(self.cache.namespace(ns).add(key, value, timeout), modelled, f"{ns}.add({key!r})")

    @rule(ns=NAMESPACES, key=KEYS)
    def ns_get(self, ns: str, key: str) -> None:
        modelled = self.model.get(self.model.ns_key(ns, key))
        self.agree(self.cache.namespace(ns).get(key, MISSING), modelled, f"{ns}.get({key!r})")

    @rule(ns=NAMESPACES, key=KEYS, value=VALUES, timeout=TIMEOUTS)
    def ns_get_or_set(self, ns: str, key: str, value: Any, timeout: Any) -> None:
        modelled = self.model.get_or_set(self.model.ns_key(ns, key), value, timeout)
        self.agree(self.cache.namespace(ns).get_or_set(key, lambda: value, timeout), modelled, f"{ns}.get_or_set({key!r})")

    @rule(ns=NAMESPACES, key=KEYS, timeout=TIMEOUTS)
    def ns_touch(self, ns: str, key: str, timeout: Any) -> None:
        modelled = self.model.touch(self.model.ns_key(ns, key), timeout)
        self.agree(self.cache.namespace(ns).touch(key, timeout), modelled, f"{ns}.touch({key!r})")

    @rule(ns=NAMESPACES, key=KEYS)
    def ns_delete(self, ns: str, key: str) -> None:
        modelled = self.model.delete(self.model.ns_key(ns, key))
        self.agree(self.cache.namespace(ns).delete(key), modelled, f"{ns}.delete({key!r})")

    @rule(ns=NAMESPACES, key=KEYS, delta=DELTAS)
    def ns_incr(self, ns: str, key: str, delta: int) -> None:
        modelled = outcome(self.model.incr, self.model.ns_key(ns, key), delta)
        self.agree(outcome(self.cache.namespace(ns).incr, key, delta), modelled, f"{ns}.incr({key!r})")

    @rule(ns=NAMESPACES, keys=st.lists(KEYS, max_size=3, unique=True))
    def ns_get_many(self, ns: str, keys: List[str]) -> None:
        modelled = {k: v for k in keys if (v := self.model.get(self.model.ns_key(ns, k))) is not MISSING}
        self.agree(self.cache.namespace(ns).get_many(keys), modelled, f"{ns}.get_many({keys})")

    @rule(ns=NAMESPACES, data=st.dictionaries(KEYS, VALUES, max_size=3), timeout=TIMEOUTS)
    def ns_set_many(self, ns: str, data: Dict[str, Any], timeout: Any) -> None:
        for k, v in data.items():
            self.model.set(self.model.ns_key(ns, k), v, timeout)
        self.agree(self.cache.namespace(ns).set_many(data, timeout), [], f"{ns}.set_many")

    @rule(ns=NAMESPACES)
    def invalidate(self, ns: str) -> None:
        self.agree(self.cache.namespace(ns).invalidate(), self.model.invalidate(ns), f"{ns}.invalidate()")

    # ---- snapshots --------------------------------------------------------------------------
    @rule()
    def dump(self) -> None:
        self.snapshot = (self.cache.dump(key=b"model snapshot key, 32 bytes"), self.model.dump())

    @rule()
    def load(self) -> None:
        if self.snapshot is None:
            return
        data, modelled = self.snapshot
        report = self.cache.load(data, key=b"model snapshot key, 32 bytes")
        held = self.model.load(modelled)
        assert report["verified"] is True
        self.agree(report["entries"], held, "load(): entries held")
        if self.ref is not None:  # LocMemCache has no snapshots: it is given the same entries
            self.ref.clear()
            for key in self.model.live_keys():
                value, expires = self.model.entries[key]
                if key in PLAIN:
                    self.ref.set(key, value, None if expires is None else (expires - self.clock.ms()) / 1000)

    # ---- after every step ---------------------------------------------------------------------
    @invariant()
    def same_entries(self) -> None:
        live = set(self.model.live_keys())
        held = set(self.cache.keys())
        if not self.exact:
            lost = live - held
            for key in lost:  # evicted by the byte bound: the model forgets them too
                del self.model.entries[key]
            self.evicted += len(lost)
            live -= lost
            assert self.evicted <= self.cache.stats()["evictions"], "keys vanished without an eviction"
        assert held == live, f"live keys: polycache {sorted(held)}, model {sorted(live)}"
        for key in sorted(live):
            modelled = self.model.ttl(key)
            real = self.cache.ttl(key)
            assert (real is None) == (modelled is None), f"ttl({key!r}): polycache {real}, model {modelled}"
        if self.ref is not None:
            plain = live & set(PLAIN)
            assert set(self.ref.get_many(PLAIN)) == plain, "LocMemCache holds other keys than the model"

    @invariant()
    def bounded(self) -> None:
        stats = self.cache.stats()
        self.agree((stats["hits"], stats["misses"]), (self.model.hits, self.model.misses), "stats(): hits, misses")
        max_entries = self.options.get("MAX_ENTRIES", 300)
        assert stats["entries"] <= max_entries, f"{stats['entries']} entries over MAX_ENTRIES {max_entries}"
        max_bytes = self.options.get("MAX_BYTES")
        if max_bytes is not None:
            assert stats["bytes"] <= max_bytes, f"{stats['bytes']} bytes over MAX_BYTES {max_bytes}"


CLOCK = Clock()


def django_on_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """LocMemCache (and BaseCache's timeouts) read ``time.time()``: give them the clock."""
    fake = types.SimpleNamespace(time=CLOCK)
    monkeypatch.setattr(locmem, "time", fake)
    monkeypatch.setattr(django_base, "time", fake)
    monkeypatch.setattr(stampede, "clock", CLOCK)  # stale-while-revalidate's


def test_polycache_and_locmemcache_follow_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    django_on_the_clock(monkeypatch)
    run_state_machine_as_test(CacheMachine, settings=examples(150))


def test_a_value_too_large_keeps_what_the_cache_had() -> None:
    cache = PolyCache(f"model-{uuid.uuid4().hex}", {"OPTIONS": {"MAX_BYTES": 1024}})
    cache.set("k", "old")
    with pytest.raises(ValueTooLargeError):
        cache.set("k", "x" * 4096)
    assert cache.get("k") == "old"
