"""Requests per second of cached pages under gunicorn, with and without polycache.fast.

The project is tests/fast (its ``/books/`` page: ``cache_page(60)`` + ``fast.eligible``
depending on the Book model); eight URLs (``?page=1..8``), all hits after a warm-up.
Servers: gunicorn (gthread, one worker, 4 threads) and uvicorn (one worker). Load: wrk (2 threads, 8 connections,
keep-alive) in its own process, rotating the eight URLs. Modes:

- ``django-locmem``: Django's ``cache_page`` on LocMemCache, no fast path;
- ``django-polycache``: the same on ``polycache.django.PolyCache``;
- ``fast-polycache``: PolyCache behind ``FastPathWSGI``;
- ``fast-locmem``: LocMemCache behind ``FastPathWSGI``;
- ``bare-wsgi``: a WSGI app returning fixed bytes (what the server itself can do);
- ``bare-same-answer``: a WSGI app returning the status, headers and body of a fast hit,
  captured once at start (the server's ceiling for exactly that answer);
- ``django-redis`` / ``fast-redis``: Django's ``cache_page`` on django-redis (a local
  redis-server started for the run), without and with ``FastPathWSGI``;
- ``django-redis-hiredis`` / ``fast-redis-hiredis``: the same with ``hiredis`` importable
  (redis-py then parses replies with it; ``--hiredis DIR``, a folder it is installed in:
  ``make bench-fast`` makes one; without it these rows are left out);
- ``fast-tiered``: ``FastPathWSGI`` on ``polycache.tiered.TieredCache`` over the same
  redis-server (another database): hits from tier 1, within its invalidation bound;
- ``drf-polycache`` / ``fast-drf-polycache``: a public DRF view cached by
  ``polycache.drf.cache_response(fast=True)`` on PolyCache (``/api/public/``), DRF's
  own hit vs the fast path's; ``drf-redis`` / ``fast-drf-redis``: the same on django-redis;
- ``asgi-*``: the same under uvicorn, Django's ASGI handler with and without ``FastPathASGI``;
  the django-redis rows with ``SOCKET_TIMEOUT`` 5 s (then ``FastPathASGI`` reads on the
  event loop), except ``asgi-fast-redis-thread``: without one (a worker thread per lookup).

Usage: ``make bench-fast`` (or ``python bench/fast_bench.py --seconds 4 --rounds 3 --out docs/fast-bench.md``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from typing import Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fast"))

sys.path.insert(0, os.path.join(ROOT, "tests", "tiered"))

import redisctl  # noqa: E402  (a throwaway redis-server for the django-redis rows)
from fastsite import serve  # noqa: E402
PAGES = [f"/books/?page={n}" for n in range(1, 9)]
# The DRF rows: a public APIView cached by polycache.drf (cache_response(fast=True)).
API_PAGES = [f"/api/public/?page={n}" for n in range(1, 9)]
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
# mode -> (server, environment)
MODES = {
    "django-locmem": ("gunicorn", {"POLYCACHE_FAST_BACKEND": LOCMEM}),
    "django-polycache": ("gunicorn", {}),
    "fast-polycache": ("gunicorn", {"POLYCACHE_FAST": "1"}),
    "fast-locmem": ("gunicorn", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_BACKEND": LOCMEM}),
    "worker-polycache": ("gunicorn-worker", {"POLYCACHE_FAST": "1"}),
    "worker-locmem": ("gunicorn-worker", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_BACKEND": LOCMEM}),
    "bare-wsgi": ("gunicorn", {"POLYCACHE_FAST": "bare"}),
    "bare-same-answer": ("gunicorn", {"POLYCACHE_FAST": "bare-same"}),
    "django-redis": ("gunicorn", {"POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}"}),
    "fast-redis": ("gunicorn", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}"}),
    "django-redis-hiredis": ("gunicorn", {"POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}", "PYTHONPATH": "{hiredis}"}),
    "fast-redis-hiredis": ("gunicorn", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}", "PYTHONPATH": "{hiredis}"}),
    "worker-redis": ("gunicorn-worker", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}"}),
    "fast-tiered": ("gunicorn", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_REDIS_URL": "{redis-tiered}"}),
    "drf-polycache": ("gunicorn", {"BENCH_PAGES": "api"}),
    "fast-drf-polycache": ("gunicorn", {"POLYCACHE_FAST": "1", "BENCH_PAGES": "api"}),
    "worker-drf-polycache": ("gunicorn-worker", {"POLYCACHE_FAST": "1", "BENCH_PAGES": "api"}),
    "drf-redis": ("gunicorn", {"BENCH_PAGES": "api", "POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}"}),
    "fast-drf-redis": ("gunicorn", {"POLYCACHE_FAST": "1", "BENCH_PAGES": "api", "POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}"}),
    "asgi-django-locmem": ("uvicorn", {"POLYCACHE_FAST_BACKEND": LOCMEM}),
    "asgi-django-polycache": ("uvicorn", {}),
    "asgi-fast-polycache": ("uvicorn", {"POLYCACHE_FAST": "1"}),
    "asgi-django-redis": ("uvicorn", {"POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}", "POLYCACHE_FAST_SOCKET_TIMEOUT": "5"}),
    "asgi-fast-redis": ("uvicorn", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}",
                                    "POLYCACHE_FAST_SOCKET_TIMEOUT": "5"}),
    "asgi-fast-redis-thread": ("uvicorn", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_DJANGO_REDIS_URL": "{redis}"}),
    "asgi-fast-tiered": ("uvicorn", {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_REDIS_URL": "{redis-tiered}"}),
}
ROTATE_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def warm(port: int, mode: str, pages: List[str]) -> None:
    for _ in range(2):
        for page in pages:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}") as r:
                r.read()
                served_by = r.headers.get("X-Polycache")
    if mode.startswith(("fast", "worker")) and served_by != "fast":
        raise RuntimeError(f"{mode}: a warm page was not answered by the fast path ({served_by})")


def parse_wrk(out: str) -> Dict[str, str]:
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.M)
    errors = re.search(r"Socket errors: (.*)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps.group(1) if rps else "?",
        "p50": p50.group(1) if p50 else "?",
        "p99": p99.group(1) if p99 else "?",
        "errors": (errors.group(1) if errors else "0") + ("; non-2xx " + non2xx.group(1) if non2xx else ""),
    }


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server process and its children
    (gunicorn's worker): per request, what a server with a core to itself would give
    (other work on the machine still moves it)."""
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids += [int(c) for c in f.read().split()]
    except OSError:
        pass
    ticks = 0
    for p in pids:
        with open(f"/proc/{p}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_mode(mode: str, server_kind: str, extra: Dict[str, str], base_env: Dict[str, str], seconds: int, tmp: str) -> Dict[str, str]:
    pages = API_PAGES if extra.get("BENCH_PAGES") == "api" else PAGES
    lua = os.path.join(tmp, f"rotate-{mode}.lua")
    with open(lua, "w") as f:
        f.write(ROTATE_LUA % ", ".join(f'"{p}"' for p in pages))
    port = serve.free_port()
    server = serve.start(dict(base_env, **extra), port, server_kind)
    try:
        warm(port, mode, pages)
        cpu = server_cpu(server.pid)
        out = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", lua, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout
        cpu = server_cpu(server.pid) - cpu
    finally:
        serve.stop(server)
    result = parse_wrk(out)
    requests = re.search(r"(\d+) requests in", out)
    result["cpu_us"] = f"{cpu / int(requests.group(1)) * 1e6:.1f}" if requests and int(requests.group(1)) else "?"
    return result


#: The Django row each row is compared with (requests/s ratio in the report).
BASELINE = {
    "django-polycache": "django-locmem",
    "fast-polycache": "django-locmem",
    "fast-locmem": "django-locmem",
    "bare-wsgi": "django-locmem",
    "bare-same-answer": "django-locmem",
    "worker-polycache": "django-locmem",
    "worker-locmem": "django-locmem",
    "fast-redis": "django-redis",
    "worker-redis": "django-redis",
    "fast-redis-hiredis": "django-redis-hiredis",
    "fast-tiered": "django-redis",
    "fast-drf-polycache": "drf-polycache",
    "worker-drf-polycache": "drf-polycache",
    "fast-drf-redis": "drf-redis",
    "asgi-django-polycache": "asgi-django-locmem",
    "asgi-fast-polycache": "asgi-django-locmem",
    "asgi-fast-redis": "asgi-django-redis",
    "asgi-fast-redis-thread": "asgi-django-redis",
    "asgi-fast-tiered": "asgi-django-redis",
}


def _seconds(latency: str) -> float:
    number = float(re.sub(r"[a-z]+$", "", latency))
    return number / {"us": 1e6, "ms": 1e3, "s": 1.0}[re.sub(r"^[\d.]+", "", latency)]


def _latency(seconds: float) -> str:
    return f"{seconds * 1e3:.2f}ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="every mode runs once per round; the median is reported")
    parser.add_argument("--out", default=None, help="markdown file for the results")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--hiredis", default=None, help="a folder hiredis is installed in (pip install --target)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench-fast needs wrk (apt-get install wrk)")
    load_start = os.getloadavg()[0]
    tmp = tempfile.mkdtemp(prefix="polycache-fast-bench-")
    base_env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", POLYCACHE_DRF_DB_DIR=tmp, POLYCACHE_FAST_BENCH="1")
    base_env.pop("POLYCACHE_FAST", None)
    serve.prepare_db(dict(base_env), books=30)
    modes = [m for m in args.modes.split(",") if args.hiredis or "{hiredis}" not in MODES[m][1].values()]
    redis_dir = None
    if any("{redis" in v for m in modes for v in MODES[m][1].values()):
        redis_dir = os.path.join(tmp, "redis")
        redis_url = f"redis://127.0.0.1:{redisctl.start(redis_dir)}"
    runs: Dict[str, List[Dict[str, str]]] = {m: [] for m in modes}
    in_process = {}
    try:
        in_process_envs = [("PolyCache", {"POLYCACHE_FAST_BACKEND": "polycache.django.PolyCache"}), ("LocMemCache", {"POLYCACHE_FAST_BACKEND": LOCMEM})]
        if redis_dir is not None:  # database 2: no run reads it
            in_process_envs.append(("django-redis", {"POLYCACHE_FAST_DJANGO_REDIS_URL": redis_url + "/2"}))
        for name, extra_env in in_process_envs:
            out = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "fast_hit.py"), tmp], env=dict(base_env, **extra_env),
                                 capture_output=True, text=True, check=True).stdout
            in_process[name] = json.loads(out)
            print(name, in_process[name], flush=True)
        for n in range(args.rounds):  # rounds alternate the modes: a load spike hits one run of each, not one mode
            for mode in modes:
                server_kind, extra = MODES[mode]
                if redis_dir is not None:
                    # django-redis in database 0, TieredCache in 1: neither reads the other's pages
                    extra = {k: v.replace("{redis}", redis_url + "/0").replace("{redis-tiered}", redis_url + "/1") for k, v in extra.items()}
                if args.hiredis:
                    extra = {k: v.replace("{hiredis}", os.path.abspath(args.hiredis)) for k, v in extra.items()}
                runs[mode].append(run_mode(mode, server_kind, extra, base_env, args.seconds, tmp))
                print(f"round {n + 1} {mode}: {runs[mode][-1]}", flush=True)
    finally:
        if redis_dir is not None:
            redisctl.stop(redis_dir)
        shutil.rmtree(tmp, ignore_errors=True)
    rps = {m: statistics.median(float(r["rps"]) for r in runs[m]) for m in modes}
    cpu = {m: statistics.median(float(r["cpu_us"]) for r in runs[m] if r["cpu_us"] != "?") for m in modes}
    rows = []
    for mode in modes:
        base = BASELINE.get(mode)
        ratio = f"{rps[mode] / rps[base]:.2f}x {base}" if base in rps else ""
        cpu_ratio = f"{cpu[base] / cpu[mode]:.2f}x" if base in cpu else ""
        p50 = statistics.median(_seconds(r["p50"]) for r in runs[mode])
        p99 = statistics.median(_seconds(r["p99"]) for r in runs[mode])
        each = " / ".join(f"{float(r['rps']):.0f}" for r in runs[mode])
        errors = "; ".join(sorted({r["errors"] for r in runs[mode]}))
        rows.append(f"| {mode} | {MODES[mode][0]} | {rps[mode]:.0f} | {ratio} | {each} | {cpu[mode]:.0f} | {cpu_ratio} | "
                    f"{_latency(p50)} | {_latency(p99)} | {errors} |")
    report = "\n".join(
        [
            "# polycache.fast benchmark (generated by `make bench-fast`)",
            "",
            f"`python bench/fast_bench.py --seconds {args.seconds} --rounds {args.rounds}"
            f"{' --hiredis DIR' if args.hiredis else ''}`: gunicorn gthread, 1 worker, "
            "4 threads, or uvicorn, 1 worker; wrk -t2 -c8 in its own process, 8 cached URLs rotated, every request "
            f"a hit; each mode run once per round, rounds alternating the modes, the median of the {args.rounds} "
            "runs reported (requests/s, p50, p99), each run's requests/s beside it; server CPU µs/request: the "
            "CPU time (user + system) of the server's processes during the run over the requests wrk counted, "
            "and its ratio to the matching Django row (Django's CPU / this row's: the requests/s ratio a "
            "server with a core to itself would see; it moves with the machine's load too). "
            f"Load average (1 min) at the start: {load_start:.1f}, at the end: {os.getloadavg()[0]:.1f}. "
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared with other work: compare rows "
            f"of one run, not runs), Python {platform.python_version()}.",
            "",
            "| mode | server | requests/s (median) | ratio | each round | server CPU µs/request | CPU ratio | p50 | p99 | socket errors |",
            "| --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | --- |",
            *rows,
            "",
            "In one process, no server (`bench/fast_hit.py`: the same page called through the WSGI callable, "
            "best of 3 loops): microseconds per hit.",
            "",
            "| cache | FastPathWSGI | Django's cache_page hit | ratio |",
            "| --- | ---: | ---: | ---: |",
            *(f"| {name} | {r['fast_us']:.1f} | {r['django_us']:.1f} | {r['django_us'] / r['fast_us']:.1f}x |" for name, r in in_process.items()),
            "",
            "Where a PolyCache fast hit spends its time (cProfile, own time; the profiler inflates every call, "
            "compare the entries with each other):",
            "",
            "| function | calls per hit | own µs per hit (profiled) |",
            "| --- | ---: | ---: |",
            *(f"| `{t['function']}` | {t['calls_per_hit']:g} | {t['own_us_per_hit']:.1f} |" for t in in_process["PolyCache"]["top"]),
            "",
        ]
    )
    if args.out:
        with open(os.path.join(ROOT, args.out) if not os.path.isabs(args.out) else args.out, "w") as f:
            f.write(report)
    print(report)


if __name__ == "__main__":
    main()
