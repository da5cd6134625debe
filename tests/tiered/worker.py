"""One Django process with a TieredCache, driven by JSON lines on stdin (one reply line on
stdout per command). Started by test_processes.py as a real OS process.

    python tests/tiered/worker.py REDIS_URL INVALIDATION_BOUND [OPTIONS_JSON]
"""

from __future__ import annotations

import json
import os
import sys
import time


def main() -> None:
    url, bound = sys.argv[1], float(sys.argv[2])
    options = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
    import django
    from django.conf import settings

    settings.configure(
        CACHES={
            "default": {
                "BACKEND": "polycache.tiered.TieredCache",
                "LOCATION": url,
                "OPTIONS": {"INVALIDATION_BOUND": bound, **options},
            }
        }
    )
    django.setup()
    from django.core.cache import cache

    def tier1_hits() -> int:
        return cache.stats()["hits"]

    def get(key, version=None):
        before = tier1_hits()
        value = cache.get(key, version=version)
        return {"value": value, "tier1": tier1_hits() > before}

    def ns_get(ns, key):
        before = tier1_hits()
        value = cache.namespace(ns).get(key)
        return {"value": value, "tier1": tier1_hits() > before}

    def wait(pred, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if pred():
                return True
            time.sleep(0.002)
        return False

    def stats():
        return {k: v for k, v in cache.stats().items() if isinstance(v, (int, float, str, bool, type(None)))}

    def watch(key, expected, timeout, ns=None):
        """Reads until the value is ``expected``; seconds it took."""
        start = time.monotonic()
        read = (lambda: cache.namespace(ns).get(key)) if ns else (lambda: cache.get(key))
        while True:
            if read() == expected:
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                return None
            time.sleep(0.0005)

    def storm(seconds, seed, keys):
        """Random writes and reads on a few shared keys, as fast as it goes."""
        import random

        rnd = random.Random(seed)
        deadline, n = time.monotonic() + seconds, 0
        while time.monotonic() < deadline:
            k, op = rnd.choice(keys), rnd.random()
            n += 1
            if op < 0.25:
                cache.set(k, rnd.randrange(10**6))
            elif op < 0.3:
                cache.delete(k)
            elif op < 0.35:
                cache.add(k, -1)
            elif op < 0.4:
                try:
                    cache.incr(k)
                except ValueError:
                    pass
            elif op < 0.42:
                cache.touch(k, 60)
            else:
                cache.get(k)
        return n

    def logged_storm(seconds, seed, own, read):
        """Writes this process's own keys (values: one increasing number per write) and
        reads everyone's, for ``seconds``; a log of every call with its start and end on
        the machine-wide monotonic clock, for the test to check the invalidation bound
        against: ["w", key, n, start, end, ok] (n = None: a delete) and
        ["r", key, value, start, end]. A call that raised is logged as failed (writes)
        or as ["x", key, None, start, end] (reads); under IGNORE_EXCEPTIONS a write failed if it counted a
        Redis error or skip."""
        import random

        rnd = random.Random(seed)
        tier, log, n = cache._tier, [], 0
        clock = time.monotonic
        deadline = clock() + seconds

        def failures():
            return tier.counts["redis_errors"] + tier.counts["redis_skipped"]

        while clock() < deadline:
            op = rnd.random()
            if op < 0.35:
                key = rnd.choice(own)
                n += 1
                value = n if op < 0.3 else None
                before, start, ok = failures(), clock(), True
                try:
                    if value is None:
                        cache.delete(key)
                    else:
                        ok = cache.set_many({key: value}) == []
                except Exception:
                    ok = False
                log.append(["w", key, n if value is not None else -n, start, clock(), ok and failures() == before])
            else:
                key = rnd.choice(read)
                start = clock()
                try:
                    value = cache.get(key)
                except Exception:
                    log.append(["x", key, None, start, clock()])  # (timed, not checked)
                    continue
                log.append(["r", key, value, start, clock()])
        return log

    def disagreements(keys):
        """Keys whose tier-1 copy differs from Redis (read straight from both)."""
        from polycache.tiered import _MISS, _loads

        tier = cache._tier
        out = []
        for k in keys:
            full = cache.make_key(k)
            local = tier.store.get(full, _MISS)
            if local is _MISS:
                continue
            raw = tier.client.get(full)
            if raw is None or _loads(raw) != local:
                out.append([k, repr(local), None if raw is None else repr(_loads(raw))])
        return {"held": sum(1 for k in keys if tier.store.has_key(cache.make_key(k))), "wrong": out}

    ops = {
        "storm": lambda c: storm(c["seconds"], c["seed"], c["keys"]),
        "logged_storm": lambda c: logged_storm(c["seconds"], c["seed"], c["own"], c["read"]),
        "disagreements": lambda c: disagreements(c["keys"]),
        "get": lambda c: get(c["key"], c.get("version")),
        "set": lambda c: cache.set(c["key"], c["value"]),
        "delete": lambda c: cache.delete(c["key"]),
        "clear": lambda c: cache.clear(),
        "incr": lambda c: cache.incr(c["key"]),
        "touch": lambda c: cache.touch(c["key"], c["timeout"]),
        "incr_version": lambda c: cache.incr_version(c["key"]),
        "ns_get": lambda c: ns_get(c["ns"], c["key"]),
        "ns_set": lambda c: cache.namespace(c["ns"]).set(c["key"], c["value"]),
        "ns_invalidate": lambda c: cache.namespace(c["ns"]).invalidate(),
        "stats": lambda c: stats(),
        "wait_trusted": lambda c: wait(lambda: cache.stats()["tier1_trusted"], c.get("timeout", 5)),
        "wait_subscribes": lambda c: wait(
            lambda: cache.stats()["subscribes"] >= c["n"] and cache.stats()["tier1_trusted"], c.get("timeout", 10)
        ),
        "watch": lambda c: watch(c["key"], c["expected"], c["timeout"], c.get("ns")),
    }
    print(json.dumps({"ready": os.getpid()}), flush=True)
    for line in sys.stdin:
        cmd = json.loads(line)
        try:
            reply = {"ok": ops[cmd["op"]](cmd)}
        except Exception as e:  # reported to the test, which decides
            reply = {"error": type(e).__name__, "message": str(e)}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
