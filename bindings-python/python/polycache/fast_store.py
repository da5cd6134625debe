"""How the fast path reads a cache: the bytes the cache stores, not the objects ``get``
would unpickle from them, so that what was made of a stored value (a page's prepared
answer, a header list, a generation) is remembered and a hit decodes nothing.

- ``PolyCache``, ``TieredCache``'s tier 1 while it is trusted, ``LocMemCache``: the very
  ``bytes`` object the entry holds (read as ``get`` reads: expiry, recency). A value made
  of it is used again only while the cache returns *that object* (identity).
- django-redis (its ``DefaultClient``, whatever serializer and compressor): the keys a
  hit needs in one ``MGET`` on a connection of django-redis's own pool, decoded with
  django-redis's own ``decode``. Redis returns new bytes on each read: a value made of
  them is used again only while Redis returns *equal* bytes (what is stored now is
  what was decoded then), so a write from any process is seen on the next read.
- Any other cache: no store (None); the fast path calls ``get`` / ``get_many``.

Measured with ``make bench-fast-instructions`` (docs/fast-speed.md).
"""

from __future__ import annotations

import os
import pickle
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from django.core.cache.backends.locmem import LocMemCache

from polycache.fast_resp import CHUNK, rest

__all__ = ["Store", "off_loop", "store_of"]

_MEMO_MAX = 10_000
#: django-redis: replies remembered per thread up to this size each, this many bytes in all.
_REPLY_MAX = 64 * 1024
_REPLIES_MAX = 4 * 1024 * 1024


class Store:
    """Reads stored bytes for a list of keys (None: absent, or unknown when not
    ``exact``) and remembers small values decoded from them."""

    #: None from ``read`` means absent (else: ask ``get``).
    exact = False
    #: Values made of stored bytes are reused while the bytes are equal (else: the same object).
    equal = False

    def __init__(self) -> None:
        self._values: Dict[str, Tuple[bytes, Any]] = {}

    def read(self, keys: Sequence[str]) -> List[Optional[bytes]]:
        raise NotImplementedError

    def read_one(self, key: str) -> Optional[bytes]:
        return self.read((key,))[0]

    def loads(self, raw: bytes) -> Any:
        return pickle.loads(raw)

    def same(self, then: Optional[bytes], now: bytes) -> bool:
        return then is now or (self.equal and then == now)

    def small(self, key: str) -> Any:
        """``get(key)`` of a small entry (exact stores only)."""
        raw = self.read_one(key)
        return None if raw is None else self.value(key, raw)

    def values(self, keys: Tuple[str, ...], raws: Sequence[Optional[bytes]]) -> Tuple[Any, ...]:
        """:meth:`value` of each (None where ``raws`` has None)."""
        if len(keys) == 1:
            return (self.value(keys[0], raws[0]) if raws[0] is not None else None,)
        return tuple(self.value(k, r) if r is not None else None for k, r in zip(keys, raws))

    def value(self, key: str, raw: bytes) -> Any:
        """What ``get(key)`` gives for the stored ``raw``: decoded once per stored value
        (for small values: header lists, generations)."""
        known = self._values.get(key)
        if known is not None and (known[0] is raw or (self.equal and known[0] == raw)):
            return known[1]
        value = self.loads(raw)
        if len(raw) <= 4096:
            if len(self._values) >= _MEMO_MAX:
                self._values.clear()
            self._values[key] = (raw, value)
        return value


class _Native(Store):
    """``PolyCache._get_pickle``, ``TieredCache``'s trusted tier 1 (None: compressed, not a
    pickle, absent, or tier 1 not trusted: then ``get``)."""

    def __init__(self, get_pickle: Callable[[str], Optional[bytes]]) -> None:
        super().__init__()
        self.read_one = get_pickle  # type: ignore[method-assign, assignment]  # no Python frame per read

    def read(self, keys: Sequence[str]) -> List[Optional[bytes]]:
        return [self.read_one(k) for k in keys]


def _tier1(trusted: Callable[[], Any]) -> Callable[[str], Optional[bytes]]:
    def read(key: str) -> Optional[bytes]:
        hot = trusted()
        return hot.get_pickle(key) if hot is not None else None

    return read


class _LocMem(Store):
    """``LocMemCache.get`` without the unpickling, every key under one lock; each key
    made and validated once (an expired entry is left for ``get`` to delete)."""

    exact = True

    def __init__(self, cache: LocMemCache) -> None:
        super().__init__()
        self.cache = cache
        self._full: Dict[str, str] = {}

    def read(self, keys: Sequence[str]) -> List[Optional[bytes]]:
        cache, full = self.cache, self._full
        names = []
        for key in keys:
            name = full.get(key)
            if name is None:
                if len(full) >= _MEMO_MAX:
                    full.clear()
                name = full[key] = cache.make_and_validate_key(key)
            names.append(name)
        found: List[Optional[bytes]] = []
        entries, expiries = cache._cache, cache._expire_info
        with cache._lock:
            now = time.time()
            for name in names:
                expires = expiries.get(name, -1)  # LocMemCache._has_expired, inlined
                raw = None if expires is not None and expires <= now else entries.get(name)
                if raw is not None:
                    entries.move_to_end(name, last=False)
                found.append(raw if isinstance(raw, bytes) else None)
        return found


