"""Requests per second of cached pages under gunicorn, with and without polycache.fast.

The project is tests/fast (its ``/books/`` page: ``cache_page(60)`` + ``fast.eligible``
depending on the Book model); eight URLs (``?page=1..8``), all hits after a warm-up.
Server: gunicorn, gthread, one worker, 4 threads. Load: wrk (2 threads, 8 connections,
keep-alive) in its own process, rotating the eight URLs. Modes:

- ``django-locmem``: Django's ``cache_page`` on LocMemCache, no fast path;
- ``django-polycache``: the same on ``polycache.django.PolyCache``;
- ``fast-polycache``: PolyCache behind ``FastPathWSGI``;
- ``fast-locmem``: LocMemCache behind ``FastPathWSGI``;
- ``bare-wsgi``: a WSGI app returning fixed bytes (what the server itself can do).

Usage: ``make bench-fast`` (or ``python bench/fast_bench.py --seconds 10 --out docs/fast-bench.md``).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Dict, List

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(ROOT, "tests", "fast")
PAGES = [f"/books/?page={n}" for n in range(1, 9)]
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
MODES = {
    "django-locmem": {"POLYCACHE_FAST_BACKEND": LOCMEM},
    "django-polycache": {},
    "fast-polycache": {"POLYCACHE_FAST": "1"},
    "fast-locmem": {"POLYCACHE_FAST": "1", "POLYCACHE_FAST_BACKEND": LOCMEM},
    "bare-wsgi": {"POLYCACHE_FAST": "bare"},
}
ROTATE_LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_db(env: Dict[str, str]) -> None:
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from catalog.models import Author, Book; a = Author.objects.create(name='Le Guin');"
        "[Book.objects.create(title=f'Book {n}', author=a, year=1960 + n) for n in range(30)]"
    )
    subprocess.run([sys.executable, "-c", code], cwd=SITE, env=env, check=True)


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def warm(port: int, mode: str) -> None:
    for _ in range(2):
        for page in PAGES:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{page}") as r:
                r.read()
                served_by = r.headers.get("X-Polycache")
    if mode.startswith("fast") and served_by != "fast":
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


def run_mode(mode: str, extra: Dict[str, str], base_env: Dict[str, str], seconds: int, lua: str) -> Dict[str, str]:
    port = free_port()
    env = dict(base_env, **extra)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-k", "gthread", "--workers", "1", "--threads", "4",
         "-b", f"127.0.0.1:{port}", "--chdir", SITE, "--log-level", "warning", "fastsite.wsgi:application"],
        env=env,
    )
    try:
        wait_up(port)
        warm(port, mode)
        out = subprocess.run(
            ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", lua, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        server.terminate()
        server.wait(timeout=30)
    return parse_wrk(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--out", default=None, help="markdown file for the results")
    parser.add_argument("--modes", default=",".join(MODES))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench-fast needs wrk (apt-get install wrk)")
    tmp = tempfile.mkdtemp(prefix="polycache-fast-bench-")
    lua = os.path.join(tmp, "rotate.lua")
    with open(lua, "w") as f:
        f.write(ROTATE_LUA % ", ".join(f'"{p}"' for p in PAGES))
    base_env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", POLYCACHE_DRF_DB_DIR=tmp, POLYCACHE_FAST_BENCH="1")
    base_env.pop("POLYCACHE_FAST", None)
    prepare_db(dict(base_env))
    rows: List[str] = []
    for mode in args.modes.split(","):
        r = run_mode(mode, MODES[mode], base_env, args.seconds, lua)
        rows.append(f"| {mode} | {r['rps']} | {r['p50']} | {r['p99']} | {r['errors']} |")
        print(rows[-1], flush=True)
    shutil.rmtree(tmp, ignore_errors=True)
    report = "\n".join(
        [
            "# polycache.fast benchmark (generated by `make bench-fast`)",
            "",
            f"`python bench/fast_bench.py --seconds {args.seconds}`: gunicorn gthread, 1 worker, 4 threads; "
            "wrk -t2 -c8 in its own process, 8 cached URLs rotated, every request a hit. "
            f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared with other work: compare rows "
            f"of one run, not runs), Python {platform.python_version()}.",
            "",
            "| mode | requests/s | p50 | p99 | socket errors |",
            "| --- | ---: | ---: | ---: | --- |",
            *rows,
            "",
        ]
    )
    if args.out:
        with open(os.path.join(ROOT, args.out) if not os.path.isabs(args.out) else args.out, "w") as f:
            f.write(report)
    print(report)


if __name__ == "__main__":
    main()
