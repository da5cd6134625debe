"""Where TieredCache's Redis is: one server, a primary that Redis Sentinel fails over, or a
Redis Cluster. Parses LOCATION/OPTIONS into a hashable spec (it keys the per-process tier
registry), makes the redis-py clients, and tells the subscriber which servers to
subscribe to (see docs/tiered.md, "Redis Cluster and Sentinel").

- One server: ``LOCATION`` one ``redis://``, ``rediss://`` or ``unix://`` URL.
- Sentinel, as django-redis spells it: ``LOCATION "redis://SERVICE_NAME/DB"`` and
  ``OPTIONS SENTINELS`` a list of ``(host, port)`` pairs or ``"host:port"`` strings
  (``SENTINEL_KWARGS``: extra arguments for the connections to the sentinels, e.g. a
  password). Data and pub/sub go to the primary the sentinels name.
- Cluster: ``OPTIONS CLUSTER True`` and ``LOCATION`` one seed URL or a list of them.
  Pub/sub: classic ``SUBSCRIBE`` on every primary, a lease from each (see docs).

A list of several URLs without ``CLUSTER`` (Django ``RedisCache``'s "first the primary,
then replicas for reads") is refused: a read from a replica may come before the write
an invalidation message announced, and refill tier 1 with the old value for good.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional, Tuple, cast
from urllib.parse import urlparse

from polycache.tiered_options import TieredConfigError
from polycache.tiered_protocol import CHUNK, redis

if redis is not None:
    from redis.backoff import NoBackoff
    from redis.retry import Retry

Spec = Tuple[Any, ...]
_SCHEMES = ("redis://", "rediss://", "unix://")


def _bad(text: str) -> TieredConfigError:
    return TieredConfigError(f"polycache TieredCache: {text}")


def _urls(location: Any) -> List[str]:
    items = list(location) if isinstance(location, (list, tuple)) else [location]
    if not items:
        raise _bad("LOCATION is empty")
    out = []
    for url in items:
        if not isinstance(url, str) or "," in url or not url.startswith(_SCHEMES):
            raise _bad(f"LOCATION must be redis://, rediss:// or unix:// URLs, got {url!r}")
        out.append(url)
    return out


def _sentinel(text: Any) -> Tuple[str, int]:
    """(host, port) from ("host", port), "host:port" or "redis://host:port"."""
    if isinstance(text, (list, tuple)) and len(text) == 2 and isinstance(text[0], str):
        host, port = text
    elif isinstance(text, str):
        parsed = urlparse(text if "://" in text else "redis://" + text)
        host, port = parsed.hostname, parsed.port
    else:
        host = port = None
    if not host or isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise _bad(f'OPTIONS SENTINELS takes ("host", port) pairs or "host:port" strings, got {text!r}')
    return str(host), int(port)


def spec(location: Any, given: Dict[str, Any]) -> Spec:
    """The topology LOCATION and OPTIONS describe, checked, as a hashable tuple:
    ("redis", url) | ("sentinel", service, db, sentinels, sentinel_kwargs, url)
    | ("cluster", seed urls)."""
    cluster = given.get("CLUSTER", given.get("cluster", False))
    sentinels = given.get("SENTINELS", given.get("sentinels"))
    kwargs = given.get("SENTINEL_KWARGS", given.get("sentinel_kwargs")) or {}
    if not isinstance(cluster, bool):
        raise _bad(f"OPTIONS CLUSTER must be True or False, got {cluster!r}")
    if location is None:
        raise _bad("LOCATION is required (a redis:// URL)")
    urls = _urls(location)
    if cluster and sentinels:
        raise _bad("OPTIONS CLUSTER and SENTINELS exclude each other (a Redis Cluster fails over by itself)")
    if cluster:
        for url in urls:
            parsed = urlparse(url)
            if url.startswith("unix://") or not parsed.hostname:
                raise _bad(f"a Redis Cluster seed is a redis://host:port URL, got {url!r}")
            if parsed.path.strip("/") not in ("", "0"):
                raise _bad(f"Redis Cluster has only database 0, got {url!r}")
        return ("cluster", tuple(urls))
    if sentinels is not None:
        if isinstance(sentinels, (str, bytes)) or not isinstance(sentinels, (list, tuple)) or not sentinels:
            raise _bad(f'OPTIONS SENTINELS is a non-empty list of ("host", port) pairs, got {sentinels!r}')
        if not isinstance(kwargs, dict):
            raise _bad(f"OPTIONS SENTINEL_KWARGS is a dict, got {kwargs!r}")
        if len(urls) != 1:
            raise _bad("with SENTINELS, LOCATION is one URL: redis://SERVICE_NAME/DB")
        parsed = urlparse(urls[0])
        if not parsed.hostname:
            raise _bad(f"with SENTINELS, LOCATION is redis://SERVICE_NAME/DB, got {urls[0]!r}")
        db = parsed.path.strip("/") or "0"
        if not db.isdigit():
            raise _bad(f"the database in LOCATION must be a number, got {urls[0]!r}")
        return ("sentinel", parsed.hostname, int(db), tuple(_sentinel(s) for s in sentinels),
                tuple(sorted(kwargs.items())), urls[0])
    if len(urls) != 1:
        raise _bad(
            "LOCATION must be one Redis URL: TieredCache does not read from replicas (a replica may "
            "answer before it has the write an invalidation announced, and tier 1 would keep the old "
            "value). For several nodes use OPTIONS CLUSTER=True (Redis Cluster seeds) or SENTINELS"
        )
    return ("redis", urls[0])


def describe(s: Spec) -> str:
    if s[0] == "cluster":
        return "Redis Cluster " + ",".join(s[1])
    if s[0] == "sentinel":
        return f"Sentinel service {s[1]!r} (db {s[2]}) via " + ",".join(f"{h}:{p}" for h, p in s[3])
    return str(s[1])


# ---- clients ------------------------------------------------------------------------------


class Topology:
    """One server: the data client, and the one client the subscriber subscribes with."""

    cluster = False
    # Whether the servers that take writes can change under us (a failover, a reshard): the
    # subscriber then looks every bound/2 and trusts tier 1 no longer than a look + bound.
    movable = False

    def __init__(self, s: Spec, common: Dict[str, Any]) -> None:
        pid = os.getpid()
        self.spec = s
        self.common = common
        self.name = f"polycache-tiered:{pid}"
        self.sub_name = f"polycache-tiered-sub:{pid}"  # (operators and the tests find it in CLIENT LIST)
        self.client = self._data_client()
        self.db = self.client.connection_pool.connection_kwargs.get("db", 0) if not self.cluster else 0

    # Requests: one immediate retry when a pooled connection turns out dead (e.g. after a
    # restart or a failover); never a retry after a timeout. The subscriber: no silent
    # reconnects, every error must reach its thread.
    def _data_client(self) -> Any:
        return redis.Redis.from_url(
            self.spec[1], retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            client_name=self.name, **self.common)

    def subscribers(self) -> List[Any]:
        """Clients to subscribe with, one per server that takes writes (may do I/O)."""
        return [redis.Redis.from_url(self.spec[1], retry=Retry(NoBackoff(), 0), client_name=self.sub_name, **self.common)]

    def subscribed(self, addresses: List[Tuple[str, int]]) -> None:
        """Called once every subscription is confirmed, with the servers' addresses."""

    def lost(self) -> None:
        """(From the subscriber, whenever its subscription ends.)"""

    def changed(self, addresses: List[Tuple[str, int]]) -> Optional[bool]:
        """(From the subscriber: every bound/2 when ``movable``.) True when the servers that
        take writes are no longer ``addresses``: the subscriber then subscribes again; None
        when nobody could tell (which does not count as a look that found no change)."""
        return False

    def groups(self, keys: List[str]) -> List[List[str]]:
        """``keys`` in groups one Lua script may touch (one hash slot on a cluster)."""
        return [keys[i : i + CHUNK] for i in range(0, len(keys), CHUNK)]

    def flush_all(self, channel: str, message: str) -> None:
        """FLUSHDB, then the "clear" message."""
        with self.client.pipeline(transaction=True) as p:
            p.flushdb()
            p.publish(channel, message)
            p.execute()


