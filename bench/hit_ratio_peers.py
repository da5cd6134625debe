"""Hit ratios of the reference policies on the traces `make bench-hit-ratio` dumps
(OLTP and the synthetic patterns, one key a line): libCacheSim's LRU, ARC, 2Q, S3-FIFO,
SIEVE and W-TinyLFU (the `libcachesim` package), theine 2 (W-TinyLFU, a Django backend)
and moka (bench/rust/examples/hit_ratio_moka.rs), so that polycache's policies
(core/examples/hit_ratio.rs) stand beside them from the same run on the same requests.

    python bench/hit_ratio_peers.py TRACE_DIR bench/results/hit_ratio.json > bench/results/hit_ratio_peers.json

A peer that does not install or run is reported with its error instead of a number.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LIBCACHESIM = {"LRU": "LRU", "ARC": "ARC", "2Q": "TwoQ", "S3-FIFO": "S3FIFO", "SIEVE": "Sieve", "W-TinyLFU": "WTinyLFU"}


def libcachesim_rows(trace_dir: str, runs: list[tuple[str, int]]) -> list[dict]:
    import libcachesim as lcs

    version = getattr(lcs, "__version__", "")
    rows = []
    for trace, size in runs:
        reader = lcs.TraceReader(os.path.join(trace_dir, f"{trace}.txt"), lcs.TraceType.PLAIN_TXT_TRACE)
        for name, cls in LIBCACHESIM.items():
            # Every object has size 1, so a cache size is a number of entries.
            miss_ratio, _ = getattr(lcs, cls)(cache_size=size, hashpower=20).process_trace(reader)
            rows.append({"policy": f"{name} (libCacheSim {version})".replace(" )", ")"), "trace": trace,
                         "size": size, "hit_ratio": 1.0 - miss_ratio})
    return rows


def theine_rows(trace_dir: str, runs: list[tuple[str, int]]) -> list[dict]:
    from theine import Cache

    rows = []
    for trace, size in runs:
        with open(os.path.join(trace_dir, f"{trace}.txt")) as f:
            requests = [int(line) for line in f]
        cache = Cache(size)
        hits = 0
        for k in requests:
            # theine's get returns (value, found) in 2.x.
            _, found = cache.get(k)
            if found:
                hits += 1
            else:
                cache.set(k, 1)
        rows.append({"policy": "theine 2.0", "trace": trace, "size": size, "hit_ratio": hits / len(requests)})
    return rows


def moka_rows(trace_dir: str, runs: list[tuple[str, int]]) -> list[dict]:
    by_trace: dict[str, list[str]] = {}
    for trace, size in runs:
        by_trace.setdefault(trace, []).append(str(size))
    specs = [f"{t}:{','.join(s)}" for t, s in by_trace.items()]
    out = subprocess.run(["cargo", "run", "-q", "-p", "polycache-bench", "--release", "--example", "hit_ratio_moka",
                          "--", trace_dir, *specs], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main() -> None:
    trace_dir, ours_path = sys.argv[1], sys.argv[2]
    with open(ours_path) as f:
        ours = json.load(f)
    runs = [("OLTP", row["size"]) for row in ours["lru"]]
    runs += [(s["file"][: -len(".txt")], s["size"]) for s in ours["synthetic"]]
    rows, errors = [], {}
    for name, fn in [("libcachesim", libcachesim_rows), ("theine", theine_rows), ("moka", moka_rows)]:
        try:
            rows += fn(trace_dir, runs)
        except Exception as e:  # a peer that fails is reported, not hidden
            errors[name] = f"{type(e).__name__}: {e}"
        print(f"{name}: done", file=sys.stderr)
    json.dump({"rows": rows, "errors": errors}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
