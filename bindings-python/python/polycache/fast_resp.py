"""One ``MGET`` on a connected socket, its reply read here: redis-py's send and parse of a
command cost the fast path more than everything else it does on a django-redis hit
(``make bench-fast-instructions``, docs/fast-speed.md), and the reply of an ``MGET`` has one
shape, an array of bulk strings and nulls.

Anything else (an error reply, another type, more bytes than the reply, the socket
closed, a timeout) raises; the caller then drops the connection, so that no part of
this reply can be read as the next one's.
"""

from __future__ import annotations

import socket
from typing import List, Optional, Tuple, Union

__all__ = ["CHUNK", "ReplyError", "rest", "values"]

#: What one receive asks for first (a page over it takes more than one).
CHUNK = 65536


class ReplyError(Exception):
    """A reply this reader does not take (the connection must be dropped)."""


def values(buf: bytes, count: int) -> Union[List[Optional[bytes]], int]:
    """The values of the complete reply to an ``MGET`` of ``count`` keys that ``buf``
    holds (None: a null); when ``buf`` holds only its start, how many bytes the whole
    reply needs at least (an int above ``len(buf)``)."""
    end = buf.find(b"\r\n")
    if end < 0:
        return len(buf) + 1
    if buf[0] != 42 or int(buf[1:end]) != count:  # b"*"
        raise ReplyError(f"MGET of {count} answered {bytes(buf[:min(end, 80)])!r}")
    pos = end + 2
    found: List[Optional[bytes]] = []
    for _ in range(count):
        end = buf.find(b"\r\n", pos)
        if end < 0:
            return len(buf) + 1
        kind = buf[pos]
        if kind == 36:  # b"$": a bulk string, or $-1 (RESP2's null)
            size = int(buf[pos + 1:end])
            if size < 0:
                found.append(None)
                pos = end + 2
                continue
            start = end + 2
            pos = start + size + 2
            if pos > len(buf):
                return pos
            if buf[pos - 2:pos] != b"\r\n":
                raise ReplyError("MGET: a bulk string not followed by CRLF")
            found.append(buf[start:pos - 2])
        elif kind == 95 and end == pos + 1:  # b"_": RESP3's null
            found.append(None)
            pos = end + 2
        else:
            raise ReplyError(f"MGET: an element {bytes(buf[pos:min(end, pos + 80)])!r}")
    if pos != len(buf):
        raise ReplyError("MGET: bytes after the reply")
    return found


def rest(sock: socket.socket, buf: bytes, count: int) -> Tuple[bytes, List[Optional[bytes]]]:
    """The whole reply to an ``MGET`` of ``count`` keys that starts with ``buf`` (the
    first bytes received), read to its end, and its values. The socket's own timeout
    bounds each receive."""
    found = values(buf, count)
    while isinstance(found, int):  # a reply longer than one receive
        parts, have = [buf], len(buf)
        while have < found:
            chunk = sock.recv(max(found - have, CHUNK))
            if not chunk:
                raise ReplyError("MGET: the connection closed mid-reply")
            parts.append(chunk)
            have += len(chunk)
        buf = b"".join(parts)
        found = values(buf, count)
    return buf, found