class SentinelTopology(Topology):
    """The primary of a Sentinel service: redis-py's ``Sentinel.master_for`` finds it for
    each new connection, and every connection is a ``_PrimaryConnection``. When the
    subscriber loses its subscription, or lands on another primary than before (a
    failover), the data connections are dropped too, so no request stays on a demoted one."""

    movable = True

    def __init__(self, s: Spec, common: Dict[str, Any]) -> None:
        from redis.sentinel import Sentinel

        _, self.service, db, sentinels, kwargs, _ = s
        sentinel_kwargs = {"socket_timeout": common["socket_timeout"],
                           "socket_connect_timeout": common["socket_connect_timeout"], **dict(kwargs)}
        self.sentinel = Sentinel(list(sentinels), sentinel_kwargs=sentinel_kwargs, db=db)
        self.primary: Optional[Tuple[str, int]] = None
        super().__init__(s, common)
        self.db = db

    def _data_client(self) -> Any:
        return self.sentinel.master_for(
            self.service, retry=Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,)),
            client_name=self.name, connection_class=_primary_connection(), **self.common)

    def subscribers(self) -> List[Any]:
        return [self.sentinel.master_for(self.service, retry=Retry(NoBackoff(), 0), client_name=self.sub_name,
                                         connection_class=_primary_connection(), **self.common)]

    def subscribed(self, addresses: List[Tuple[str, int]]) -> None:
        if self.primary is not None and addresses[0] != self.primary:
            self.client.connection_pool.disconnect()
        self.primary = addresses[0]

    def lost(self) -> None:
        # The subscription ended (the primary paused, died, or was replaced): a pooled
        # connection idle since may still lead to it, and a paused primary that resumes
        # acknowledges writes nobody else will see. (A connection in use fails by itself.)
        self.client.connection_pool.disconnect(inuse_connections=False)

    def changed(self, addresses: List[Tuple[str, int]]) -> Optional[bool]:
        try:
            host, port = self.sentinel.discover_master(self.service)
        except Exception:  # no sentinel answers, or none names a primary it deems up
            return None
        if (host, int(port)) in addresses or (_ip(host), int(port)) in addresses:
            return False
        # Another primary: drop the data connections now (a replaced primary that resumed
        # still answers them), before the subscriber gets round to moving.
        self.client.connection_pool.disconnect()
        return True


