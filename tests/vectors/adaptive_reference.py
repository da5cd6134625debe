"""An independent reference of the adaptive eviction policy (core/src/policy/adaptive.rs),
written from its description in Python's standard library, and the generator of
tests/vectors/adaptive.json. Rust, Python and JS tests replay those cases against the
real store; this file is the oracle for them.

The policy: new keys enter an LRU window; when the window is over its share, its oldest
key contends with the main space's next victim (probation's oldest, else protected's)
and the one a count-min sketch saw less often leaves (ties keep the main space's). A read
only counts on its key (up to 255); a key with reads reaching its queue's oldest end
hands them to the sketch (at most 15 increments) and moves (window and protected: back
to their newest end; probation: to protected) before that end is used (CLOCK's second
chance). The window starts at 10% of the capacity; two ghost
lists (3% of the capacity each) remember the fingerprints of the window's last evicted
keys and of the main space's; a new key found in the first grows the window by one, in
the second shrinks it by one. Every time at least `capacity` accesses have passed (looked
at on a miss), a window that had no hit while the main space served half of them drops
to one entry.

Run: python3 tests/vectors/adaptive_reference.py
"""
import json
import os
from collections import OrderedDict, deque

HERE = os.path.dirname(os.path.abspath(__file__))
M64 = (1 << 64) - 1
SEEDS = [0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5]


def fingerprint(key):
    """FNV-1a's step taken a little-endian word at a time over the key's UTF-8 bytes, then
    over a 0xff terminator (each a separate write), then SplitMix64's finaliser. A write's
    last len % 8 bytes make one more word, their count in its top byte."""
    h = 0xCBF29CE484222325
    for part in (key.encode("utf-8"), b"\xff"):
        whole = len(part) - len(part) % 8
        words = [int.from_bytes(part[i:i + 8], "little") for i in range(0, whole, 8)]
        if whole < len(part):
            words.append(int.from_bytes(part[whole:], "little") | (len(part) - whole) << 56)
        for w in words:
            h = ((h ^ w) * 0x100000001B3) & M64
    h = ((h ^ (h >> 30)) * 0xBF58476D1CE4E5B9) & M64
    h = ((h ^ (h >> 27)) * 0x94D049BB133111EB) & M64
    return h ^ (h >> 31)


