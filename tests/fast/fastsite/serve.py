"""Runs the fastsite project under a real WSGI server (gunicorn, gthread): a migrated
SQLite database of its own and a server process on a free port. Used by
tests/fast/test_server.py and bench/fast_bench.py."""
import os
import socket
import subprocess
import sys
import time
from typing import Dict

SITE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare_db(env: Dict[str, str], books: int) -> None:
    """Migrates the database in env["POLYCACHE_DRF_DB_DIR"] and adds `books` books."""
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command; call_command('migrate', verbosity=0);"
        "from catalog.models import Author, Book; a = Author.objects.create(name='Le Guin');"
        f"[Book.objects.create(title=f'Book {{n}}', author=a, year=1960 + n) for n in range({books})]"
    )
    subprocess.run([sys.executable, "-c", code], cwd=SITE, env=env, check=True)


COMMANDS = {
    "gunicorn": ["-m", "gunicorn", "-k", "gthread", "--workers", "1", "--threads", "4", "-b", "127.0.0.1:{port}",
                 "--chdir", SITE, "--log-level", "warning", "fastsite.wsgi:application"],
    # gunicorn's gthread worker with polycache's hit writer (polycache.fast_gunicorn)
    "gunicorn-worker": ["-m", "gunicorn", "-k", "polycache.fast_gunicorn.Worker", "--workers", "1", "--threads", "4",
                        "-b", "127.0.0.1:{port}", "--chdir", SITE, "--log-level", "warning", "fastsite.wsgi:application"],
    "uvicorn": ["-m", "uvicorn", "--workers", "1", "--host", "127.0.0.1", "--port", "{port}", "--app-dir", SITE,
                "--log-level", "warning", "--no-access-log", "fastsite.asgi:application"],
}


def start(env: Dict[str, str], port: int, server_kind: str = "gunicorn") -> "subprocess.Popen[bytes]":
    """gunicorn (one worker, 4 threads) or uvicorn (one worker) on 127.0.0.1:port;
    returns once it accepts."""
    args = [a.replace("{port}", str(port)) for a in COMMANDS[server_kind]]
    server = subprocess.Popen([sys.executable, *args], cwd=SITE, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def stop(server: "subprocess.Popen[bytes]") -> None:
    server.terminate()
    server.wait(timeout=30)