_PRIMARY_CONNECTION: Any = None


def _primary_connection() -> Any:
    """A connection to the primary the sentinels name, and to no other node. redis-py's
    ``SentinelManagedConnection`` (8.x) lets a connection outlive a paused primary's
    failover, which is how writes reached a replaced primary that resumed (docs/tiered.md,
    "Sentinel: failover"): a read that timed out leaves it connected (its
    ``read_response`` does not disconnect on errors), so it still leads to the paused
    node when that node resumes; and a reconnect from inside a command (after a
    disconnect by another thread, or a retry) goes back to the address it had, without
    asking the sentinels. Here an error while reading drops the connection, every
    (re)connect asks the sentinels, and a node that does not say it is a primary (ROLE)
    is refused."""
    global _PRIMARY_CONNECTION
    if _PRIMARY_CONNECTION is not None:
        return _PRIMARY_CONNECTION
    from redis.sentinel import SentinelManagedConnection

    class _PrimaryConnection(SentinelManagedConnection):
        _resolving = False

        def connect_to(self, address: Tuple[str, int]) -> None:
            self._resolving = True
            try:
                super().connect_to(address)
            finally:
                self._resolving = False
            self.send_command("ROLE", check_health=False)
            role = self.read_response()[0]
            role = role.decode() if isinstance(role, bytes) else role
            if role != "master":
                self.disconnect()
                raise redis.ConnectionError(f"{address[0]}:{address[1]} is no longer the primary (ROLE: {role})")

        def connect_check_health(self, *args: Any, **kwargs: Any) -> None:
            if self._sock is not None or self._resolving:
                return super().connect_check_health(*args, **kwargs)
            self.connect()  # (redis-py would reconnect to the last address it had)

        def read_response(self, disable_decoding: Any = False, *, disconnect_on_error: Optional[bool] = True,
                          **kwargs: Any) -> Any:
            return super().read_response(disable_decoding, disconnect_on_error=disconnect_on_error, **kwargs)

    _PRIMARY_CONNECTION = _PrimaryConnection
    return _PRIMARY_CONNECTION


