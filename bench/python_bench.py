"""Python benchmarks: polycache beside the caches Django and Python users pick instead,
in one run on one machine. Writes bench/results/python.json; bench/report.py turns it
into docs/benchmarks.md.

    python bench/python_bench.py [--quick] [--only-sizes]

--only-sizes runs just the Django `get` by cache size (bench/django_sizes.py) and merges
it into the results file already there.

Starts redis-server and memcached on free 127.0.0.1 ports for the network peers and
stops them when done. Each figure is the median of several rounds; within a round the
backends run one after another in a shuffled order.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

from django_sizes import bench_sizes
from rows import drf_value

HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS = os.path.join(HERE, "results")
MAX_ENTRIES = 100_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listening on 127.0.0.1:{port}")


class Services:
    """redis-server and memcached on loopback, for the network peers."""

    def __init__(self) -> None:
        self.dir = tempfile.mkdtemp(prefix="polycache-bench-")
        self.procs: list[subprocess.Popen] = []
        self.redis_port = self.memcached_port = None

    def __enter__(self) -> "Services":
        if shutil.which("redis-server"):
            self.redis_port = free_port()
            self.procs.append(subprocess.Popen(
                ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", self.dir],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_port(self.redis_port)
        if shutil.which("memcached"):
            self.memcached_port = free_port()
            self.procs.append(subprocess.Popen(
                ["memcached", "-u", "root", "-l", "127.0.0.1", "-p", str(self.memcached_port), "-m", "256"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_port(self.memcached_port)
        return self

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def django_caches(services: Services) -> dict:
    opts = {"MAX_ENTRIES": MAX_ENTRIES}
    caches = {
        "polycache": {"BACKEND": "polycache.django.PolyCache", "LOCATION": "bench", "OPTIONS": opts},
        "polycache VALUES=copy": {"BACKEND": "polycache.django.PolyCache", "LOCATION": "bench-copy",
                                  "OPTIONS": {**opts, "VALUES": "copy"}},
        "LocMemCache": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "bench", "OPTIONS": opts},
        "theine": {"BACKEND": "theine.adapters.django.Cache", "OPTIONS": opts},
    }
    if services.redis_port:
        url = f"redis://127.0.0.1:{services.redis_port}/0"
        caches["django-redis"] = {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": url}
        caches["Django RedisCache"] = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": f"redis://127.0.0.1:{services.redis_port}/1"}
    if services.memcached_port:
        caches["PyMemcacheCache"] = {"BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
                                     "LOCATION": f"127.0.0.1:{services.memcached_port}"}
    return caches


def time_ops(fn, n: int) -> float:
    """Operations per second of `fn(i)` for i in range(n)."""
    t0 = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - t0)


def django_workloads(cache, n: int, value) -> dict:
    keys = [f"bench:key:{i}" for i in range(1000)]
    miss = [f"bench:miss:{i}" for i in range(1000)]
    for k in keys:
        cache.set(k, value, 300)
    cache.set("counter", 0, None)
    groups = [keys[i:i + 10] for i in range(0, 1000, 10)]
    mapping = [{k: value for k in g} for g in groups]
    get, set_, get_many, set_many, incr = cache.get, cache.set, cache.get_many, cache.set_many, cache.incr
    return {
        "get-hit": time_ops(lambda i: get(keys[i % 1000]), n),
        "get-miss": time_ops(lambda i: get(miss[i % 1000]), n),
        "set": time_ops(lambda i: set_(keys[i % 1000], value, 300), n),
        "get_many(10)": time_ops(lambda i: get_many(groups[i % 100]), n // 10),
        "set_many(10)": time_ops(lambda i: set_many(mapping[i % 100], 300), n // 10),
        "incr": time_ops(lambda i: incr("counter"), n),
    }


def isolation(cache) -> bool:
    """True when mutating a value after set, or after get, leaves the cached value as it
    was (what Django's LocMemCache guarantees by pickling)."""
    v = [1, 2]
    cache.set("isolation", v, 300)
    v.append(3)
    got = cache.get("isolation")
    if got != [1, 2]:
        return False
    got.append(4)
    return cache.get("isolation") == [1, 2]


def bench_django(services: Services, rounds: int, n_local: int, n_net: int) -> dict:
    import django
    from django.conf import settings

    settings.configure(CACHES=django_caches(services), USE_TZ=True)
    django.setup()
    from django.core.cache import caches

    names = list(settings.CACHES)
    values = {"small int": 42, "short str": "hello, world", "DRF-like (1 KB list of dicts)": drf_value()}
    out: dict = {}
    failures: dict = {}
    for vname, value in values.items():
        samples: dict = {name: [] for name in names}
        for _ in range(rounds):
            order = names[:]
            random.shuffle(order)
            for name in order:
                # A fresh instance each round; theine's clear() is not used because
                # theine 2.0 panics on reads after it (seen here, in theine_core).
                cache = caches.create_connection(name)
                if name != "theine":
                    cache.clear()
                n = n_local if name.startswith("polycache") or name in ("LocMemCache", "theine") else n_net
                try:
                    samples[name].append(django_workloads(cache, n, value))
                except Exception as e:  # a peer that breaks is reported, not hidden
                    failures.setdefault(name, f"{type(e).__name__}: {e}")
                    samples[name].append(None)
        out[vname] = {
            name: {w: statistics.median(r[w] for r in runs if r) for w in next(r for r in runs if r)}
            for name, runs in samples.items()
            if any(runs)
        }
    if failures:
        out["failures"] = failures
    out["isolation"] = {name: isolation(caches.create_connection(name)) for name in names}
    return out


def plain_adapters():
    """Python caches without Django, each used the way its docs show, TTL on (60 s)."""
    import cachebox
    import cachetools
    import lru
    import moka_py
    import polycache

    def poly():
        c = polycache.Cache(max_entries=MAX_ENTRIES, default_timeout=60)
        return c.get, lambda k, v: c.set(k, v)

    def cachebox_ttl():
        c = cachebox.TTLCache(MAX_ENTRIES, 60)
        return c.get, c.insert

    def cachebox_lru():
        c = cachebox.LRUCache(MAX_ENTRIES)
        return c.get, c.insert

    def cachetools_ttl():
        c = cachetools.TTLCache(MAX_ENTRIES, 60)
        return c.get, c.__setitem__

    def cachetools_lru():
        c = cachetools.LRUCache(MAX_ENTRIES)
        return c.get, c.__setitem__

    def lru_dict():
        c = lru.LRU(MAX_ENTRIES)
        return c.get, c.__setitem__

    def moka():
        c = moka_py.Moka(MAX_ENTRIES, ttl=60)
        return c.get, c.set

    return {
        "polycache.Cache (TTL)": poly, "cachebox.TTLCache": cachebox_ttl, "cachebox.LRUCache (no TTL)": cachebox_lru,
        "cachetools.TTLCache": cachetools_ttl, "cachetools.LRUCache (no TTL)": cachetools_lru,
        "lru-dict LRU (no TTL)": lru_dict, "moka-py Moka (TTL)": moka,
    }


def bench_plain(rounds: int, n: int) -> dict:
    adapters = plain_adapters()
    keys = [f"user:{i}:profile" for i in range(10_000)]
    samples: dict = {name: [] for name in adapters}
    for _ in range(rounds):
        order = list(adapters)
        random.shuffle(order)
        for name in order:
            get, set_ = adapters[name]()
            for k in keys:
                set_(k, "value")
            r = {
                "get-hit": time_ops(lambda i: get(keys[i % 10_000]), n),
                "get-miss": time_ops(lambda i: get("missing"), n),
                "set": time_ops(lambda i: set_(keys[i % 10_000], "value"), n),
            }
            samples[name].append(r)
    return {name: {w: statistics.median(r[w] for r in runs) for w in runs[0]} for name, runs in samples.items()}


MEMORY_CHILD = r"""
import gc, json, os, sys
sys.path.insert(0, os.environ["BENCH_DIR"])
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
import django
from django.conf import settings
options = {"MAX_ENTRIES": 200000, **json.loads(sys.argv[2])}
settings.configure(CACHES={"default": {"BACKEND": sys.argv[1], "LOCATION": "mem", "OPTIONS": options}})
django.setup()
from django.core.cache import cache
from rows import ROWS
value = ROWS[sys.argv[3]]

keys = ["user:%d:profile" % i for i in range(100000)]
cache.get("warm"); cache.set("warm", value(0)); cache.delete("warm")
gc.collect()
before = rss()
for i, k in enumerate(keys):
    cache.set(k, value(i), None)
gc.collect()
after = rss()
assert cache.get(keys[-1]) == value(len(keys) - 1)
print(json.dumps({"bytes": after - before}))
"""


def bench_memory(rounds: int, rows: str = "rows") -> dict:
    """Resident memory of 100k entries per backend; `rows` is "rows" (the title a sentence
    rotated) or "varied" (random words: little for a compressor to find across rows)."""
    out = {}
    for name, backend, options in [("polycache", "polycache.django.PolyCache", {}),
                                   ("polycache VALUES=copy", "polycache.django.PolyCache", {"VALUES": "copy"}),
                                   ("polycache VALUES=pickle", "polycache.django.PolyCache", {"VALUES": "pickle"}),
                                   ("polycache VALUES=pickle COMPRESS_MIN_LENGTH=128", "polycache.django.PolyCache",
                                    {"VALUES": "pickle", "COMPRESS_MIN_LENGTH": 128}),
                                   ("polycache COMPRESS_MIN_LENGTH=128", "polycache.django.PolyCache",
                                    {"COMPRESS_MIN_LENGTH": 128}),
                                   ("LocMemCache", "django.core.cache.backends.locmem.LocMemCache", {})]:
        vals = []
        for _ in range(rounds):
            p = subprocess.run([sys.executable, "-c", MEMORY_CHILD, backend, json.dumps(options), rows],
                               capture_output=True, text=True,
                               env={**os.environ, "BENCH_DIR": HERE}, check=True)
            vals.append(json.loads(p.stdout)["bytes"])
        out[name] = statistics.median(vals)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small counts, one round: a smoke run")
    ap.add_argument("--only-sizes", action="store_true", help="only the Django get by cache size, merged into "
                    "the existing results")
    args = ap.parse_args()
    rounds, n_local, n_net, n_plain, mem_rounds = (1, 2000, 200, 5000, 1) if args.quick else (5, 50_000, 3000, 200_000, 3)
    sizes, sizes_rounds, n_sizes = ([1000, 10_000], 1, 5000) if args.quick else ([10_000, 100_000, 1_000_000], 3, 300_000)
    import django
    import polycache

    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, "python-quick.json" if args.quick else "python.json")
    machine = {"cores": os.cpu_count(), "python": platform.python_version(), "django": django.get_version(),
               "polycache": polycache.__version__, "platform": platform.platform()}
    command = "make bench-python" + (" (quick)" if args.quick else "")
    if args.only_sizes:
        result = {"machine": machine, "command": command}
        if os.path.exists(path):
            with open(path) as f:
                result = json.load(f)
        result.update(django_get_by_size=bench_sizes(sizes, sizes_rounds, n_sizes), sizes_rounds=sizes_rounds,
                      sizes_command=f"python bench/python_bench.py --only-sizes{' --quick' if args.quick else ''}",
                      sizes_machine=machine)
    else:
        with Services() as services:
            result = {
                "machine": machine,
                "command": command,
                "rounds": rounds,
                "django": bench_django(services, rounds, n_local, n_net),
                "plain": bench_plain(rounds, n_plain),
                "memory_100k_entries": bench_memory(mem_rounds),
                "memory_100k_varied_entries": bench_memory(mem_rounds, "varied"),
                "django_get_by_size": bench_sizes(sizes, sizes_rounds, n_sizes),
                "sizes_rounds": sizes_rounds,
                "sizes_command": command,
                "sizes_machine": machine,
            }
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result, indent=1))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
