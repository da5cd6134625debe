"""Snapshots in Python: ``Cache.dump`` / ``Cache.load`` and the Django backend's, over the
core's format (docs/format.md section 4). The layout is read back here by a parser written
from the document, and tests/vectors/snapshot.json (bytes from generate.py's own encoder)
pins the bytes every binding writes and reads."""

from __future__ import annotations

import hashlib
import hmac
import json
import pickle
import struct
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any, List

import pytest

import polycache
from polycache import Cache, SnapshotError
from polycache.django import PolyCache

VECTOR = json.loads((Path(__file__).resolve().parents[1] / "vectors" / "snapshot.json").read_text("utf-8"))
T0 = 1_700_000_000.0
KEY = "the test key, 16+ bytes"
RIGHT = "the right key, 16+ bytes"
SECRET = "the Django site's snapshot key"


# ---- an independent reader of the documented layout ---------------------------------


def parse(data: bytes, key: bytes = None):
    """(created_at, generations, [(key, expires_at, codec, value)]) of a snapshot."""
    assert data[:8] == b"POLYSNAP" and data[8] == 1
    signed = data[9] == 1
    body = data[:-32] if signed else data
    if signed and key is not None:
        assert hmac.compare_digest(hmac.new(key, body, hashlib.sha256).digest(), data[-32:])
    pos = 10

    def take(n):
        nonlocal pos
        out = body[pos : pos + n]
        assert len(out) == n
        pos += n
        return out

    u32 = lambda: struct.unpack("<I", take(4))[0]  # noqa: E731
    u64 = lambda: struct.unpack("<Q", take(8))[0]  # noqa: E731
    created = u64()
    gens = [(take(u32()).decode(), u64()) for _ in range(u32())]
    entries = []
    for _ in range(u32()):
        k = take(u32()).decode()
        at = u64()
        codec = take(1)[0]
        entries.append((k, None if at == 2**64 - 1 else at, codec, take(u32())))
    assert pos == len(body)
    return created, gens, entries


def state(c: Cache) -> Any:
    """Everything a load may change: entries in recency order with values and expiries,
    generations (the unsigned dump at the current time), and the entry count."""
    return c.dump(), len(c)


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


# ---- values and codecs --------------------------------------------------------------


class Point:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)


JSON_LIKE = {
    "str": "héllo 😀 \n \x00",
    "int": 42,
    "big": 2**70,
    "neg": -7,
    "float": 1.0,
    "half": 2.5,
    "true": True,
    "false": False,
    "none": None,
    "list": [1, "two", [3.5, None], {}],
    "dict": {"a": {"b": [True, {"c": "d"}]}, "": 0},
    "empty": "",
}
PICKLED = {
    "tuple": (1, "two"),
    "set": {3},
    "int_keys": {1: "a"},
    "ordered": OrderedDict(a=1),
    "nan": float("nan"),
    "inf": float("inf"),
    "obj": Point(1, 2),
    "nested_obj": [1, Point(3, 4)],
    "surrogate": ["\ud800"],  # a lone surrogate is not text: not JSON
    "bytearray": bytearray(b"xy"),
    "deep": [[[]]],  # replaced below: nested past the JSON depth limit
}
_deep: list = []
for _ in range(300):
    _deep = [_deep]
PICKLED["deep"] = _deep


def test_each_value_gets_the_codec_its_type_calls_for():
    c = Cache(clock=Clock())
    for k, v in {**JSON_LIKE, **PICKLED}.items():
        c.set(k, v, None)
    c.set("bytes", b"\x00\xff", None)
    _, _, entries = parse(c.dump())
    codecs = {k: codec for k, _, codec, _ in entries}
    values = {k: v for k, _, _, v in entries}
    for k, v in JSON_LIKE.items():
        assert codecs[k] == 0, k
        assert json.loads(values[k]) == v, k
    for k in PICKLED:
        assert codecs[k] == 1, k
    assert codecs["bytes"] == 2 and values["bytes"] == b"\x00\xff"
    # JSON as JavaScript writes it: compact, non-ASCII kept.
    assert values["str"] == '"héllo 😀 \\n \\u0000"'.encode()
    assert values["dict"] == b'{"a":{"b":[true,{"c":"d"}]},"":0}'


def test_a_signed_round_trip_gives_back_equal_values_of_the_same_types():
    clock = Clock()
    c = Cache(clock=clock)
    values = {**JSON_LIKE, **PICKLED, "bytes": b"\x00\xff"}
    del values["nan"]  # nan != nan; checked below
    for k, v in values.items():
        c.set(k, v, None)
    c.set("nan", float("nan"), None)
    other = Cache(clock=clock)
    assert other.load(c.dump(key=KEY), key=KEY) == {
        "verified": True,
        "entries": len(values) + 1,
        "skipped_pickles": 0,
        "skipped_unknown": 0,
    }
    for k, v in values.items():
        got = other.get(k)
        assert got == v and type(got) is type(v), k
    assert other.get("nan") != other.get("nan")
    assert other.live_keys() == c.live_keys()  # recency kept
    assert other.incr("int") == 43  # integers are counters again


