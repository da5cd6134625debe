"""Helpers for tests with real OS processes and their own redis-server."""

from __future__ import annotations

import json
import os
import select
import signal
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import redis

import redisctl

HERE = Path(__file__).resolve().parent


def wait_for(pred, timeout: float = 5) -> bool:
    """Polls ``pred`` until it is true (True) or ``timeout`` seconds have passed (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.005)
    return False


class Server:
    """A redis-server of the test's own (127.0.0.1, a free port, a temp folder)."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="polycache-tiered-"))
        self.port = redisctl.start(self.folder)
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def stop(self) -> None:
        redisctl.stop(self.folder)

    def start(self) -> None:
        redisctl.start(self.folder, port=self.port)

    def kill(self) -> None:
        """SIGKILL: no shutdown, nothing saved, sockets reset."""
        pid = self.pid
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with open(f"/proc/{pid}/stat") as f:
                    if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                        return  # dead; its parent (init, in a container maybe none) reaps it
            except OSError:
                return
            time.sleep(0.01)
        raise RuntimeError(f"redis-server {pid} survived SIGKILL")

    @property
    def pid(self) -> int:
        pid = redisctl.pid_of(self.folder)
        assert pid is not None
        return pid

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


class Worker:
    """A Django process (tests/tiered/worker.py) with a TieredCache on ``url``."""

    def __init__(self, url: str, bound: float, **options) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(HERE / "worker.py"), url, str(bound), json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.pid = self._read(30)["ready"]

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError(f"worker {self.proc.pid} did not answer within {timeout}s")
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        if not line:
            raise RuntimeError(f"worker {self.proc.pid} exited ({self.proc.poll()})")
        return json.loads(line)

    def send(self, op: str, **kw) -> None:
        """Starts ``op`` without waiting for its reply (then ``reply()``)."""
        self.proc.stdin.write(json.dumps({"op": op, **kw}) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]

    def reply(self, timeout: float = 30):  # type: ignore[no-untyped-def]
        reply = self._read(timeout)
        if "error" in reply:
            raise WorkerError(reply["error"], reply["message"])
        return reply["ok"]

    def call(self, op: str, _timeout: float = 30, **kw):  # type: ignore[no-untyped-def]
        self.send(op, **kw)
        return self.reply(_timeout)

    __call__ = call

    def close(self) -> None:
        try:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(5)
        except Exception:
            self.proc.kill()
            self.proc.wait(5)


def three_workers(topology, bound: float, **options) -> list:
    """The storm tests' three worker processes on ``topology.url`` (the second with
    IGNORE_EXCEPTIONS). If one fails to start, those started and the topology are stopped
    and the error raised."""
    workers: list = []
    try:
        for extra in ({}, {"IGNORE_EXCEPTIONS": True}, {}):
            workers.append(Worker(topology.url, bound, **options, **extra))
    except BaseException:
        stop_workers(workers, topology)
        raise
    return workers


def stop_workers(workers: list, topology) -> None:
    for w in workers:
        w.close()
    topology.close()


class WorkerError(Exception):
    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
