"""What the choice of classic pub/sub costs on a Redis Cluster, beside sharded pub/sub
(``SSUBSCRIBE``/``SPUBLISH``, Redis 7), measured with raw redis-py on the cluster that
bench/tiered_cluster_bench.py starts (docs/tiered.md, "Redis Cluster and Sentinel").

TieredCache subscribes on every primary with classic ``SUBSCRIBE``: the cluster bus
copies each message to every node, so a subscribing process receives it once per primary.
With sharded pub/sub a message stays in the shard of its channel: one copy per process.
Here SUBSCRIBERS processes subscribe either way, MESSAGES messages (the size of an
invalidation message) are published on one primary, and measured are: copies received per
message per process, the subscribers' CPU time per message, and the whole cluster's
server CPU time (INFO cpu, every node) per message."""

from __future__ import annotations

import json
import multiprocessing as mp
import threading
import time
from typing import Dict, List

SUBSCRIBERS = 4
MESSAGES = 5000
PAYLOAD = json.dumps(["0123456789abcdef", 12345, "keys", [":1:book:12345"]])


def _subscriber(mode: str, ports: List[int], channel: str, conn) -> None:  # type: ignore[no-untyped-def]
    import redis

    subs = []
    for port in ports:
        ps = redis.Redis(host="127.0.0.1", port=port).pubsub()
        (ps.subscribe if mode == "classic" else ps.ssubscribe)(channel)
        while (m := ps.get_message(timeout=5)) is None or m["type"] not in ("subscribe", "ssubscribe"):
            pass
        subs.append(ps)
    counts = [0] * len(subs)

    def drain(i: int) -> None:
        for m in subs[i].listen():
            if m["type"] in ("message", "smessage"):
                counts[i] += 1
                if counts[i] == MESSAGES:
                    return

    conn.send("ready")
    start = time.process_time()
    threads = [threading.Thread(target=drain, args=(i,), daemon=True) for i in range(len(subs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    conn.send({"copies": sum(counts), "cpu": time.process_time() - start})


def _server_cpu(ports: List[int]) -> float:
    from topoctl import client

    total = 0.0
    for p in ports:
        info = client(p).info("cpu")
        total += float(info["used_cpu_user"]) + float(info["used_cpu_sys"])
    return total


def measure(cluster) -> Dict[str, Dict[str, float]]:  # type: ignore[no-untyped-def]
    """{"classic": {...}, "sharded": {...}}: copies, subscriber_us, server_us, seconds."""
    import redis

    channel = "polycache:tiered:bench"
    owner = cluster.owner(channel)
    primaries = cluster.primaries()
    out = {}
    ctx = mp.get_context("spawn")
    for mode, ports in (("classic", primaries), ("sharded", [owner])):
        pipes, procs = [], []
        for _ in range(SUBSCRIBERS):
            here, there = ctx.Pipe()
            p = ctx.Process(target=_subscriber, args=(mode, ports, channel, there), daemon=True)
            p.start()
            pipes.append(here)
            procs.append(p)
        for here in pipes:
            assert here.poll(60) and here.recv() == "ready"
        every = cluster.alive()
        cpu0, t0 = _server_cpu(every), time.monotonic()
        r = redis.Redis(host="127.0.0.1", port=owner)
        for start in range(0, MESSAGES, 500):
            with r.pipeline(transaction=False) as p:
                for _ in range(min(500, MESSAGES - start)):
                    (p.publish if mode == "classic" else p.spublish)(channel, PAYLOAD)
                p.execute()
        results = []
        for here in pipes:
            assert here.poll(120), f"{mode}: a subscriber did not get every message"
            results.append(here.recv())
        seconds = time.monotonic() - t0
        server = _server_cpu(every) - cpu0
        for p in procs:
            p.join(5)
        out[mode] = {
            "copies": sum(x["copies"] for x in results) / SUBSCRIBERS / MESSAGES,
            "subscriber_us": sum(x["cpu"] for x in results) / SUBSCRIBERS / MESSAGES * 1e6,
            "server_us": server / MESSAGES * 1e6,
            "seconds": seconds,
        }
    return out