def test_expiries_generations_and_recency_travel(clock):
    # LRU order is what this test follows from one cache to the next.
    c = Cache(clock=clock, default_timeout=None, eviction="lru")
    c.set("a", 1, 10)
    c.set("b", 2, 100.5)
    c.set("c", 3)
    c.get("a")
    c.invalidate("books")
    c.invalidate("books")
    c.namespace("books").set("list", [1], 30)
    snap = c.dump(key=KEY.encode())
    clock.advance(5)
    other = Cache(clock=clock, eviction="lru")
    other.load(snap, key=KEY.encode())
    assert other.ttl("a") == 5.0 and other.ttl("b") == 95.5 and other.ttl("c") is None
    assert other.generation("books") == 3 and other.namespace("books").get("list") == [1]
    assert other.live_keys() == ["books|3|list", "a", "c", "b"]
    clock.advance(6)
    again = Cache(clock=clock)
    assert again.load(snap, key=KEY.encode())["entries"] == 3  # "a" expired before the load: skipped
    assert "a" not in again


def test_load_replaces_entries_but_generations_only_move_forward(clock):
    old = Cache(clock=clock)
    old.namespace("ns").set("k", "stale")
    snap = old.dump(key=KEY)
    c = Cache(clock=clock)
    c.set("mine", 1)
    for _ in range(4):
        c.invalidate("ns")
    c.load(snap, key=KEY)
    assert "mine" not in c
    assert c.generation("ns") == 5 and c.namespace("ns").get("k") is None


def test_entries_over_the_byte_bound_are_skipped(clock):
    c = Cache(clock=clock)
    c.set("small", "x")
    c.set("big", "y" * 1000)
    small = Cache(clock=clock, max_bytes=200)
    assert small.load(c.dump(key=KEY), key=KEY)["entries"] == 1
    assert small.get("small") == "x" and small.get("big") is None


# ---- signatures and pickles ---------------------------------------------------------

CALLS: List[str] = []


def record(what: str) -> Point:
    CALLS.append(what)
    return Point(0, 0)  # not JSON-like: a dump writes the pickle back as it is


class Recorder:
    """Unpickling it calls ``record``: the proof that a pickle was (not) executed."""

    def __reduce__(self):
        return (record, ("unpickled",))


def test_signatures_are_checked_and_unsigned_snapshots_need_consent(clock):
    c = Cache(clock=clock)
    c.set("k", "v")
    signed, unsigned = c.dump(key=RIGHT), c.dump()
    target = Cache(clock=clock)
    target.set("mine", 1)
    before = state(target)
    for data, kw, msg in [
        (signed, {"key": "the wrong key, 16+ bytes"}, "signature does not match"),
        (signed, {"key": "the wrong key, 16+ bytes", "allow_unsigned": True}, "signature does not match"),
        (signed, {"key": RIGHT.encode()[:-1]}, "signature does not match"),
        (signed, {}, "signed but no key"),
        (unsigned, {"key": RIGHT}, "not signed"),
        (unsigned, {}, "not signed"),
    ]:
        with pytest.raises(SnapshotError, match=msg):
            target.load(data, **kw)
        assert state(target) == before
    assert target.load(signed, key=RIGHT.encode())["verified"] is True  # str and bytes keys agree
    assert target.load(signed, allow_unsigned=True)["verified"] is False
    assert target.load(unsigned, key=RIGHT, allow_unsigned=True)["verified"] is False


def test_pickles_are_unpickled_only_from_a_verified_snapshot(clock):
    c = Cache(clock=clock)
    c.set("rec", Recorder())  # set pickles it; nothing is unpickled yet
    c.set("json", [1])
    CALLS.clear()
    signed = c.dump(key=KEY)  # dump unpickles our own pickle to see if it is JSON-like
    CALLS.clear()
    unsigned = c.dump()
    CALLS.clear()
    target = Cache(clock=clock)
    got = target.load(unsigned, allow_unsigned=True)
    assert got == {"verified": False, "entries": 1, "skipped_pickles": 1, "skipped_unknown": 0}
    got = target.load(signed, allow_unsigned=True)  # signed, but no key to verify it
    assert got["skipped_pickles"] == 1
    assert CALLS == [] and "rec" not in target and target.get("json") == [1]
    got = target.load(signed, key=KEY)
    assert got["skipped_pickles"] == 0 and CALLS == ["unpickled"]