class _DjangoRedis(Store):
    """django-redis's ``DefaultClient``: one ``MGET`` per read, on a connection this
    thread keeps (made with the settings of django-redis's pool, outside it: no pool
    lock or accounting per hit; made again in a forked child), the command packed once
    per list of keys. redis-py connects it (address, unix socket, SSL, AUTH, SELECT,
    protocol: the pool's settings); the command is then written to its socket and the
    reply read by :mod:`polycache.fast_resp`, under the socket's own timeout. No redis-py
    retry here: an error drops the connection and sends the request to Django, whose own
    read retries as django-redis does."""

    exact = True
    equal = True

    def __init__(self, client: Any) -> None:
        super().__init__()
        self.client = client
        self.loads = client.decode  # type: ignore[method-assign]
        #: per list of keys: [the packed MGET, its last reply (or None), that reply's values]
        self._commands: Dict[Tuple[str, ...], List[Any]] = {}
        self._held = 0  # bytes of the replies remembered there
        self._conn: Any = None
        self._pid = 0

    def _socket(self) -> Any:
        conn = self._conn
        if conn is None or self._pid != os.getpid():
            pool = self.client.get_client(write=False).connection_pool
            # a forked child's own connection (redis-py leaves the parent's socket open for it)
            conn = self._conn = pool.connection_class(**pool.connection_kwargs)
            self._pid = os.getpid()
        if conn._sock is None:
            # one attempt, bounded by the pool's timeouts (no retry's back-off sleeps: this
            # may run on an event loop); redis-py's handshake. A dead kept connection is
            # found by the read itself (no health-check PING).
            once = getattr(conn, "connect_check_health", None)
            once(retry_socket_connect=False) if once is not None else conn.connect()
        return conn._sock

    def bounded(self) -> bool:
        """Whether each wait of a read is bounded (the pool's ``socket_timeout``, which
        redis-py also takes for connecting unless told otherwise)."""
        kwargs = self.client.get_client(write=False).connection_pool.connection_kwargs
        return kwargs.get("socket_timeout") is not None

    def _command(self, keys: Tuple[str, ...]) -> List[Any]:
        if len(self._commands) >= _MEMO_MAX or self._held > _REPLIES_MAX:
            self._commands, self._held = {}, 0
        names = [str(self.client.make_key(k)) for k in keys]
        command = self._commands[keys] = [b"".join(self._conn.pack_command("MGET", *names)), None, None]
        return command

    def read(self, keys: Sequence[str]) -> List[Optional[bytes]]:
        """The values of one ``MGET``. A reply equal to the last one for these keys gives
        the same list of the same bytes objects (a reply is self-delimiting: equal to a
        whole reply, it is that whole reply), so nothing is parsed again and every memo
        made of those bytes is found by identity."""
        keys = tuple(keys)
        sock = self._socket()
        command = self._commands.get(keys)
        if command is None:
            command = self._command(keys)
        try:
            sock.sendall(command[0])
            reply = sock.recv(CHUNK)
            if reply == command[1]:
                return command[2]
            reply, found = rest(sock, reply, len(keys))
        except BaseException:
            self._conn.disconnect()  # a reply half read must not reach the next command; reconnects on the next
            raise
        if len(reply) <= _REPLY_MAX:
            self._held += len(reply) - len(command[1] or b"")
            command[1], command[2] = reply, found
        return found


def _lean_connection(client: Any) -> bool:
    """Whether the pool makes redis-py connections whose socket the lean read can use."""
    from redis.connection import AbstractConnection

    pool = client.get_client(write=False).connection_pool
    return isinstance(pool.connection_class, type) and issubclass(pool.connection_class, AbstractConnection)


def off_loop(cache: Any, stored: bool = True) -> bool:
    """Whether ``FastPathASGI`` reads ``cache`` in a worker thread: a read may wait on the
    network with no bound of its own. Read on the event loop: in-process caches
    (PolyCache, TieredCache, whose local-tier misses do wait on Redis, LocMemCache) and
    django-redis read by :class:`_DjangoRedis` with a ``SOCKET_TIMEOUT`` (the thread hop
    costs more than the read: ``make bench-fast-server-instructions``, docs/fast-speed.md),
    unless not ``stored`` (read with ``get``: redis-py's retries and back-off sleeps)."""
    if getattr(cache, "namespace", None) is not None or isinstance(cache, LocMemCache):
        return False
    store = store_of(cache)
    return not (stored and isinstance(store, _DjangoRedis) and store.bounded())


def store_of(cache: Any) -> Optional[Store]:
    """The :class:`Store` reading ``cache``, or None (the fast path then calls ``get``)."""
    if callable(getattr(type(cache), "_get_pickle", None)):
        return _Native(cache._get_pickle)
    trusted = getattr(cache, "_trusted_hot", None)
    if callable(trusted):
        return _Native(_tier1(trusted))
    if isinstance(cache, LocMemCache) and all(hasattr(cache, a) for a in ("_lock", "_cache", "_expire_info")):
        return _LocMem(cache)
    try:
        from django_redis.client import DefaultClient
        from django_redis.cache import RedisCache
    except ImportError:
        return None
    if isinstance(cache, RedisCache) and type(cache.client) is DefaultClient and _lean_connection(cache.client):
        return _DjangoRedis(cache.client)  # not Herd, Sharded (other layouts), nor another connection class
    return None