def tdiv(a, b):
    """Integer division truncating toward zero, as Rust's."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


class Sketch:
    def __init__(self, capacity):
        per_row = 1 << (max(capacity, 16) - 1).bit_length()
        per_row *= 4
        self.blocks = per_row // 32
        self.counts = [0] * (4 * per_row)
        self.additions = 0
        self.sample = max(capacity, 16) * 14

    def slots(self, fp):
        # A key's counters share one block of 8 words (16 counters each), picked by the
        # fingerprint's high half; in it, row r owns words 2r and 2r + 1.
        block = (fp >> 32) & (self.blocks - 1)
        for row, seed in enumerate(SEEDS):
            h = (fp * seed) & M64
            word = block * 8 + row * 2 + ((h >> 56) & 1)
            yield word * 16 + (h >> 60)

    def frequency(self, fp):
        return min(self.counts[s] for s in self.slots(fp))

    def increment(self, fp):
        added = False
        for s in self.slots(fp):
            if self.counts[s] < 15:
                self.counts[s] += 1
                added = True
        if added:
            self.additions += 1
            if self.additions >= self.sample:
                self.counts = [c >> 1 for c in self.counts]
                self.additions //= 2


class Adaptive:
    """Queues are OrderedDicts, oldest first; a key's fingerprint is kept with it."""

    def __init__(self, capacity, max_bytes):
        self.cap = capacity
        self.max_bytes = max_bytes
        self.q = {"window": OrderedDict(), "probation": OrderedDict(), "protected": OrderedDict()}
        self.where = {}
        self.reads = {}  # key -> reads not yet handed to the sketch
        self.charge = {}
        self.sketch = Sketch(capacity)
        self.window_hits = self.main_hits = self.misses = 0
        ghost = max(capacity * 3 // 100, 1)
        self.rejected = deque(maxlen=ghost)  # fingerprints the window gave up, oldest first
        self.evicted = deque(maxlen=ghost)  # ... and the main space
        self.newest = None
        self.evictions = 0
        self.window_max = self.protected_max = 0
        self.set_window(max(capacity // 10, 1))

    def __len__(self):
        return len(self.where)

    def move(self, key, queue):
        del self.q[self.where[key]][key]
        self.q[queue][key] = True
        self.where[key] = queue

    def tail(self, queue):
        return next(iter(self.q[queue]), None)

    def set_window(self, w):
        self.window_max = min(w, self.cap)
        self.protected_max = (self.cap - self.window_max) * 3 // 4
        self.demote()
        while len(self.q["window"]) > self.window_max and len(self) <= self.cap:
            self.move(self.settled_tail("window"), "probation")

    def settle(self, key):
        """Hands the key's reads to the sketch; True if it had any."""
        reads = self.reads.pop(key, 0)
        for _ in range(min(reads, 15)):
            self.sketch.increment(fingerprint(key))
        return reads > 0

    def settled_tail(self, queue):
        """The oldest key of window or protected without reads; keys with reads go back to the newest end."""
        while True:
            key = self.tail(queue)
            if key is None or not self.settle(key):
                return key
            self.move(key, queue)

    def probation_victim(self):
        """Probation's oldest key without reads; keys with reads on the way are promoted."""
        while True:
            key = self.tail("probation")
            if key is None or not self.settle(key):
                return key
            self.move(key, "protected")
            self.demote()

    def demote(self):
        while len(self.q["protected"]) > self.protected_max:
            self.move(self.settled_tail("protected"), "probation")

    def weigh_window(self):
        accesses = self.window_hits + self.main_hits + self.misses
        if accesses < self.cap:
            return
        if self.window_hits == 0 and 2 * self.main_hits >= accesses and self.window_max > 1:
            self.set_window(1)
        self.window_hits = self.main_hits = self.misses = 0

    def get(self, key):
        if key not in self.where:
            return False
        queue = self.where[key]
        if queue == "window":
            self.window_hits += 1
        else:
            self.main_hits += 1
        self.reads[key] = min(self.reads.get(key, 0) + 1, 255)
        return True

    def set_new(self, key, charge):
        fp = fingerprint(key)
        self.sketch.increment(fp)
        self.misses += 1
        self.weigh_window()
        if fp in self.rejected:
            self.set_window(min(self.window_max + 1, self.cap))
        elif fp in self.evicted:
            self.set_window(max(self.window_max - 1, 1))
        self.q["window"][key] = True
        self.where[key] = "window"
        self.charge[key] = charge
        self.newest = key
        if len(self) > self.cap:
            self.evict()
        else:
            while len(self.q["window"]) > self.window_max:
                self.move(self.settled_tail("window"), "probation")
        while self.max_bytes is not None and sum(self.charge.values()) > self.max_bytes:
            self.evict()

    def evict(self):
        cand = self.settled_tail("window") if len(self.q["window"]) > self.window_max else None
        victim = self.probation_victim()
        if victim is None:
            victim = self.settled_tail("protected")
        if cand is None and victim is None:
            loser = self.settled_tail("window")
        elif victim is None:
            loser = cand
        elif cand is None:
            loser = victim
        elif self.sketch.frequency(fingerprint(cand)) > self.sketch.frequency(fingerprint(victim)):
            self.move(cand, "probation")
            loser = victim
        else:
            loser = cand
        if loser == self.newest and len(self) > 1:
            loser = next(k for q in ("probation", "protected", "window") for k in self.q[q] if k != self.newest)
        (self.rejected if self.where[loser] == "window" else self.evicted).append(fingerprint(loser))
        del self.q[self.where.pop(loser)][loser]
        self.reads.pop(loser, None)
        del self.charge[loser]
        if loser == self.newest:
            self.newest = None
        self.evictions += 1


def replay(max_entries, max_bytes, requests):
    """Each request reads a key and stores it (with its charge) on a miss."""
    a = Adaptive(max_entries, max_bytes)
    pattern = []
    for key, charge in requests:
        hit = a.get(key)
        pattern.append("1" if hit else "0")
        if not hit:
            a.set_new(key, charge)
    return {"hits": "".join(pattern), "evictions": a.evictions, "keys": sorted(a.where)}


def lcg(seed):
    """A tiny seeded generator (Numerical Recipes' LCG), so the cases never change."""
    while True:
        seed = (seed * 1664525 + 1013904223) % 2**32
        yield seed


def long_key(k):
    """Keys of 40 to 160 UTF-8 bytes (past 64, fingerprints take 8 bytes per step), the
    longer ones with two-byte characters, so each length modulo 8 occurs."""
    return f"/books/{'é' * (k % 7)}{'p' * (30 + k * 37 % 90)}?page={k}"


def cases():
    rnd = lcg(14)
    hot = [(f"hot{next(rnd) % 12}", 1) for _ in range(300)]
    scan = [(f"scan{i}", 1) for i in range(60)]
    out = [
        ("loop one larger than the cache", 10, None, [(f"k{i % 11}", 1) for i in range(11 * 12)]),
        ("hot set survives a scan", 16, None, hot[:150] + scan + hot[150:]),
        ("skewed keys, moving window", 8, None, [(f"z{min(next(rnd) % 40, next(rnd) % 40)}", 1) for _ in range(400)]),
        ("byte bound", 50, 12, [(f"b{next(rnd) % 9}", 1 + next(rnd) % 5) for _ in range(120)]),
        ("skewed keys, larger cache", 40, None,
         [(f"s{min(next(rnd) % 150, next(rnd) % 150, next(rnd) % 150)}", 1) for _ in range(1500)]),
        ("long keys, some multibyte", 12, None, [(long_key(min(next(rnd) % 60, next(rnd) % 60)), 1) for _ in range(300)]),
    ]
    return [
        {"name": name, "config": {"max_entries": n, "max_bytes": b}, "requests": [[k, c] for k, c in reqs],
         "expected": replay(n, b, reqs)}
        for name, n, b, reqs in out
    ]


if __name__ == "__main__":
    with open(os.path.join(HERE, "adaptive.json"), "w") as f:
        json.dump(cases(), f, indent=1)
        f.write("\n")
