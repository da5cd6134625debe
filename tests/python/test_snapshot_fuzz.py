"""Fuzz-ish: random bytes and mutated valid snapshots, loaded into a cache that already
holds entries. Whatever the input, the process survives, the only error is
``SnapshotError``, a refused load leaves the cache exactly as it was, an accepted
unverified one never unpickles anything, and a signed snapshot is never accepted once a
byte of it has changed. Seeds are fixed, so a failure names an input that reproduces."""

from __future__ import annotations

import random
import struct
from typing import Any, Callable, List

import pytest

from polycache import Cache, SnapshotError

T0 = 1_700_000_000.0
KEY = "the test key, 16+ bytes"
CALLS: List[str] = []


class Marker:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, Marker)


def _unpickled() -> Marker:
    CALLS.append("unpickled")
    return Marker()


class Tripwire:
    """Its pickle calls ``_unpickled`` when executed."""

    def __reduce__(self):
        return (_unpickled, ())


def source() -> Cache:
    c = Cache(clock=lambda: T0)
    c.set("json", {"a": [1, 2.5, "é😀", None, True]}, 60)
    c.set("bytes", b"\x00\x01\xfe\xff", None)
    c.set("trip", Tripwire(), None)
    c.set("", "", 5)
    c.invalidate("ns")
    c.namespace("ns").set("k", [1])
    return c


def target() -> Cache:
    c = Cache(clock=lambda: T0 + 1, max_entries=50)
    c.set("mine", {"x": 1})
    c.set("other", b"zz", 100)
    c.invalidate("mine-ns")
    return c


def mutations(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        i = rng.randrange(len(b)) if b else 0
        if kind == 0 and b:  # flip a bit
            b[i] ^= 1 << rng.randrange(8)
        elif kind == 1 and b:  # random byte
            b[i] = rng.randrange(256)
        elif kind == 2:  # insert bytes
            b[i:i] = rng.randbytes(rng.randint(1, 8))
        elif kind == 3 and b:  # delete a run
            del b[i : i + rng.randint(1, 8)]
        elif kind == 4 and len(b) > 4:  # a length-like field set to an extreme
            j = rng.randrange(len(b) - 3)
            b[j : j + 4] = struct.pack("<I", rng.choice([0, 1, 0x7FFFFFFF, 0xFFFFFFFF, len(b)]))
        elif kind == 5:  # truncate
            del b[rng.randrange(len(b) + 1) :]
        elif kind == 6 and b:  # duplicate a slice
            j = rng.randrange(len(b))
            b[j:j] = b[j : j + rng.randint(1, 16)]
    return bytes(b)


def check(load: Callable[[Cache], Any], *, may_accept: bool) -> str:
    c = target()
    before = (c.dump(), len(c))
    try:
        got = load(c)
    except SnapshotError:
        assert (c.dump(), len(c)) == before, "a refused load changed the cache"
        return "refused"
    assert may_accept, "a damaged signed snapshot was accepted"
    assert got["verified"] is False
    for k in c.live_keys():  # every value reads back without error
        c.get(k)
    return "accepted"


@pytest.mark.parametrize("seed", range(4))
def test_random_bytes_are_refused(seed):
    rng = random.Random(seed)
    header = b"POLYSNAP\x01"
    for _ in range(500):
        body = rng.randbytes(rng.randint(0, 200))
        data = body if rng.random() < 0.3 else header + bytes([rng.choice([0, 1, 2])]) + body
        check(lambda c: c.load(data, allow_unsigned=True), may_accept=True)
        check(lambda c: c.load(data, key=KEY), may_accept=False)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_snapshots_never_crash_nor_change_a_cache_they_do_not_load(seed):
    rng = random.Random(1000 + seed)
    src = source()
    CALLS.clear()
    signed, unsigned = src.dump(key=KEY), src.dump()
    CALLS.clear()
    outcomes = {"refused": 0, "accepted": 0}
    for _ in range(1500):
        bad = mutations(rng, signed)
        if bad != signed:
            check(lambda c: c.load(bad, key=KEY), may_accept=False)
        outcomes[check(lambda c: c.load(mutations(rng, unsigned), allow_unsigned=True), may_accept=True)] += 1
    assert CALLS == [], "an unverified pickle was executed"
    # The fuzzer reaches both sides: damaged snapshots that still parse, and ones that do not.
    assert outcomes["refused"] > 100 and outcomes["accepted"] > 10, outcomes
