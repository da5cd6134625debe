"""A gunicorn worker that writes the fast path's hits itself.

.. code-block:: console

    gunicorn -k polycache.fast_gunicorn.Worker --threads 4 mysite.wsgi:application

with ``application = FastPathWSGI(get_wsgi_application())`` in ``wsgi.py``. It is
gunicorn's own ``gthread`` worker; one thing differs. For a ``GET`` it builds the WSGI
environ as gunicorn does and asks the fast path for a copy; a hit is written to the
socket in one send, with the status line and the ``Server``, ``Date`` and ``Connection``
headers gunicorn would have put first, and none of gunicorn's per-response machinery
(``start_response``, its header checks on every request, a send for the headers and
another for the body, the access-log call). Everything else (a miss, a refusal, a
``HEAD``, a copy whose headers gunicorn would have changed) goes through gunicorn's own
handling unchanged, and the fast path takes the answer its lookup already gave instead
of looking up again.

The worker answers only when gunicorn's access log is off and its ``pre_request`` and
``post_request`` hooks are gunicorn's own (a project that logs or hooks every request
gets them on every request): otherwise, and when the WSGI application is not a
:class:`~polycache.fast.FastPathWSGI`, it is exactly gunicorn's ``gthread`` worker.
Hits it wrote are counted in ``FastPathWSGI.stats()["server_hits"]``.
"""

from __future__ import annotations

import time
from email.utils import formatdate
from typing import Any, Dict, Optional, Tuple

from django.core.handlers.wsgi import WSGIRequest
from gunicorn import SERVER
from gunicorn import config as gunicorn_config
from gunicorn.http import wsgi as gunicorn_wsgi
# What gunicorn's start_response accepts in a response header (its own patterns): a copy
# with anything else goes through gunicorn, which refuses it as it would have.
from gunicorn.http.wsgi import HEADER_VALUE_RE, TOKEN_RE
from gunicorn.util import is_hoppish
from gunicorn.workers.gthread import ThreadWorker

from polycache.fast import FastPathWSGI
from polycache.fast_answer import UNDECIDED, Copy

__all__ = ["Worker"]

class _Wire:
    """A copy's headers as gunicorn would send them after its own first four lines,
    for one second (``Age`` and Django's headers are made per second)."""

    __slots__ = ("second", "copy", "lines")

    def __init__(self, second: int, copy: Copy, lines: Optional[bytes]) -> None:
        self.second, self.copy, self.lines = second, copy, lines


def _lines(copy: Copy) -> Optional[bytes]:
    """The header lines, or None when gunicorn would not send them as they are (a
    header it refuses or drops, no ``Content-Length`` equal to the body's: then it
    would choose the framing itself)."""
    out = []
    length = None
    for name, value in copy.headers():
        if not isinstance(name, str) or not isinstance(value, str) or not TOKEN_RE.fullmatch(name) or not HEADER_VALUE_RE.fullmatch(value):
            return None
        value = value.strip(" \t")
        if name.lower() == "content-length":
            length = value
        elif is_hoppish(name):
            return None
        out.append(f"{name}: {value}\r\n")
    if length is None or not length.isdigit() or int(length) != len(copy.body):
        return None
    try:
        return "".join(out).encode("latin-1")
    except UnicodeEncodeError:
        return None


class Worker(ThreadWorker):
    """gunicorn's ``gthread`` worker, writing fast-path hits itself (module docstring)."""

    alive: bool  # gunicorn's (for mypy: set in its __init__)
    _fast: Optional[FastPathWSGI] = None
    _date: Tuple[int, bytes] = (-1, b"")

    def load_wsgi(self) -> None:
        super().load_wsgi()
        cfg = self.cfg
        plain = (cfg.accesslog is None and cfg.pre_request is gunicorn_config.PreRequest.default
                 and cfg.post_request is gunicorn_config.PostRequest.default)
        self._fast = self.wsgi if plain and isinstance(self.wsgi, FastPathWSGI) else None
        self._wires: Dict[int, _Wire] = {}

    def handle_request(self, req: Any, conn: Any) -> bool:
        fast = self._fast
        if fast is None or req.method != "GET":
            return super().handle_request(req, conn)
        _, environ = gunicorn_wsgi.create(req, conn.sock, conn.client, conn.server, self.cfg)
        environ["wsgi.multithread"] = True
        found = fast._answer(environ, lambda: WSGIRequest(environ))
        lines = self._wire(found) if isinstance(found, Copy) else None
        if lines is None:
            handles = fast._threads.mine()
            handles.decided = found  # FastPathWSGI answers with it, or hands it to Django
            try:
                return super().handle_request(req, conn)
            finally:
                handles.decided = UNDECIDED
        self.cfg.pre_request(self, req)  # gunicorn's own: a debug log line
        self.nr += 1
        if self.nr >= self.max_requests and self.alive:
            self.log.info("Autorestarting worker after current request.")
            self.alive = False
        close = (not self.alive or not self.cfg.keepalive or len(self._keep) >= self.max_keepalived
                 or req.should_close())
        head = b"HTTP/%d.%d %s\r\nServer: %s\r\nDate: %s\r\nConnection: %s\r\n" % (
            req.version[0], req.version[1], found.status.encode("latin-1"), SERVER.encode(), self._now(),
            b"close" if close else b"keep-alive")
        conn.sock.sendall(b"".join((head, lines, b"\r\n", found.body)))
        fast._threads.mine().server_hits += 1
        return not close

    def _wire(self, copy: Copy) -> Optional[bytes]:
        second = int(time.time())
        wire = self._wires.get(id(copy))
        if wire is None or wire.second != second or wire.copy is not copy:
            if len(self._wires) >= 1_000:
                self._wires.clear()
            wire = self._wires[id(copy)] = _Wire(second, copy, _lines(copy))
        return wire.lines

    def _now(self) -> bytes:
        second = int(time.time())
        date = self._date
        if date[0] != second:
            date = self._date = (second, formatdate(second, localtime=False, usegmt=True).encode())
        return date[1]

