"""Writes the shared test vectors from an independent reference implementation of the
rules in docs/ (Python, standard library only). Rust, Python and JS tests read the JSON;
this file is the oracle, written apart from the Rust code it checks.

Run: python3 tests/vectors/generate.py
"""
import hashlib
import hmac
import json
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RESERVED = set("%:,?&=@#|")


def escape(s):
    out = []
    for ch in s:
        if ch in RESERVED or ord(ch) <= 0x20 or ord(ch) == 0x7F:
            out.append("%%%02X" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def shorten(key, max_length):
    max_length = max(max_length, 65)
    if len(key) <= max_length:
        return key
    return key[: max_length - 65] + "#" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def structured(resource, ids, params, scope, max_length):
    out = escape(resource)
    for i, ident in enumerate(ids):
        out += (":" if i == 0 else ",") + escape(ident)
    # Sort by code point: Python compares str by code point, as the spec says.
    for i, (name, value) in enumerate(sorted(params)):
        out += ("?" if i == 0 else "&") + escape(name) + "=" + escape(value)
    if scope is not None:
        out += "@" + escape(scope)
    return shorten(out, 200 if max_length is None else max_length)


def warnings(key):
    w = []
    if len(key) > 250:
        w.append("too_long")
    if any(ord(c) < 33 or ord(c) == 127 for c in key):
        w.append("forbidden_character")
    return w


def keys_vectors():
    make_key = [
        {"prefix": p, "version": v, "key": k, "expected": "%s:%d:%s" % (p, v, k)}
        for p, v, k in [
            ("", 1, "k"), ("site", 1, "user:42"), ("site", 2, "user:42"), ("p", -3, ""),
            ("préfixe", 10, "clé"), ("a:b", 1, "c"), ("", 0, "😀 space"),
            # Outside the BMP, the largest versions every binding takes (JS numbers are
            # exact to 2^53 - 1), hostile text: nothing is escaped.
            ("😀", 1, "𝄞"), ("", 9007199254740991, "max"), ("", -9007199254740991, "min"),
            ("p", 1, "a:1:b"), ("", 1, "\x00\x7f\u202e\ufeff"), ("%3A", 1, "%25"),
        ]
    ]
    s_inputs = [
        ("books", [], [], None, None),
        ("books", ["42"], [], None, None),
        ("books", [""], [], None, None),
        ("books", ["1", "2"], [], None, None),
        ("books", ["2", "1"], [], None, None),
        ("books", [], [("page", "2"), ("ordering", "-title")], None, None),
        ("books", [], [("ordering", "-title"), ("page", "2")], None, None),
        ("books", [], [("tag", "b"), ("tag", "a")], None, None),
        ("books", ["42"], [("page", "2")], "user:7", None),
        ("books", [], [], "", None),
        ("a:b", ["c"], [], None, None),
        ("a", ["b:c"], [], None, None),
        ("a", ["b,c"], [], None, None),
        ("a", ["b", "c"], [], None, None),
        ("q", [], [("a", "1&b=2")], None, None),
        ("q", [], [("a", "1"), ("b", "2")], None, None),
        ("", [], [], None, None),
        ("with space", ["tab\tnew\nline"], [], None, None),
        ("percent%", ["100%"], [("k%", "v%")], None, None),
        ("hash#", ["#"], [], "@", None),
        ("Ünïcödé", ["日本語"], [("ключ", "значение")], "user:é", None),
        ("emoji", ["😀", "𝄞"], [("🎉", "🎈")], None, None),
        ("bmp-order", [], [("\uffff", "1"), ("😀", "2")], None, None),
        ("ctrl", ["\x00\x1f\x7f"], [], None, None),
        ("search", [], [("q", "x" * 300)], None, None),
        ("search", [], [("q", "é" * 300)], None, None),
        ("search", [], [("q", "😀" * 300)], None, 100),
        ("search", [], [("q", "x" * 300)], None, 10),
        ("exact", ["y" * 194], [], None, None),
        ("exact", ["y" * 195], [], None, None),
        # Empty everything, and text that only looks escaped.
        ("", [""], [("", "")], "", None),
        ("%3A", ["%25"], [("%3D", "%26")], "%40", None),
        # Every separator inside every component.
        ("%:,?&=@#|", ["%:,?&=@#|"], [("%:,?&=@#|", "%:,?&=@#|")], "%:,?&=@#|", None),
        # Invisible and look-alike text is kept as is, so it stays distinct.
        ("rtl\u202eevil", ["zw\u200bj\u200d"], [], None, None),
        ("bom\ufeff", ["e\u0301"], [], None, None),
        ("bom\ufeff", ["\u00e9"], [], None, None),
        ("sep\u2028\u2029", ["\u0085\u00a0"], [], None, None),
        # Code point order, not UTF-16 order: U+E000 < U+FFFF < U+1F600.
        ("order", [], [("\U0001F600", "a"), ("\uffff", "b"), ("\ue000", "c")], None, None),
        ("order", [], [("k", "\U0001F600"), ("k", "\ue000")], None, None),
        # Shortening counts code points: astral text near and past the bound.
        ("astral", ["\U0001D11E" * 131], [], None, None),
        ("astral", ["\U0001D11E" * 200], [], None, 65),
        ("astral", ["\U0001D11E" * 200], [], None, 66),
    ]
    structured_v = [
        {"resource": r, "ids": i, "params": [list(p) for p in pa], "scope": s, "max_length": m,
         "expected": structured(r, i, pa, s, m)}
        for r, i, pa, s, m in s_inputs
    ]
    shorten_v = [
        {"key": k, "max_length": m, "expected": shorten(k, m)}
        for k, m in [
            ("short", 200), ("a" * 200, 200), ("a" * 201, 200), ("é" * 201, 200),
            ("😀" * 250, 200), ("z" * 100, 10), ("", 200), ("k" * 300, 250),
            ("😀" * 65, 65), ("😀" * 66, 65), ("e\u0301" * 150, 200), ("\x00" * 300, 0),
        ]
    ]
    ns_v = [
        {"namespace": n, "generation": g, "key": k, "expected": escape(n) + "|%d|" % g + k}
        for n, g, k in [
            ("books", 1, "list:1"), ("books", 2, "list:1"), ("a|b", 1, "k"), ("", 1, ""),
            ("user:7", 18446744073709551615, "x"), ("ns space", 3, "k|k"), ("名前", 5, "😀"),
            ("😀|%", 2, "|1|"), ("", 18446744073709551615, "𝄞"), ("%7C", 1, "k"),
        ]
    ]
    w_keys = [
        "fine", "has space", "tab\t", "del\x7f", "nul\x00", "x" * 250, "x" * 251,
        "é" * 250, "é" * 251, "😀" * 251, "x" * 251 + " ", "~!@#$%^&*()", "",
        "\u00a0nbsp", "\u0085nel",
        "😀" * 250, "😀" * 251, "\x1f", " ", "!", "\u2028", "\ufeff", "\x80",
    ]
    warnings_v = [{"key": k, "warnings": warnings(k)} for k in w_keys]
    return {
        "make_key": make_key, "structured": structured_v, "shorten": shorten_v,
        "namespaced": ns_v, "warnings": warnings_v,
    }


def expiry(timeout, default, now):
    if timeout == "default":
        timeout = 300 if default == "default" else default
    if timeout is None:
        return "never"
    if timeout == "nan":
        return "error"
    t = {"inf": math.inf, "-inf": -math.inf}.get(timeout, timeout)
    if t <= 0:
        return "expired"
    if math.isinf(t):
        return "never"
    ms = math.ceil(t * 1000)
    if ms >= 2 ** 53 - now:
        return "never"
    return now + ms


def timeout_vectors():
    now = 1_700_000_000_000
    cases = [
        (300, None), (1, None), (1.5, None), (0.0001, None), (0.0015, None), (0, None),
        (-1, None), (-0.5, None), (None, None), ("default", 300), ("default", None),
        ("default", 60), ("default", 0), ("nan", None), ("inf", None), ("-inf", None),
        (1e300, None), (86400 * 365 * 100, None), (2 ** 53 / 1000, None), ("default", "default"),
    ]
    return [
        {"timeout": t, "default": d, "now": now, "expected": expiry(t, d, now)}
        for t, d in cases
    ]


class RefStore:
    """The store's rules, plainly: an ordered list of keys, MRU first."""

    def __init__(self, cfg):
        self.cfg = cfg
        self.order = []  # MRU first
        self.data = {}  # key -> (charge, expires_at or None, seq: when the expiry was set)
        self.seq = 0

    def live(self, k, now):
        e = self.data.get(k)
        return e is not None and (e[1] is None or e[1] > now)

    def drop(self, k):
        self.order.remove(k)
        del self.data[k]

    def purge(self, now):
        for k in [k for k in self.order if not self.live(k, now)]:
            self.drop(k)

    def purge_some(self, now, budget=4):
        timed = sorted((e[1], e[2], k) for k, e in self.data.items() if e[1] is not None and e[1] <= now)
        for _, _, k in timed[:budget]:
            self.drop(k)

    def nbytes(self):
        return sum(e[0] for e in self.data.values())

    def set(self, k, charge, exp, now):
        mb = self.cfg["max_bytes"]
        if mb is not None and charge > mb:
            return "error"
        if exp is not None and exp <= now:
            if k in self.data:
                self.drop(k)
            return None
        self.purge_some(now)
        replacing = k in self.data
        if replacing:
            self.drop(k)
        mx = self.cfg["max_entries"]
        if len(self.order) >= mx:
            self.purge(now)
        if self.cfg["eviction"] == "cull" and len(self.order) >= mx and not replacing:
            f = self.cfg["cull_frequency"]
            if f == 0:
                self.order, self.data = [], {}
            else:
                for _ in range(max(len(self.order) // f, 1)):
                    self.drop(self.order[-1])
        while len(self.order) >= mx:
            self.drop(self.order[-1])
        while mb is not None and self.nbytes() + charge > mb:
            self.drop(self.order[-1])
        self.order.insert(0, k)
        self.seq += 1
        self.data[k] = (charge, exp, self.seq)
        return None

    def get(self, k, now):
        if k not in self.data:
            return False
        if not self.live(k, now):
            self.drop(k)
            return False
        self.order.remove(k)
        self.order.insert(0, k)
        return True


def run_case(name, cfg, ops):
    s = RefStore(cfg)
    out = []
    now = 0
    for op in ops:
        kind, key, now = op["op"], op["key"], op["now"]
        o = dict(op)
        if kind == "set":
            r = s.set(key, op["charge"], op["expires_at"], now)
            if r == "error":
                o["expected"] = "error"
        elif kind == "add":
            if s.live(key, now):
                o["expected"] = False
            else:
                r = s.set(key, op["charge"], op["expires_at"], now)
                o["expected"] = "error" if r == "error" else True
        elif kind == "get":
            o["expected"] = s.get(key, now)
        elif kind == "delete":
            o["expected"] = s.live(key, now)
            if key in s.data:
                s.drop(key)
        elif kind == "touch":
            if s.live(key, now):
                o["expected"] = True
                s.order.remove(key)
                s.order.insert(0, key)
                exp = op["expires_at"]
                if exp is not None and exp <= now:
                    s.drop(key)
                else:
                    s.seq += 1
                    s.data[key] = (s.data[key][0], exp, s.seq)
            else:
                o["expected"] = False
                if key in s.data:
                    s.drop(key)
        out.append(o)
    return {"name": name, "config": cfg, "ops": out,
            "expected_keys": [k for k in s.order if s.live(k, now)]}


def eviction_vectors():
    def cfg(n, b=None, ev="lru", f=3):
        return {"max_entries": n, "max_bytes": b, "eviction": ev, "cull_frequency": f}

    def st(k, c=1, e=None, now=0):
        return {"op": "set", "key": k, "charge": c, "expires_at": e, "now": now}

    def ad(k, c=1, e=None, now=0):
        return {"op": "add", "key": k, "charge": c, "expires_at": e, "now": now}

    def g(k, now=0):
        return {"op": "get", "key": k, "now": now}

    def d(k, now=0):
        return {"op": "delete", "key": k, "now": now}

    def t(k, e, now=0):
        return {"op": "touch", "key": k, "expires_at": e, "now": now}

    cases = [
        ("lru evicts least recently used", cfg(3),
         [st("a"), st("b"), st("c"), g("a"), st("d"), g("b"), g("c"), g("a"), g("d")]),
        ("overwrite does not evict", cfg(2), [st("a"), st("b"), st("a"), g("b"), g("a")]),
        ("django cull 30/3 leaves 29 of 49", cfg(30, ev="cull", f=3),
         [st("cull%d" % i, e=10 ** 9) for i in range(1, 50)]),
        ("django cull 0 clears all", cfg(30, ev="cull", f=0),
         [st("cull%d" % i, e=10 ** 9) for i in range(1, 50)]),
        ("cull of at least one", cfg(2, ev="cull", f=3), [st("a"), st("b"), st("c"), st("d")]),
        ("cull skips when expired entries free room", cfg(3, ev="cull", f=3),
         [st("a", e=10), st("b"), st("c"), st("d", now=20), g("b", 20), g("c", 20)]),
        ("byte bound evicts until it fits", cfg(100, b=10),
         [st("a", 4), st("b", 4), st("c", 4), g("a"), g("b"), st("big", 10), g("c"), st("huge", 11), g("big")]),
        ("oversize keeps old value", cfg(10, b=5), [st("a", 3), st("a", 6), g("a")]),
        ("expiry", cfg(10),
         [st("a", e=100), g("a", 99), g("a", 100), st("b", e=50, now=60), g("b", 60), st("c", e=200, now=0), g("c", 150)]),
        ("add only when missing", cfg(10),
         [ad("a"), ad("a"), st("b", e=10), ad("b", e=100, now=10), g("b", 50), ad("z", e=0, now=5), g("z", 5)]),
        ("delete and touch", cfg(10),
         [st("a", e=10), d("a"), d("a"), st("b", e=10), t("b", None, 5), g("b", 1000), t("b", 5, 1000), g("b", 1000),
          t("nope", None), st("c", e=10), t("c", 100, 10)]),
        ("touch makes recent", cfg(2), [st("a"), st("b"), t("a", None), st("c"), g("a"), g("b")]),
        ("set with past expiry deletes", cfg(10), [st("a"), st("a", e=5, now=5), g("a", 5)]),
    ]
    return [run_case(n, c, ops) for n, c, ops in cases]


# ---- snapshots (docs/format.md section 4) ----------------------------------------------

NEVER = 2 ** 64 - 1


def snapshot_bytes(created_at, generations, entries, key):
    """The documented layout; `entries` are (key, expires_at or None, codec, value bytes)."""

    def blob(b):
        return struct.pack("<I", len(b)) + b

    out = b"POLYSNAP" + bytes([1, 1 if key is not None else 0]) + struct.pack("<Q", created_at)
    out += struct.pack("<I", len(generations))
    for name, gen in generations:
        out += blob(name.encode("utf-8")) + struct.pack("<Q", gen)
    out += struct.pack("<I", len(entries))
    for k, at, codec, value in entries:
        out += blob(k.encode("utf-8")) + struct.pack("<Q", NEVER if at is None else at) + bytes([codec]) + blob(value)
    if key is not None:
        out += hmac.new(key, out, hashlib.sha256).digest()
    return out


def json_text(value):
    # Compact, non-ASCII kept, insertion order: what JSON.stringify and Python's
    # json.dumps(separators=(",", ":"), ensure_ascii=False) both write for these values.
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def snapshot_vectors():
    created_at = 1_700_000_000_000
    key = "polycache test key \U0001F511"
    # Namespaces as a cache reaches them by invalidating: generation = 1 + invalidations.
    invalidations = {"books": 1, "ünï 😀": 2}
    # Least recently used first. `ttl_ms` None = never expires.
    entries = [
        {"key": "site:1:user:42", "ttl_ms": 60_000,
         "json": {"name": "Zoë", "tags": ["a", "b"], "n": 42, "neg": -7, "ok": True, "none": None, "half": 1.5}},
        {"key": "books|2|list:1", "ttl_ms": None, "json": [1, 2.5, "x", [], {}]},
        {"key": "\U0001D11E clé", "ttl_ms": 3_600_000, "bytes": "00ff10"},
        {"key": "py:tuple", "ttl_ms": None, "pickle": "80059514000000000000004b018c0374776f9447400800000000000087942e",
         "python": "(1, 'two', 3.0)"},
        {"key": "short", "ttl_ms": 10_000, "json": "gone by load time"},
        {"key": "text", "ttl_ms": None, "json": "line\nbreak\u001f \"quoted\" back\\slash \u2028 😀"},
        {"key": "", "ttl_ms": 120_000, "json": ""},
        {"key": "ünï%20😀|3|k", "ttl_ms": None, "json": None},
    ]
    rows = []
    for e in entries:
        if "json" in e:
            codec, value = 0, json_text(e["json"])
        elif "bytes" in e:
            codec, value = 2, bytes.fromhex(e["bytes"])
        else:
            codec, value = 1, bytes.fromhex(e["pickle"])
        at = None if e["ttl_ms"] is None else created_at + e["ttl_ms"]
        e["codec"], e["value_hex"], e["expires_at"] = codec, value.hex(), at
        rows.append((e["key"], at, codec, value))
    gens = sorted(((n, 1 + i) for n, i in invalidations.items()), key=lambda g: g[0].encode("utf-8"))
    load_at = created_at + 30_000
    return {
        "about": "A cache built from these inputs at created_at (set in this order, namespaces "
                 "invalidated as listed) dumps exactly signed_hex under key (UTF-8); loading "
                 "signed_hex at load_at holds exactly expected_ttl_ms (remaining ms, null = never).",
        "created_at": created_at,
        "key": key,
        "invalidations": invalidations,
        "generations": [list(g) for g in gens],
        "entries": entries,
        "signed_hex": snapshot_bytes(created_at, gens, rows, key.encode("utf-8")).hex(),
        "unsigned_hex": snapshot_bytes(created_at, gens, rows, None).hex(),
        "load_at": load_at,
        "expected_ttl_ms": {
            e["key"]: None if e["expires_at"] is None else e["expires_at"] - load_at
            for e in entries if e["expires_at"] is None or e["expires_at"] > load_at
        },
    }


def main():
    for name, data in [("keys", keys_vectors()), ("timeouts", timeout_vectors()), ("eviction", eviction_vectors()),
                       ("snapshot", snapshot_vectors())]:
        with open(os.path.join(HERE, name + ".json"), "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
