"""The state machine of test_model.py on bounded caches. With ``MAX_ENTRIES`` the model
predicts every eviction (LRU, and Django's cull at several frequencies): the live keys
after each step must be exactly the model's. With ``MAX_BYTES`` the charge of a value is
the binding's own (docs/format.md section 3), so the model only requires that the cache
never exceed its bound, never hold a value the model does not, lose a key only by an
eviction it counts, and refuse a value larger than the whole bound while keeping what it
had."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import rule, run_state_machine_as_test

from polycache import ValueTooLargeError
from test_model import CacheMachine, django_on_the_clock
from test_model_rules import KEYS, MISSING, NAMESPACES, TIMEOUTS, Model, examples

MAX_ENTRIES = 4


def bounded_machine(options: Dict[str, Any], cull_frequency: Any) -> type:
    class Bounded(CacheMachine):
        with_reference = False  # LocMemCache culls by its own count (expired entries included)

        def make_model(self) -> Model:
            return Model(self.clock, MAX_ENTRIES, cull_frequency)

    Bounded.options = dict(options, MAX_ENTRIES=MAX_ENTRIES)
    Bounded.__name__ = f"Bounded{options}"
    return Bounded


@pytest.mark.parametrize(
    "options, cull_frequency",
    [({"EVICTION": "lru"}, None), ({"CULL_FREQUENCY": 2}, 2), ({"CULL_FREQUENCY": 3}, 3), ({"CULL_FREQUENCY": 0}, 0)],
    ids=["lru", "cull-2", "cull-3", "cull-all"],
)
def test_entry_bound_evicts_as_the_model(options: Dict[str, Any], cull_frequency: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    django_on_the_clock(monkeypatch)
    run_state_machine_as_test(bounded_machine(options, cull_frequency), settings=examples(40))


MAX_BYTES = 1024
LARGE = "x" * (2 * MAX_BYTES)  # larger than the whole bound: refused
MIDDLE = st.integers(200, 400).map(lambda n: "m" * n)  # three or four fill the bound


class ByteBounded(CacheMachine):
    options = {"MAX_ENTRIES": 1000, "MAX_BYTES": MAX_BYTES, "EVICTION": "lru"}
    with_reference = False
    exact = False

    @rule(key=KEYS, value=MIDDLE, timeout=TIMEOUTS)
    def set_middle(self, key: str, value: str, timeout: Any) -> None:
        self.cache.set(key, value, timeout)
        self.model.set(key, value, timeout)

    @rule(ns=NAMESPACES, key=KEYS, value=MIDDLE)
    def ns_set_middle(self, ns: str, key: str, value: str) -> None:
        self.cache.namespace(ns).set(key, value, None)
        self.model.set(self.model.ns_key(ns, key), value, None)

    @rule(key=KEYS, timeout=TIMEOUTS, add=st.booleans())
    def set_too_large(self, key: str, timeout: Any, add: bool) -> None:
        held = self.model.peek(key)
        if add and held is not MISSING:
            self.agree(self.cache.add(key, LARGE, timeout), False, f"add({key!r}) of a live key")
        else:
            with pytest.raises(ValueTooLargeError):
                (self.cache.add if add else self.cache.set)(key, LARGE, timeout)
        self.agree(self.cache.get(key, MISSING), self.model.get(key), f"get({key!r}) after a refused value")

    @rule(data=st.dictionaries(KEYS, st.just(LARGE), min_size=1, max_size=2))
    def set_many_too_large(self, data: Dict[str, Any]) -> None:
        self.agree(sorted(self.cache.set_many(data)), sorted(data), "set_many(): refused keys")


def test_byte_bound_holds_and_loses_only_evicted_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    django_on_the_clock(monkeypatch)
    run_state_machine_as_test(ByteBounded, settings=examples(60))


def test_a_failed_incr_leaves_recency_alone() -> None:
    import uuid

    from polycache.django import PolyCache

    cache = PolyCache(f"model-{uuid.uuid4().hex}", {"OPTIONS": {"MAX_ENTRIES": 2, "EVICTION": "lru"}})
    cache.set("text", "not a number")
    cache.set("n", 1)
    with pytest.raises(TypeError):
        cache.incr("text")
    cache.set("third", 3)  # evicts the least recently used: "text", which incr did not change
    assert cache.get("text") is None and cache.get("n") == 1