def test_unknown_codecs_are_skipped_and_counted(clock):
    # Written by hand from the documented layout: codec 9, then a JSON entry.
    def entry(k, codec, v):
        kb = k.encode()
        return struct.pack("<I", len(kb)) + kb + struct.pack("<QB", 2**64 - 1, codec) + struct.pack("<I", len(v)) + v

    body = b"POLYSNAP\x01\x00" + struct.pack("<QII", 0, 0, 2) + entry("future", 9, b"\x07") + entry("j", 0, b"[1]")
    c = Cache(clock=clock)
    got = c.load(body, allow_unsigned=True)
    assert got == {"verified": False, "entries": 1, "skipped_pickles": 0, "skipped_unknown": 1}
    assert c.get("j") == [1]


class Reentrant:
    """Unpickling it reads and writes the cache it is loaded into: no deadlock, because
    no Python code runs while the store's lock is held."""

    target: Any = None

    def __reduce__(self):
        return (_reenter, ())


def _reenter():
    Reentrant.target.get("anything")
    Reentrant.target.set("written-during-load", 1)
    return "ok"


def test_user_code_never_runs_under_the_store_lock(clock):
    src = Cache(clock=clock)
    src.set("r", Reentrant())
    target = Cache(clock=clock)
    Reentrant.target = src
    done = []

    def work():
        snap = src.dump(key=KEY)  # unpickles "r" to classify it: calls back into src
        Reentrant.target = target
        target.load(snap, key=KEY)
        done.append(target.get("r"))

    t = threading.Thread(target=work, daemon=True)
    t.start()
    t.join(30)
    assert done == ["ok"], "dump/load deadlocked or failed"


def test_bad_values_in_a_verified_snapshot_raise_and_change_nothing(clock):
    def snap_with(codec, value):
        kb = b"x"
        body = b"POLYSNAP\x01\x01" + struct.pack("<QII", 0, 0, 1)
        body += struct.pack("<I", 1) + kb + struct.pack("<QB", 2**64 - 1, codec) + struct.pack("<I", len(value)) + value
        return body + hmac.new(KEY.encode(), body, hashlib.sha256).digest()

    c = Cache(clock=clock)
    c.set("mine", [1, 2])
    before = state(c)
    for codec, value, msg in [
        (0, b"{nope", "cannot read the JSON value"),
        (0, b"NaN", "cannot read the JSON value"),
        (0, b"\xff", "not UTF-8"),
        (0, b"[" * 100_000 + b"]" * 100_000, "cannot read the JSON value"),
        (1, b"\x80\x05garbage", "cannot unpickle"),
        (1, pickle.dumps(RecursionError), None),  # a valid pickle: loads fine
    ]:
        if msg is None:
            c.load(snap_with(codec, value), key=KEY)
            assert c.get("x") is RecursionError
            c.load(before[0], allow_unsigned=True)
            continue
        with pytest.raises(SnapshotError, match=msg):
            c.load(snap_with(codec, value), key=KEY)
        assert state(c) == before


def test_load_takes_bytes_only(clock):
    c = Cache(clock=clock)
    with pytest.raises(TypeError, match="bytes dump"):
        c.load("POLYSNAP", allow_unsigned=True)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str or bytes"):
        c.dump(key=1)  # type: ignore[arg-type]
    assert c.load(bytearray(Cache(clock=clock).dump()), allow_unsigned=True)["entries"] == 0


# ---- damage: every truncation, bit flips ---------------------------------------------


def sample(clock) -> Cache:
    c = Cache(clock=clock)
    c.set("j", {"a": [1, 2.5, "é"]}, 60)
    c.set("b", b"\x00\x01", None)
    c.set("p", (1, 2), 30)
    c.invalidate("ns")
    c.namespace("ns").set("k", "v")
    return c


def test_every_truncation_is_refused_and_changes_nothing(clock):
    src = sample(clock)
    target = Cache(clock=clock)
    target.set("mine", {"x": 1})
    before = state(target)
    for data, kw in [(src.dump(key=KEY), {"key": KEY}), (src.dump(), {"allow_unsigned": True})]:
        for n in range(len(data)):
            with pytest.raises(SnapshotError):
                target.load(data[:n], **kw)
            assert state(target) == before, n
        with pytest.raises(SnapshotError, match="trailing|signature"):
            target.load(data + b"\x00", **kw)
        assert state(target) == before


def test_every_bit_flip_of_a_signed_snapshot_is_refused(clock):
    data = sample(clock).dump(key=KEY)
    target = Cache(clock=clock)
    target.set("mine", 1)
    before = state(target)
    for i in range(len(data)):
        for bit in range(8):
            flipped = bytearray(data)
            flipped[i] ^= 1 << bit
            with pytest.raises(SnapshotError):
                target.load(bytes(flipped), key=KEY)
    assert state(target) == before


