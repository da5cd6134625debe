"""Instructions per request of the whole gunicorn server (the command and modes of
bench/fast_bench.py: gthread, one worker, 4 threads), or uvicorn's (its ``asgi-*``
modes), counted by valgrind's cachegrind in every process of the server: what separates the fast path from a bare app returning the
same answer, and both from Django's own hit, without the machine's load in the figures.
Each mode is run twice, with a few and with many requests over one keep-alive
connection (all hits after a warm-up), and the difference divided by the extra requests,
so start-up, warm-up and shut-down cancel.

    python bench/fast_server_instructions.py [--modes django-locmem,fast-polycache,bare-same-answer]
                                             [--hiredis DIR] [--no-header]
    (``make bench-fast-server-instructions``: every gunicorn mode of /books/ and the uvicorn
    ones on django-redis, about 20 minutes (the server runs under valgrind); django-redis on
    a throwaway local redis-server, whose own instructions are not counted)
"""

from __future__ import annotations

import argparse
import glob
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fast"))

sys.path.insert(0, os.path.join(ROOT, "tests", "tiered"))

import redisctl  # noqa: E402  (a throwaway redis-server for the django-redis modes)
from fast_bench import MODES  # noqa: E402  (bench/: this script's folder)
from fastsite import serve  # noqa: E402

PATH = "/books/?page=1"


def _requests(port: int, n: int) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        for _ in range(n):
            conn.request("GET", PATH)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{PATH}: {response.status}")
    finally:
        conn.close()


def server_instructions(env: dict, requests: int, out_dir: str, server_kind: str = "gunicorn") -> int:
    """Instructions of the server's processes (master and worker) over its whole life, with
    ``requests`` hits after the warm-up."""
    port = serve.free_port()
    for old in glob.glob(os.path.join(out_dir, "cg.*")):
        os.remove(old)
    args = [a.replace("{port}", str(port)) for a in serve.COMMANDS[server_kind]]
    server = subprocess.Popen(["valgrind", "--tool=cachegrind", "--cache-sim=no", f"--cachegrind-out-file={out_dir}/cg.%p",
                               sys.executable, *args], cwd=serve.SITE, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                _requests(port, 3)  # the first stores the page; then hits (the fast path's too)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{server_kind} did not start under valgrind")
                time.sleep(1)
        _requests(port, requests)
    finally:
        server.terminate()
        server.wait(timeout=600)
    total = 0
    for path in glob.glob(os.path.join(out_dir, "cg.*")):  # one file per process (master, worker)
        with open(path) as f:
            found = re.search(r"^summary:\s+(\d+)", f.read(), re.M)
        if found is None:
            raise RuntimeError(f"no summary in {path}")
        total += int(found.group(1))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default="django-locmem,fast-polycache,bare-same-answer")
    parser.add_argument("--few", type=int, default=20)
    parser.add_argument("--many", type=int, default=220)
    parser.add_argument("--hiredis", default=None, help="a folder hiredis is installed in (the *-hiredis modes)")
    parser.add_argument("--no-header", action="store_true", help="FastPathWSGI without X-Polycache (its default)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("fast_server_instructions.py needs valgrind (apt-get install valgrind)")
    tmp = tempfile.mkdtemp(prefix="polycache-fast-server-instructions-")
    base_env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", POLYCACHE_DRF_DB_DIR=tmp, POLYCACHE_FAST_BENCH="1")
    base_env.pop("POLYCACHE_FAST", None)
    if args.no_header:
        base_env["POLYCACHE_FAST_HEADER"] = "0"
    result = {}
    modes = args.modes.split(",")
    redis_dir = None
    try:
        serve.prepare_db(dict(base_env), books=30)
        if any("{redis" in v for m in modes for v in MODES[m][1].values()):
            redis_dir = os.path.join(tmp, "redis")
            redis_url = f"redis://127.0.0.1:{redisctl.start(redis_dir)}"
        for mode in modes:
            server_kind, extra = MODES[mode]
            if "BENCH_PAGES" in extra or ("{hiredis}" in extra.values() and not args.hiredis):
                sys.exit(f"{mode}: only the modes of /books/ (the *-hiredis ones with --hiredis)")
            values = {"{redis}": f"{redis_url}/0" if redis_dir else "", "{redis-tiered}": f"{redis_url}/1" if redis_dir else "",
                      "{hiredis}": os.path.abspath(args.hiredis or ".")}
            env = dict(base_env, **{k: values.get(v, v) for k, v in extra.items()})
            few = server_instructions(env, args.few, tmp, server_kind)
            many = server_instructions(env, args.many, tmp, server_kind)
            result[mode] = (many - few) // (args.many - args.few)
            print(mode, result[mode], flush=True)
    finally:
        if redis_dir is not None:
            redisctl.stop(redis_dir)
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"server_instructions_per_request": result}))


if __name__ == "__main__":
    main()
