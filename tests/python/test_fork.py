"""fork() while another thread holds one of PolyCache's process-wide locks: the store
registry, the lock-table registry, a LOCATION's lock table (``cache.lock()``). A lock
held at fork stays held forever in the child, whose copy of the holder thread does not
exist, so the child must get fresh ones. Each child runs under alarm(): a hang kills it
and fails the test."""

from __future__ import annotations

import os
import signal
import sys
import threading
import uuid
from typing import Any, Callable

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")


def fork_while_held(lock: Any, child: Callable[[], bool]) -> None:
    """Holds ``lock`` in another thread, forks, and asserts ``child()`` is true in the
    child within the deadline."""
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with lock:
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold, daemon=True)
    holder.start()
    assert held.wait(10)
    try:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                signal.alarm(20)
                code = 0 if child() else 1
            except BaseException as e:  # noqa: BLE001 - reported through the exit code
                sys.stderr.write(f"fork child: {type(e).__name__}: {e}\n")
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "the child hung (killed by its alarm) or failed"
    finally:
        release.set()
        holder.join(10)


def uses_polycache(location: str) -> Callable[[], bool]:
    def child() -> bool:
        from polycache.django import PolyCache

        cache = PolyCache(location, {})
        cache.set("k", 1)
        with cache.lock("fork-lock", blocking_timeout=5):
            pass
        return cache.get("k") == 1

    return child


def test_the_store_registry_lock() -> None:
    from polycache import django as backend

    fork_while_held(backend._stores_lock, uses_polycache(f"fork-{uuid.uuid4().hex}"))


def test_the_lock_table_registry_lock() -> None:
    from polycache import locks

    fork_while_held(locks._tables_lock, uses_polycache(f"fork-{uuid.uuid4().hex}"))


def test_a_locations_lock_table() -> None:
    from polycache.django import PolyCache

    location = f"fork-{uuid.uuid4().hex}"
    cache = PolyCache(location, {})
    with cache.lock("warm"):
        pass  # the LOCATION's table exists now
    from polycache import locks

    fork_while_held(locks._tables[location].changed, uses_polycache(location))
