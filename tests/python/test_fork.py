"""fork() while another thread holds PolyCache's store registry lock: the child must still
make and use a PolyCache (a lock held at fork stays held forever in the child, whose copy
of the holder thread does not exist). The child runs under alarm(): a hang kills it and
fails the test."""

from __future__ import annotations

import os
import signal
import sys
import threading

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")


def test_a_child_forked_while_the_store_lock_is_held_can_use_polycache():
    from polycache import django as backend

    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with backend._stores_lock:
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
                cache = backend.PolyCache("fork-child", {})
                cache.set("k", 1)
                code = 0 if cache.get("k") == 1 else 1
            except BaseException as e:  # noqa: BLE001 - reported through the exit code
                sys.stderr.write(f"fork child: {type(e).__name__}: {e}\n")
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "the child hung (killed by its alarm) or failed"
    finally:
        release.set()
        holder.join(10)
