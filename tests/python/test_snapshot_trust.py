"""What a snapshot promises under bad input (issue 11): no key that is not a key, no
replay past ``max_age``, and no load or dump whose working memory grows with the
snapshot rather than with the cache."""

from __future__ import annotations

import hashlib
import hmac
import pickle
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from polycache import Cache, InvalidConfigError, SnapshotError
from polycache.django import PolyCache

KEY = "a snapshot key of 16+ bytes"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Boom:
    """A pickle that would run code on load: only a verified snapshot may unpickle it."""

    ran = False

    def __reduce__(self):
        return (Boom._run, ())

    @staticmethod
    def _run():
        Boom.ran = True
        return ("ran",)  # not JSON-like: dump() keeps the pickle


def sign_by_hand(unsigned: bytes, key: bytes) -> bytes:
    """Turns an unsigned snapshot into one signed under ``key`` (flags bit 0, HMAC tail),
    as anyone who knows or guesses the key could."""
    body = unsigned[:9] + b"\x01" + unsigned[10:]
    return body + hmac.new(key, body, hashlib.sha256).digest()


@pytest.mark.parametrize("empty", ["", b""])
def test_an_empty_key_is_refused_and_signs_nothing(empty):
    src = Cache()
    src.set("evil", Boom())
    with pytest.raises(InvalidConfigError, match="empty"):
        src.dump(key=empty)
    forged = sign_by_hand(src.dump(), b"")
    Boom.ran = False  # dump() unpickles our own pickles to classify them: trusted code
    target = Cache()
    target.set("mine", 1)
    with pytest.raises(InvalidConfigError, match="empty"):
        target.load(forged, key=empty)
    assert target.get("mine") == 1 and not Boom.ran
    # Without a key it is at most an unverified snapshot: the pickle is skipped.
    got = target.load(forged, allow_unsigned=True)
    assert got["verified"] is False and got["skipped_pickles"] == 1 and not Boom.ran


def test_a_key_needs_16_bytes_counted_in_utf8():
    c = Cache()
    c.set("a", 1)
    for short in ["k", "s3cret", "x" * 15, b"\x00" * 15, "é" * 7]:  # "é" * 7 is 14 bytes
        with pytest.raises(InvalidConfigError, match="fewer than the 16"):
            c.dump(key=short)
    for ok in ["x" * 16, "é" * 8, b"\x00" * 16]:
        assert Cache().load(c.dump(key=ok), key=ok)["verified"] is True


@pytest.mark.parametrize("empty", ["", b""])
def test_django_refuses_an_empty_snapshot_key_at_startup(empty):
    # What SNAPSHOT_KEY = os.environ.get("POLYCACHE_KEY", "") gives when the variable is unset.
    with pytest.raises(ValueError, match=r"SNAPSHOT_KEY.*empty"):
        PolyCache("trust-empty", {"OPTIONS": {"SNAPSHOT_KEY": empty}})
    with pytest.raises(ValueError, match="SNAPSHOT_KEY.*fewer than the 16"):
        PolyCache("trust-short", {"OPTIONS": {"SNAPSHOT_KEY": "s3cret"}})
    ok = PolyCache("trust-ok", {"OPTIONS": {"SNAPSHOT_KEY": KEY}})
    with pytest.raises(InvalidConfigError, match="empty"):
        ok.load(ok.dump(), key=empty)


# ---- replay: max_age -----------------------------------------------------------------


def test_an_old_signed_snapshot_replays_unless_max_age_is_given():
    clock = Clock()
    src = Cache(clock=clock)
    src.set("price", 10, None)
    old = src.dump(key=KEY)
    src.set("price", 12, None)
    clock.now += 3600
    target = Cache(clock=clock)
    # The suspicion was right: a signed snapshot of any age verifies, so an old one can
    # be replayed to bring an old price back.
    assert target.load(old, key=KEY)["verified"] is True and target.get("price") == 10
    target.set("price", 12, None)
    with pytest.raises(SnapshotError, match="3600000 ms ago.*max_age"):
        target.load(old, key=KEY, max_age=3599)
    assert target.get("price") == 12, "a refused snapshot changes nothing"
    assert target.load(old, key=KEY, max_age=3600)["verified"] is True


def test_max_age_refuses_a_snapshot_from_too_far_in_the_future():
    clock = Clock()
    src = Cache(clock=Clock(clock.now + 120))
    src.set("a", 1)
    with pytest.raises(SnapshotError, match="future"):
        Cache(clock=clock).load(src.dump(key=KEY), key=KEY, max_age=60)
    assert Cache(clock=clock).load(src.dump(key=KEY), key=KEY, max_age=120)["entries"] == 1


def test_max_age_must_be_a_duration():
    c = Cache()
    snap = c.dump(key=KEY)
    for bad in [-1, float("nan"), float("inf")]:
        with pytest.raises(ValueError, match="max_age"):
            c.load(snap, key=KEY, max_age=bad)


