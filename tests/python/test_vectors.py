"""The shared vectors in tests/vectors/, read by the Rust, Python and JS tests alike."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import polycache
from polycache import DEFAULT_TIMEOUT, Store

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def load(name: str):
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


KEYS = load("keys.json")


@pytest.mark.parametrize("v", KEYS["make_key"])
def test_make_key(v):
    assert polycache.make_key(v["prefix"], v["version"], v["key"]) == v["expected"]


@pytest.mark.filterwarnings("ignore::django.core.cache.backends.base.CacheKeyWarning")
@pytest.mark.parametrize("v", KEYS["make_key"])
def test_django_backend_builds_the_same_keys(v):
    from polycache.django import PolyCache

    cache = PolyCache("vectors", {"KEY_PREFIX": v["prefix"], "VERSION": v["version"]})
    assert cache.make_key(v["key"]) == v["expected"]
    cache.set(v["key"], "x")
    assert v["expected"] in polycache.Cache.live_keys(cache._root)


@pytest.mark.parametrize("v", KEYS["structured"])
def test_structured(v):
    got = polycache.build_key(v["resource"], *v["ids"], params=v["params"], scope=v["scope"], max_length=v["max_length"])
    assert got == v["expected"]


@pytest.mark.parametrize("v", KEYS["shorten"])
def test_shorten(v):
    assert polycache.shorten_key(v["key"], v["max_length"]) == v["expected"]


@pytest.mark.parametrize("v", KEYS["namespaced"])
def test_namespaced(v):
    assert polycache.namespaced_key(v["namespace"], v["generation"], v["key"]) == v["expected"]


@pytest.mark.parametrize("v", KEYS["warnings"])
def test_warnings(v):
    assert polycache.key_warnings(v["key"]) == v["warnings"]


def timeout_value(t):
    special = {"default": DEFAULT_TIMEOUT, "nan": math.nan, "inf": math.inf, "-inf": -math.inf}
    return special[t] if isinstance(t, str) else t


@pytest.mark.parametrize("v", load("timeouts.json"))
def test_timeouts(v):
    timeout, default, now = timeout_value(v["timeout"]), timeout_value(v["default"]), v["now"]
    if v["expected"] == "error":
        with pytest.raises(ValueError):
            polycache.timeout_expiry(timeout, default, now)
        return
    got = polycache.timeout_expiry(timeout, default, now)
    if v["expected"] == "never":
        assert got is None
    elif v["expected"] == "expired":
        assert got is not None and got <= now
    else:
        assert got == v["expected"]


EVICTION = load("eviction.json")


@pytest.mark.parametrize("case", EVICTION, ids=[c["name"] for c in EVICTION])
def test_eviction(case):
    cfg = case["config"]
    store = Store(cfg["max_entries"], max_bytes=cfg["max_bytes"], eviction=cfg["eviction"], cull_frequency=cfg["cull_frequency"])
    now = 0
    for i, op in enumerate(case["ops"]):
        kind, key, now = op["op"], op["key"], op["now"]
        where = f"op {i}: {op}"
        if kind in ("set", "add"):
            call = store.set if kind == "set" else store.add
            if op.get("expected") == "error":
                with pytest.raises(polycache.ValueTooLargeError):
                    call(key, i, op["charge"], op["expires_at"], now)
            else:
                got = call(key, i, op["charge"], op["expires_at"], now)
                if kind == "add":
                    assert got is op["expected"], where
        elif kind == "get":
            assert (store.get(key, now, store) is not store) is op["expected"], where
        elif kind == "delete":
            assert store.delete(key, now) is op["expected"], where
        elif kind == "touch":
            assert store.touch(key, op["expires_at"], now) is op["expected"], where
        else:
            raise AssertionError(f"unknown op {kind}")
        store.validate()
    assert store.keys(now) == case["expected_keys"]


ADAPTIVE = load("adaptive.json")


@pytest.mark.parametrize("case", ADAPTIVE, ids=[c["name"] for c in ADAPTIVE])
def test_adaptive(case):
    # Each request reads a key and stores it on a miss; hits and evictions must be the
    # independent reference's (tests/vectors/adaptive_reference.py).
    cfg = case["config"]
    store = Store(cfg["max_entries"], max_bytes=cfg["max_bytes"], eviction="adaptive")
    hits = []
    for i, (key, charge) in enumerate(case["requests"]):
        hit = store.get(key, 0, store) is not store
        hits.append("1" if hit else "0")
        if not hit:
            store.set(key, i, charge, None, 0)
        store.validate()
    want = case["expected"]
    assert "".join(hits) == want["hits"]
    assert store.stats()["evictions"] == want["evictions"]
    assert sorted(store.keys(0)) == want["keys"]
