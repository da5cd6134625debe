"""Throwaway Redis topologies on 127.0.0.1 for the TieredCache tests: a Redis Cluster of 3
primaries and 3 replicas (``redis-server --cluster-enabled yes``, then ``redis-cli
--cluster create --cluster-yes``), and a Sentinel setup (a primary, a replica, three
``redis-server --sentinel``). Failover timeouts are low so a test sees a failover in a
few seconds. Every server runs daemonized from a folder of its own under one parent
folder, with a pidfile; ``stop_all(parent)`` stops every one of them, whatever state a
failed test left them in (SIGSTOPped included).

    python tests/tiered/topoctl.py stop-all DIR          # what mk/tiered.mk's trap runs
    python tests/tiered/topoctl.py with-cluster DIR CMD...  # runs CMD with POLYCACHE_REDIS_URL
                                                          # and POLYCACHE_REDIS_OPTIONS set

The parent folder is ``$POLYCACHE_TOPOLOGY_DIR`` when set (mk/tiered.mk sets it), else
a new temp folder.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import redis
from redis.crc import key_slot

import redisctl

NODE_TIMEOUT_MS = 1000  # cluster-node-timeout: a dead primary is replaced in ~2-4 s
# sentinel down-after-milliseconds: at 500 the sentinels of a loaded 2-core machine now and
# then deemed a live primary down and failed over a second time during the storm
DOWN_AFTER_MS = 1000
SERVICE = "mymaster"


def parent_folder() -> Path:
    base = os.environ.get("POLYCACHE_TOPOLOGY_DIR")
    if base:
        Path(base).mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="topology-", dir=base))


def _server(folder: Path, port: int, *args: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["redis-server", *args, "--port", str(port), "--bind", "127.0.0.1", "--daemonize", "yes",
         "--pidfile", str(folder / "redis.pid"), "--dir", str(folder), "--logfile", str(folder / "redis.log"),
         "--save", "", "--appendonly", "no", "--enable-debug-command", "local"],
        check=True, cwd=folder,
    )


def _wait(pred, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if pred():
                return
        except redis.RedisError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


def client(port: int, timeout: float = 2) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=timeout, socket_connect_timeout=timeout)


def cluster_port() -> int:
    """A free port P whose cluster bus port P + 10000 is free too."""
    import random
    import socket

    while True:
        p = random.randrange(20000, 45000)
        try:
            with socket.socket() as a, socket.socket() as b:
                a.bind(("127.0.0.1", p))
                b.bind(("127.0.0.1", p + 10000))
            return p
        except OSError:
            continue


def cluster_info(port: int) -> Dict[str, str]:
    raw = client(port).execute_command("CLUSTER INFO")
    if isinstance(raw, dict):
        return {k: str(v) for k, v in raw.items()}
    text = raw.decode() if isinstance(raw, bytes) else raw
    return dict(line.split(":", 1) for line in text.split() if ":" in line)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"  # (a zombie nobody reaps yet)
    except OSError:
        return True


def stop_all(parent: Path) -> None:
    """Kills every server whose pidfile is under ``parent`` (these hold nothing worth a
    clean shutdown, and a primary's SIGTERM would wait for its replicas), SIGSTOPped
    ones included; returns once they are gone."""
    pids = []
    for pidfile in sorted(Path(parent).rglob("redis.pid")):
        pid = redisctl.pid_of(pidfile.parent)
        if pid is not None:
            for sig in (signal.SIGKILL, signal.SIGCONT):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            pids.append(pid)
        pidfile.unlink(missing_ok=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(_gone(p) for p in pids):
        time.sleep(0.01)


class Cluster:
    """3 primaries, 3 replicas; ``ports`` in creation order (primaries first)."""

    def __init__(self) -> None:
        self.folder = parent_folder()
        self.ports: List[int] = []
        try:
            for _ in range(6):
                port = cluster_port()
                _server(self.folder / str(port), port, "--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", str(NODE_TIMEOUT_MS),
                        "--cluster-replica-validity-factor", "0", "--cluster-require-full-coverage", "no")
                self.ports.append(port)
            for port in self.ports:
                _wait(lambda: client(port).ping(), 10, f"redis-server on {port}")
            subprocess.run(["redis-cli", "--cluster", "create", *[f"127.0.0.1:{p}" for p in self.ports],
                            "--cluster-replicas", "1", "--cluster-yes"], check=True, stdout=subprocess.DEVNULL)
            self.wait_healthy()
        except BaseException:
            self.close()
            raise

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.ports[0]}/0"

    def alive(self) -> List[int]:
        return [p for p in self.ports if redisctl.pid_of(self.folder / str(p)) is not None]

    def nodes(self, via: Optional[int] = None) -> List[Dict]:
        """CLUSTER NODES as seen by ``via`` (default: any live node): id, port, role, slots."""
        out = []
        raw = client(via or self.alive()[0]).execute_command("CLUSTER NODES")
        text = raw.decode() if isinstance(raw, bytes) else raw
        if isinstance(raw, dict):  # (redis-py may parse it already)
            text = "\n".join(f"{v['node_id']} {k} {v['flags']} {v['master_id']} 0 0 0 {v['connected']} "
                             + " ".join("-".join(map(str, s)) for s in v['slots']) for k, v in raw.items())
        for line in text.strip().splitlines():
            f = line.split()
            flags = f[2].split(",")
            role = "primary" if "master" in flags else "replica"
            slots = [s for s in f[8:] if not s.startswith("[")]
            out.append({"id": f[0], "port": int(f[1].split("@")[0].rsplit(":", 1)[1]), "role": role,
                        "failed": "fail" in flags, "slots": slots, "primary_of": f[3]})
        return out

    def primaries(self) -> List[int]:
        return sorted(n["port"] for n in self.nodes() if n["role"] == "primary" and not n["failed"] and n["slots"])

    def owner(self, key: str) -> int:
        """The port of the primary that serves ``key`` now."""
        slot = key_slot(key.encode())
        for n in self.nodes():
            if n["role"] != "primary" or n["failed"]:
                continue
            for s in n["slots"]:
                lo, _, hi = s.partition("-")
                if int(lo) <= slot <= int(hi or lo):
                    return n["port"]
        raise LookupError(key)

    def slots_of(self, port: int) -> set:
        node = next(x for x in self.nodes() if x["port"] == port)
        out: set = set()
        for s in node["slots"]:
            lo, _, hi = s.partition("-")
            out.update(range(int(lo), int(hi or lo) + 1))
        return out

    def replica_of(self, port: int) -> int:
        nodes = self.nodes()
        pid = next(n["id"] for n in nodes if n["port"] == port)
        return next(n["port"] for n in nodes if n["primary_of"] == pid and not n["failed"])

    def wait_healthy(self, timeout: float = 20) -> None:
        def ok() -> bool:
            for p in self.alive():
                info = cluster_info(p)
                if info["cluster_state"] != "ok" or int(info["cluster_slots_ok"]) != 16384:
                    return False
            return len(self.primaries()) >= 3
        _wait(ok, timeout, "cluster_state ok on every node")

    def pid(self, port: int) -> int:
        pid = redisctl.pid_of(self.folder / str(port))
        assert pid is not None
        return pid

    def kill(self, port: int) -> None:
        os.kill(self.pid(port), signal.SIGKILL)
        (self.folder / str(port) / "redis.pid").unlink()

    def wait_failover(self, dead: int, timeout: float = 20) -> None:
        """Until a replica has taken over ``dead``'s slots and every live node agrees."""
        def done() -> bool:
            for p in self.alive():
                for n in self.nodes(via=p):
                    if n["port"] == dead and n["role"] == "primary" and n["slots"] and not n["failed"]:
                        return False
                if cluster_info(p)["cluster_state"] != "ok":
                    return False
            return True
        _wait(done, timeout, f"a replica to replace {dead}")

    def reshard(self, src: int, dst: int, slots: int) -> None:
        """``redis-cli --cluster reshard``: moves ``slots`` slots (src's lowest) to dst."""
        ids = {n["port"]: n["id"] for n in self.nodes()}
        subprocess.run(["redis-cli", "--cluster", "reshard", f"127.0.0.1:{src}", "--cluster-from", ids[src],
                        "--cluster-to", ids[dst], "--cluster-slots", str(slots), "--cluster-yes",
                        "--cluster-pipeline", "10"], check=True, stdout=subprocess.DEVNULL)

    def first_slots(self, port: int, n: int) -> range:
        """The ``n`` lowest slots ``port`` serves (what reshard moves first)."""
        node = next(x for x in self.nodes() if x["port"] == port)
        lo = min(int(s.partition("-")[0]) for s in node["slots"])
        return range(lo, lo + n)

    def close(self) -> None:
        stop_all(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)


class SentinelSetup:
    """A primary, its replica, and three sentinels watching them (quorum 2)."""

    def __init__(self) -> None:
        self.folder = parent_folder()
        try:
            self.primary, self.replica = redisctl.free_port(), redisctl.free_port()
            _server(self.folder / "a", self.primary)
            _server(self.folder / "b", self.replica, "--replicaof", "127.0.0.1", str(self.primary))
            self.sentinels: List[int] = []
            for i in range(3):
                port = redisctl.free_port()
                folder = self.folder / f"sentinel{i}"
                folder.mkdir()
                conf = folder / "sentinel.conf"
                conf.write_text(
                    f"sentinel monitor {SERVICE} 127.0.0.1 {self.primary} 2\n"
                    f"sentinel down-after-milliseconds {SERVICE} {DOWN_AFTER_MS}\n"
                    f"sentinel failover-timeout {SERVICE} 3000\n"
                    f"sentinel parallel-syncs {SERVICE} 1\n"
                )
                subprocess.run(["redis-server", str(conf), "--sentinel", "--port", str(port), "--bind", "127.0.0.1",
                                "--daemonize", "yes", "--pidfile", str(folder / "redis.pid"), "--dir", str(folder),
                                "--logfile", str(folder / "redis.log")], check=True, cwd=folder)
                self.sentinels.append(port)
            _wait(lambda: client(self.replica).info("replication")["master_link_status"] == "up", 10, "the replica")

            def known() -> bool:
                for s in self.sentinels:
                    c = client(s)
                    if len(c.sentinel_slaves(SERVICE)) < 1 or len(c.sentinel_sentinels(SERVICE)) < 2:
                        return False
                return True
            _wait(known, 20, "the sentinels to find the replica and each other")
        except BaseException:
            self.close()
            raise

    url = f"redis://{SERVICE}/0"

    @property
    def options(self) -> dict:
        return {"SENTINELS": [["127.0.0.1", p] for p in self.sentinels]}

    def named_primaries(self) -> set:
        """The ports the sentinels name as the primary now (those that answer)."""
        named = set()
        for s in self.sentinels:
            try:
                named.add(int(client(s).sentinel_get_master_addr_by_name(SERVICE)[1]))
            except redis.RedisError:
                pass
        return named

    def current_primary(self) -> int:
        host, port = client(self.sentinels[0]).sentinel_get_master_addr_by_name(SERVICE)
        return int(port)

    def folder_of(self, port: int) -> Path:
        return self.folder / ("a" if port == self.primary else "b")

    def pid(self, port: int) -> int:
        pid = redisctl.pid_of(self.folder_of(port))
        assert pid is not None
        return pid

    def kill(self, port: int) -> None:
        os.kill(self.pid(port), signal.SIGKILL)
        (self.folder_of(port) / "redis.pid").unlink()

    def wait_failover(self, old: int, timeout: float = 20) -> int:
        """Until every sentinel names the other server, and it is a primary that no sentinel
        deems down (what redis-py's ``discover_master`` checks); its port."""
        def done() -> bool:
            ports = {int(client(s).sentinel_get_master_addr_by_name(SERVICE)[1]) for s in self.sentinels}
            if ports != {self.other(old)} or client(self.other(old)).info("replication")["role"] != "master":
                return False
            states = [client(s).sentinel_master(SERVICE) for s in self.sentinels]
            return all(st["is_master"] and not st["is_sdown"] and not st["is_odown"] for st in states)
        _wait(done, timeout, "the sentinels to promote the replica")
        return self.other(old)

    def other(self, port: int) -> int:
        return self.replica if port == self.primary else self.primary

    def close(self) -> None:
        stop_all(self.folder)
        shutil.rmtree(self.folder, ignore_errors=True)


def _with_cluster(cmd: List[str]) -> int:
    cluster = Cluster()
    try:
        env = dict(os.environ, POLYCACHE_REDIS_URL=cluster.url, POLYCACHE_REDIS_OPTIONS=json.dumps({"CLUSTER": True}))
        print(f"Redis Cluster on 127.0.0.1 ports {cluster.ports} (folder {cluster.folder})", flush=True)
        return subprocess.call(cmd, env=env)
    finally:
        cluster.close()


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "stop-all":
        stop_all(Path(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "with-cluster":
        os.environ["POLYCACHE_TOPOLOGY_DIR"] = sys.argv[2]
        sys.exit(_with_cluster(sys.argv[3:]))
    else:
        raise SystemExit(__doc__)