def test_django_snapshot_max_age_is_the_default_of_load():
    clock = Clock()
    a = PolyCache("trust-age-a", {"OPTIONS": {"SNAPSHOT_KEY": KEY, "SNAPSHOT_MAX_AGE": 60, "CLOCK": clock}})
    a.set("k", "v", None)
    snap = a.dump()
    clock.now += 61
    b = PolyCache("trust-age-b", {"OPTIONS": {"SNAPSHOT_KEY": KEY, "SNAPSHOT_MAX_AGE": 60, "CLOCK": clock}})
    with pytest.raises(SnapshotError, match="max_age"):
        b.load(snap)
    assert b.load(snap, max_age=61)["entries"] == 1 and b.get("k") == "v"
    for bad in [-1, "60", True, float("nan")]:
        with pytest.raises(ValueError, match="SNAPSHOT_MAX_AGE"):
            PolyCache("trust-age-c", {"OPTIONS": {"SNAPSHOT_MAX_AGE": bad}})


# ---- loading more than the cache holds, entry by entry ----------------------------


def unsigned_snapshot(entries, created_at=0) -> bytes:
    """The documented layout, written here: entries are (key, expires_at or None, json)."""
    body = b"POLYSNAP\x01\x00" + struct.pack("<QII", created_at, 0, len(entries))
    for key, at, value in entries:
        k, v = key.encode(), value.encode()
        body += struct.pack("<I", len(k)) + k + struct.pack("<QB", 2**64 - 1 if at is None else at, 0)
        body += struct.pack("<I", len(v)) + v
    return body


def test_a_repeated_key_loads_its_later_entry_even_an_expired_one():
    clock = Clock(1000.0)
    data = unsigned_snapshot([("a", None, "1"), ("b", None, "2"), ("a", 999_999, "3"), ("b", None, "4")])
    c = Cache(clock=clock)
    assert c.load(data, allow_unsigned=True)["entries"] == 1
    assert "a" not in c and c.get("b") == 4


@pytest.mark.parametrize("eviction", ["lru", "cull"])
def test_a_small_cache_keeps_what_loading_every_entry_in_order_would_keep(eviction):
    src = Cache(max_entries=5000)
    for i in range(5000):
        src.set(f"k{i}", i, None)
    data = src.dump()
    small = Cache(max_entries=10, eviction=eviction)
    by_hand = Cache(max_entries=10, eviction=eviction)
    for i in range(5000):
        by_hand.set(f"k{i}", i, None)
    assert small.load(data, allow_unsigned=True)["entries"] == len(by_hand)
    assert small.live_keys() == by_hand.live_keys()
    assert small.stats()["entries"] == len(by_hand) <= 10


# ---- memory: what a load or a dump holds at its peak ---------------------------------

MEASURE = textwrap.dedent(
    """
    import sys
    from polycache import Cache
    data = open(sys.argv[1], "rb").read()
    c = Cache(max_entries=10)
    before = peak()
    c.load(data, key=sys.argv[2])
    print(peak() - before, len(c))
    """
)


# The peak resident size of the process (VmHWM: not inherited across exec, unlike
# ru_maxrss, which starts at the parent's peak on Linux).
PEAK = textwrap.dedent(
    """
    def peak():
        with open("/proc/self/status") as f:
            return next(int(l.split()[1]) * 1024 for l in f if l.startswith("VmHWM:"))
    """
)


linux_only = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads VmHWM from /proc (Linux)")


def _peak_growth(script: str, *args: str) -> list:
    out = subprocess.run([sys.executable, "-c", PEAK + script, *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return [int(x) for x in out.stdout.split()]


@linux_only
def test_loading_a_large_snapshot_into_a_small_cache_holds_about_the_input(tmp_path):
    src = Cache(max_entries=400_000)
    for i in range(300_000):
        src.set(f"k{i}", i)  # tiny JSON entries: ~35 bytes each in the snapshot
    path = tmp_path / "snap"
    path.write_bytes(src.dump(key=KEY))
    size = path.stat().st_size
    assert size > 8_000_000
    # The input is in memory before the load; the load must not raise the peak by more
    # than a fraction of it. Before issue 11 a load materialised every entry twice (Rust,
    # then Python objects) before keeping 10 of them.
    growth, held = _peak_growth(MEASURE, str(path), KEY)
    assert held == 10
    assert growth < size // 4, f"peak grew by {growth} bytes loading a {size}-byte snapshot"


DUMP = textwrap.dedent(
    """
    import sys
    from polycache import Cache
    c = Cache(max_entries=100)
    for i in range(64):
        c.set(f"v{i}", bytes([i]) * (1 << 20))
    before = peak()
    snap = c.dump(key=sys.argv[1])
    print(peak() - before, len(snap))
    """
)


@linux_only
def test_a_dump_holds_its_output_and_one_copy_at_most():
    growth, size = _peak_growth(DUMP, KEY)
    assert size > 64 << 20
    # The bytes object returned, plus the buffer it is copied from.
    assert growth < 2.25 * size, f"peak grew by {growth} bytes for a {size}-byte dump"
