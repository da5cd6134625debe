"""Starts and stops a throwaway redis-server on 127.0.0.1 (a free port, its own folder,
daemonized, pidfile). Used by mk/tiered.mk and by the fault tests.

    python tests/tiered/redisctl.py start DIR    # prints the port
    python tests/tiered/redisctl.py stop DIR
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(port: int, timeout: float = 0.2) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def start(folder: str | os.PathLike, port: int | None = None) -> int:
    """Starts redis-server with its files in ``folder``; its port once it answers PING."""
    server = shutil.which("redis-server")
    if server is None:
        raise SystemExit("redis-server not found (apt-get install -y redis-server)")
    folder = Path(folder).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in range(5):
        p = port or free_port()
        subprocess.run(
            [server, "--port", str(p), "--bind", "127.0.0.1", "--daemonize", "yes",
             "--pidfile", str(folder / "redis.pid"), "--dir", str(folder),
             "--logfile", str(folder / "redis.log"), "--save", "", "--appendonly", "no",
             "--enable-debug-command", "local"],  # DEBUG SLEEP: a fault of the fault suite
            check=True,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if _ping(p):
                (folder / "port").write_text(str(p))
                return p
            time.sleep(0.02)
        stop(folder)
        if port:
            break
    raise SystemExit(f"redis-server did not start; see {folder / 'redis.log'}")


def pid_of(folder: str | os.PathLike) -> int | None:
    try:
        return int((Path(folder) / "redis.pid").read_text().strip())
    except (OSError, ValueError):
        return None


def stop(folder: str | os.PathLike) -> None:
    """Stops the server started in ``folder`` (TERM, then KILL after 5 s); waits for it."""
    pid = pid_of(folder)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGCONT)  # in case a test left it stopped
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        (Path(folder) / "redis.pid").unlink()
    except OSError:
        pass


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        raise SystemExit(__doc__)
    if sys.argv[1] == "start":
        print(start(sys.argv[2]))
    else:
        stop(sys.argv[2])