# ---- the shared vector --------------------------------------------------------------


def build_vector_cache() -> Cache:
    v = VECTOR
    c = Cache(clock=Clock(v["created_at"] / 1000))
    for name, n in v["invalidations"].items():
        for _ in range(n):
            c.invalidate(name)
    for e in v["entries"]:
        if "json" in e:
            value = json.loads(json.dumps(e["json"]))
        elif "bytes" in e:
            value = bytes.fromhex(e["bytes"])
        else:
            value = pickle.loads(bytes.fromhex(e["pickle"]))
        c.set(e["key"], value, None if e["ttl_ms"] is None else e["ttl_ms"] / 1000)
    return c


def test_python_dumps_the_shared_vector_byte_for_byte():
    c = build_vector_cache()
    assert c.dump(key=VECTOR["key"]).hex() == VECTOR["signed_hex"]
    assert c.dump().hex() == VECTOR["unsigned_hex"]


def test_python_loads_the_shared_vector():
    v = VECTOR
    c = Cache(clock=Clock(v["load_at"] / 1000))
    got = c.load(bytes.fromhex(v["signed_hex"]), key=v["key"])
    assert got == {"verified": True, "entries": len(v["expected_ttl_ms"]), "skipped_pickles": 0, "skipped_unknown": 0}
    ttls = {k: c.ttl(k) for k in c.live_keys()}
    assert ttls == {k: None if ms is None else ms / 1000 for k, ms in v["expected_ttl_ms"].items()}
    for e in v["entries"]:
        if e["key"] not in v["expected_ttl_ms"]:
            continue
        got = c.get(e["key"])
        if "json" in e:
            assert got == e["json"]
        elif "bytes" in e:
            assert got == bytes.fromhex(e["bytes"])
        else:
            assert repr(got) == e["python"]
    for name, gen in v["generations"]:
        assert c.generation(name) == gen
    unsigned = Cache(clock=Clock(v["load_at"] / 1000))
    got = unsigned.load(bytes.fromhex(v["unsigned_hex"]), allow_unsigned=True)
    assert got["skipped_pickles"] == 1 and "py:tuple" not in unsigned


# ---- the Django backend -------------------------------------------------------------


def test_django_backend_dumps_and_loads_with_its_settings():
    clock = Clock()
    a = PolyCache("snap-a", {"KEY_PREFIX": "site", "TIMEOUT": 60, "OPTIONS": {"SNAPSHOT_KEY": SECRET, "CLOCK": clock}})
    a.set("user:1", {"name": "Zoë"})
    a.set("raw", b"\x01", 10)
    a.set("obj", Point(1, 2), None)
    a.namespace("books").set("list", [1, 2])
    a.namespace("books").invalidate()
    snap = a.dump()
    _, gens, entries = parse(snap, SECRET.encode())
    assert gens == [("books", 2)]
    assert {k: codec for k, _, codec, _ in entries} == {"site:1:user:1": 0, "site:1:raw": 2, "site:1:obj": 1, "site:1:books|1|list": 0}
    clock.now += 30
    b = PolyCache("snap-b", {"KEY_PREFIX": "site", "OPTIONS": {"SNAPSHOT_KEY": SECRET.encode(), "CLOCK": "time.time"}})
    with pytest.raises(SnapshotError, match="signature"):
        b.load(snap, key="another key of 16+ bytes")
    # b's clock is the real one, years after T0: every timed entry has expired.
    assert b.load(snap) == {"verified": True, "entries": 1, "skipped_pickles": 0, "skipped_unknown": 0}
    assert b.get("obj") == Point(1, 2) and b.get("raw") is None
    c = PolyCache("snap-c", {"KEY_PREFIX": "site", "OPTIONS": {"CLOCK": clock}})
    assert c.load(snap, key=SECRET)["entries"] == 3  # "raw" (10 s) expired before the load
    assert c.ttl("user:1") == 30.0 and c.ttl("obj") is None and c.get("user:1") == {"name": "Zoë"}
    assert c.get("raw") is None and c.namespace("books").get("list") is None  # generation 2 now
    with pytest.raises(ValueError, match="SNAPSHOT_KEY"):
        PolyCache("snap-d", {"OPTIONS": {"SNAPSHOT_KEY": 1}})
    with pytest.raises(ValueError, match="CLOCK"):
        PolyCache("snap-e", {"OPTIONS": {"CLOCK": 5}})


def test_the_native_type_is_exported():
    assert polycache.SnapshotError is polycache._native.SnapshotError
    assert issubclass(SnapshotError, ValueError)