class ClusterTopology(Topology):
    """A Redis Cluster through redis-py's ``RedisCluster``. Invalidation messages use
    classic pub/sub, which the cluster bus carries to every node; the subscriber subscribes
    on every primary (a write's message is published, in the write's own Lua script, on the
    primary that took it) and renews tier 1's lease only when each of them has answered a
    ping."""

    movable = True

    cluster = True

    def _data_client(self) -> Any:
        from redis.cluster import ClusterNode, RedisCluster

        nodes = []
        for url in self.spec[1]:
            parsed = urlparse(url)
            nodes.append(ClusterNode(parsed.hostname, parsed.port or 6379))
        extra: Dict[str, Any] = {}
        parsed = urlparse(self.spec[1][0])
        if parsed.username:
            extra["username"] = parsed.username
        if parsed.password:
            extra["password"] = parsed.password
        if parsed.scheme == "rediss":
            extra["ssl"] = True
        self.extra = extra
        return _Lazy(lambda: RedisCluster(startup_nodes=nodes, retry=Retry(NoBackoff(), 1), client_name=self.name,
                                          **self.common, **extra))

    def _primaries(self) -> List[Tuple[str, int]]:
        self.client.nodes_manager.initialize()
        return sorted((n.host, int(n.port)) for n in self.client.get_primaries())

    def subscribers(self) -> List[Any]:
        return [redis.Redis(host=h, port=p, retry=Retry(NoBackoff(), 0), client_name=self.sub_name,
                            **self.common, **self.extra) for h, p in self._primaries()]

    def subscribed(self, addresses: List[Tuple[str, int]]) -> None:
        self.probe = redis.Redis(host=addresses[0][0], port=addresses[0][1], retry=Retry(NoBackoff(), 0),
                                 client_name=self.sub_name, **self.common, **self.extra)

    def changed(self, addresses: List[Tuple[str, int]]) -> Optional[bool]:
        try:
            slots = self.probe.execute_command("CLUSTER SLOTS")
        except Exception:
            return None  # (the pings decide whether that node is alive)
        primaries = set()
        for entry in slots.values() if isinstance(slots, dict) else slots:
            node = entry["primary"] if isinstance(entry, dict) else entry[2]
            host = node[0].decode() if isinstance(node[0], bytes) else node[0]
            primaries.add((host, int(node[1])))
        return bool(primaries) and primaries != set(addresses)

    def groups(self, keys: List[str]) -> List[List[str]]:
        from redis.crc import key_slot

        by_slot: Dict[int, List[str]] = {}
        for k in keys:
            by_slot.setdefault(key_slot(k.encode("utf-8", "surrogateescape")), []).append(k)
        return [g[i : i + CHUNK] for g in by_slot.values() for i in range(0, len(g), CHUNK)]

    def flush_all(self, channel: str, message: str) -> None:
        self.client.flushdb(target_nodes=self.client.PRIMARIES)
        self.client.publish(channel, message)


class _Lazy:
    """A ``RedisCluster`` made at its first use: its constructor asks a seed for the slot
    map, which must not happen when the cache is created (a cluster down at start is a
    fault like any other) nor in the fork handler. Until one is made, each use tries
    again; a failure is redis-py's ``RedisClusterException``, a Redis error for callers."""

    def __init__(self, make: Any) -> None:
        self._make = make
        self._real: Any = None

    def get_encoder(self) -> Any:  # (Script() wants it before any use, for the SHA1)
        from redis.connection import Encoder

        return Encoder("utf-8", "strict", False)

    def register_script(self, script: str) -> Any:
        from redis.commands.core import Script

        return Script(cast(Any, self), script)

    def __getattr__(self, name: str) -> Any:
        real = self._real
        if real is None:
            real = self._real = self._make()  # (two threads may both make one: one is kept)
        return getattr(real, name)


def _ip(host: str) -> str:
    return "127.0.0.1" if host == "localhost" else host


def connect(s: Spec, common: Dict[str, Any]) -> Topology:
    cls = {"redis": Topology, "sentinel": SentinelTopology, "cluster": ClusterTopology}[s[0]]
    return cls(s, common)
