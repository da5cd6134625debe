"""Instructions per hit (valgrind's cachegrind, which counts them exactly; timings on a
shared machine do not), of FastPathWSGI and of Django's own WSGI application on the
same cached page (bench/fast_hit.py): each is run twice, with a few and with many
hits, and the difference divided by the extra hits, so start-up and warm-up cancel.

    python bench/fast_instructions.py    (``make bench-fast-instructions``; on PolyCache,
                                          or the cache POLYCACHE_FAST_BACKEND names)
    python bench/fast_instructions.py --django-redis    (on django-redis, a throwaway
                                          local redis-server: this process's instructions
                                          only, not the server's)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HIT = os.path.join(ROOT, "bench", "fast_hit.py")
sys.path.insert(0, os.path.join(ROOT, "tests", "fast"))

sys.path.insert(0, os.path.join(ROOT, "tests", "tiered"))

import redisctl  # noqa: E402
from fastsite import serve  # noqa: E402


def instructions(db_dir: str, app: str, calls: int) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null",
         sys.executable, HIT, db_dir, "--app", app, "--calls", str(calls)],
        capture_output=True, text=True, check=True,
    ).stderr
    found = re.search(r"I\s+refs:\s+([\d,]+)", out)
    if found is None:
        raise RuntimeError(f"no instruction count in valgrind's output:\n{out[-2000:]}")
    return int(found.group(1).replace(",", ""))


def per_hit(db_dir: str, app: str, few: int, many: int) -> int:
    return (instructions(db_dir, app, many) - instructions(db_dir, app, few)) // (many - few)


def main() -> None:
    if shutil.which("valgrind") is None:
        sys.exit("fast_instructions.py needs valgrind (apt-get install valgrind)")
    db_dir = tempfile.mkdtemp(prefix="polycache-fast-instructions-")
    backend = os.environ.get("POLYCACHE_FAST_BACKEND", "polycache.django.PolyCache")
    redis_dir = None
    if "--django-redis" in sys.argv[1:]:
        redis_dir = os.path.join(db_dir, "redis")
        os.environ["POLYCACHE_FAST_DJANGO_REDIS_URL"] = f"redis://127.0.0.1:{redisctl.start(redis_dir)}/0"
        backend = "django_redis.cache.RedisCache"
    try:
        serve.prepare_db(dict(os.environ, DJANGO_SETTINGS_MODULE="settings", POLYCACHE_DRF_DB_DIR=db_dir), books=30)
        fast = per_hit(db_dir, "fast", 100, 1100)
        django = per_hit(db_dir, "django", 10, 110)
    finally:
        if redis_dir is not None:
            redisctl.stop(redis_dir)
        shutil.rmtree(db_dir, ignore_errors=True)
    print(json.dumps({"cache": backend, "fast_instructions_per_hit": fast, "django_instructions_per_hit": django,
                      "ratio": round(django / fast, 1)}))


if __name__ == "__main__":
    main()
