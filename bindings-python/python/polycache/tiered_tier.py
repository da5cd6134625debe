"""The per-process tier of TieredCache: the tier-1 store, the Redis clients, and one
subscriber thread that applies invalidations from other processes and keeps the tier-1
lease (see docs/tiered.md, "The invalidation bound").

No user code runs under ``_Tier.lock``: a value is pickled into tier 1 with the lock
released (a ``__reduce__`` may call the cache again), and the put is checked again under
the lock once it landed. A put that an invalidation overtook is dropped, and until it is,
the subscriber renews no lease, so tier 1 cannot serve it past the bound.

Every lock of TieredCache: ``_Tier.lock`` (tier-1 bookkeeping, counters), the registry's
``_tiers_lock``, ``Journal.lock`` (its sets) and ``Journal.running`` (one settle at a time,
never waited for). Under none of them runs user code (pickling, a key's methods, a key
function, a warning) or a wait for Redis, except ``Journal.running`` around its own Redis
calls. A fork re-creates them all in the child."""

from __future__ import annotations

import itertools
import os
import select
import threading
import time
import weakref
from typing import Any, Dict, Iterable, List, Optional, Tuple

from polycache import _native
from polycache import tiered_protocol as proto
from polycache.tiered_journal import Journal
from polycache.tiered_protocol import MISS, redis
from polycache.tiered_topology import Spec, connect, describe

_monotonic = time.monotonic
_STRIPES = 4096  # power of two
_TOPOLOGY_CHECK = 1.0  # seconds between two looks at which servers take writes
_UNCONFIRMED = 10_000
_SEEN = 10_000  # messages remembered to skip their copies from the other primaries  # messages of failed writes remembered, oldest forgotten first

Token = Tuple[int, int, int]  # (epoch, stripe, stamp)


class _Tier:
    """What every TieredCache instance with the same LOCATION and options shares in a
    process: the tier-1 store, the Redis connection pool, the subscriber thread."""

    def __init__(self, spec: Spec, opts: Dict[str, Any]) -> None:
        self.spec = spec
        self.url = describe(spec)
        self.bound: float = opts["INVALIDATION_BOUND"]
        self.socket_timeout: float = opts["SOCKET_TIMEOUT"]
        self.connect_timeout: float = opts["SOCKET_CONNECT_TIMEOUT"]
        self.local_timeout: Optional[float] = opts["LOCAL_TIMEOUT"]
        self.max_entries: int = opts["LOCAL_MAX_ENTRIES"]
        self.max_bytes: Optional[int] = opts["LOCAL_MAX_BYTES"]
        self.retry_after: float = opts["RETRY_AFTER"]
        self.eviction: str = opts["EVICTION"]
        self.store = _native.Cache(self.max_entries, max_bytes=self.max_bytes, eviction=self.eviction, default_timeout=None)
        self._init_process_state()

    def _connect(self) -> None:
        common = dict(socket_timeout=self.socket_timeout, socket_connect_timeout=self.connect_timeout, health_check_interval=0)
        self.topology = connect(self.spec, common)
        self.client = self.topology.client
        self.channel = f"polycache:tiered:{self.topology.db}"
        script = self.client.register_script
        self.get_script, self.set_script, self.delete_script = script(proto.GET), script(proto.SET), script(proto.DELETE)
        self.add_script, self.touch_script, self.incr_script = script(proto.ADD), script(proto.TOUCH), script(proto.INCR)
        self.generation_script, self.invalidate_script = script(proto.GENERATION), script(proto.INVALIDATE)
        self.set_xx_script, self.incr_cas_script = script(proto.SET_XX), script(proto.INCR_CAS)
        self.set_many_script = script(proto.SET_MANY)

    def _init_process_state(self) -> None:
        self._connect()
        self.lock = threading.Lock()
        self.epoch = 0
        self.stripes = [0] * _STRIPES
        self.inflight: List[Token] = []  # puts into tier 1 under way, with their stamps
        self.lease_until = 0.0  # monotonic; tier 1 is trusted while now < lease_until
        self.down_until = 0.0  # monotonic; IGNORE_EXCEPTIONS callers skip Redis until then
        self.sender = os.urandom(8).hex()
        self.serial = itertools.count()
        self.unconfirmed: Dict[bytes, None] = {}  # messages of writes whose reply was lost
        self.journal = Journal(self)
        self.counts = dict.fromkeys(
            ("redis_hits", "redis_misses", "redis_errors", "redis_skipped", "invalidations_received",
             "subscribes", "subscriber_errors", "reconciled"), 0)
        self.last_error: Optional[str] = None
        self.subscribed = False
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.ensure_running()

    def after_fork(self) -> None:
        # Threads do not survive fork and a lock may have been held by one that was
        # running: nothing inherited from the parent is used, or trusted.
        self.store.clear()
        self._init_process_state()

    def trusted(self) -> bool:
        return _monotonic() < self.lease_until

    # -- the subscriber ------------------------------------------------------------------

    def ensure_running(self) -> None:
        t = self._thread
        if t is None or not t.is_alive():
            t = threading.Thread(target=_subscriber, args=(weakref.ref(self), self._stop), name="polycache-tiered", daemon=True)
            self._thread = t
            t.start()

    def stop(self) -> None:
        self._stop.set()

    def count(self, name: str, n: int = 1) -> None:
        with self.lock:
            self.counts[name] += n

    def message(self, op: str, keys: List[str]) -> str:
        return proto.message(self.sender, next(self.serial), op, keys)

    def unconfirm(self, msg: str) -> None:
        """A write with this message failed, yet Redis may still apply it (a timeout, a
        hung server): if the message comes back, apply it here too."""
        with self.lock:
            self.unconfirmed[msg.encode()] = None
            if len(self.unconfirmed) > _UNCONFIRMED:
                del self.unconfirmed[next(iter(self.unconfirmed))]

    def _subscribe_once(self) -> None:
        """Subscribes on every server that takes writes (one, or each primary of a cluster),
        then listens until an error; tier 1 is trusted only while each of them answers."""
        subs: List[Any] = []
        try:
            deadline = _monotonic() + self.connect_timeout + self.socket_timeout
            for client in self.topology.subscribers():
                ps = client.pubsub()
                subs.append(ps)
                ps.subscribe(self.channel)
                while True:
                    left = deadline - _monotonic()
                    if left <= 0:
                        raise redis.TimeoutError("no subscribe confirmation")
                    msg = ps.get_message(timeout=left)
                    if msg is not None and msg["type"] == "subscribe":
                        break
            # Subscribed: every later write reaches us. Whatever tier 1 holds from before may
            # have missed an invalidation; drop it (and any fill in flight).
            self.flush()
            addresses = [(ps.connection.host, int(ps.connection.port)) for ps in subs]
            self.topology.subscribed(addresses)
            self.subscribed = True
            self.down_until = 0.0  # Redis is back: callers may try it again
            self.count("subscribes")
            self._listen(subs, addresses)
        finally:
            self.subscribed = False
            self.lease_until = 0.0
            self.topology.lost()
            for ps in subs:
                try:
                    ps.close()
                except Exception:
                    pass

    def _listen(self, subs: List[Any], addresses: List[Tuple[str, int]]) -> None:
        """Pings every subscription each bound/5 seconds; the lease runs until the oldest
        of the pings each server last answered, plus the bound."""
        interval = self.bound / 5
        n = len(subs)
        pending: List[Optional[Tuple[bytes, float]]] = [None] * n
        leases = [0.0] * n
        next_ping = 0.0
        # A primary that was replaced but still answers (paused past its failover, then
        # resumed) keeps acknowledging our pings: only a look at who takes writes tells.
        # On a topology that can move, tier 1 is trusted no longer than the last look that
        # found nothing changed, plus the bound, and looks come every bound/2.
        check_every = min(_TOPOLOGY_CHECK, self.bound / 2) if self.topology.movable else _TOPOLOGY_CHECK
        confirmed = _monotonic() if self.topology.movable else float("inf")
        next_check = _monotonic() + check_every
        seq = 0
        seen: Dict[bytes, None] = {}  # (the last messages applied, oldest first)
        while not self._stop.is_set():
            now = _monotonic()
            if now >= next_ping:
                next_ping = now + interval
                for i, ps in enumerate(subs):
                    if pending[i] is None:
                        seq += 1
                        payload = f"{self.sender}:{seq}"
                        pending[i] = (payload.encode(), now)
                        ps.ping(payload)
            for p in pending:
                if p is not None and now - p[1] > self.bound:
                    raise redis.TimeoutError("pub/sub ping unanswered")
            if now >= next_check:
                next_check = now + check_every
                verdict = self.topology.changed(addresses)
                if verdict:
                    self.lease_until = 0.0
                    raise redis.ConnectionError("the servers that take writes changed")
                if verdict is False and self.topology.movable:
                    confirmed = now  # (a look nobody could answer confirms nothing)
            got = False
            for i, ps in enumerate(subs):
                while True:
                    msg = ps.get_message(timeout=0 if n > 1 else (interval / 4 if pending[i] else max(0.0, min(next_ping - now, interval))))
                    if msg is None:
                        break
                    got = True
                    kind = msg["type"]
                    if kind == "message":
                        data = msg["data"]
                        if n > 1:  # a cluster bus delivers each message once per subscription
                            if data in seen:
                                continue
                            seen[data] = None
                            if len(seen) > _SEEN:
                                del seen[next(iter(seen))]
                        self._apply(data)
                    elif kind == "pong" and (ping := pending[i]) is not None and msg["data"] == ping[0]:
                        # Every message published on this server before the ping is applied;
                        # a put overtaken by one of them may still sit in tier 1 until its
                        # writer checks it: then no new lease (the current one ends within the bound).
                        leases[i] = ping[1] + self.bound
                        pending[i] = None
                        with self.lock:
                            settled = self._settled()
                        if settled:
                            self.lease_until = min(min(leases), confirmed + self.bound)
                        self.journal.settle_soon()
                    if n == 1:
                        break
            if n > 1 and not got:
                # (each buffer was drained above, so a select on the sockets misses nothing)
                wait = interval / 4 if any(pending) else max(0.0, min(next_ping - _monotonic(), interval))
                select.select([ps.connection._sock for ps in subs], [], [], wait)

    def _apply(self, data: bytes) -> None:
        parsed = proto.parse(data)
        if parsed is None:
            return
        sender, op, keys = parsed
        if sender == self.sender:
            with self.lock:
                lost = self.unconfirmed.pop(data, MISS) is not MISS
            if not lost:
                return  # our own write: tier 1 was updated by the writer
        self.count("invalidations_received")
        if op == "clear":
            self.flush()
        else:
            self.drop(keys)

    # -- tier-1 bookkeeping: epochs close the fill / invalidate races --------------------

    def _settled(self) -> bool:
        """(Under the lock.) No put under way was overtaken by an invalidation."""
        return all(self.epoch == t[0] and self.stripes[t[1]] == t[2] for t in self.inflight)

    def token(self, key: str) -> Token:
        """Taken before reading Redis; a fill with it succeeds only if no invalidation of
        the key's stripe (or flush) happened since."""
        i = hash(key) & (_STRIPES - 1)
        return (self.epoch, i, self.stripes[i])

    def fill(self, key: str, token: Token, value: Any, seconds: Optional[float]) -> None:
        self._put(key, token, value, seconds, bump=False)

    def begin(self, key: str) -> Token:
        """Before a write to Redis: fail the fills in flight for the key's stripe. (Tier 1
        keeps the old value while the write is in flight: it has not happened yet.)"""
        i = hash(key) & (_STRIPES - 1)
        with self.lock:
            self.stripes[i] += 1
            return (self.epoch, i, self.stripes[i])

    def finish(self, key: str, token: Token, value: Any = MISS, seconds: Optional[float] = None) -> None:
        """After a write to Redis: keep ``value`` in tier 1 unless anything touched the key's
        stripe meanwhile (then drop it: we cannot tell which write Redis kept)."""
        self._put(key, token, value, seconds, bump=True)

    def _put(self, key: str, token: Token, value: Any, seconds: Optional[float], bump: bool) -> None:
        i = token[1]
        with self.lock:
            ok = self.epoch == token[0] and self.stripes[i] == token[2]
            if bump:
                self.stripes[i] += 1
            if not ok and not bump:
                return  # a fill that lost a race: what tier 1 holds now is newer
            if not ok or value is MISS or (seconds is not None and seconds <= 0):
                self.store.delete(key)
                return
            put = (self.epoch, i, self.stripes[i])
            self.inflight.append(put)
        kept = False
        try:
            self.store.set(key, value, seconds)  # may pickle: user code, so no lock held
            kept = True
        except Exception:  # too large for tier 1, unpicklable twice...: just don't keep it
            pass
        finally:
            with self.lock:
                self.inflight.remove(put)
                if not kept or self.epoch != put[0] or self.stripes[i] != put[2]:
                    self.store.delete(key)

    def drop(self, keys: Iterable[str]) -> None:
        with self.lock:
            for key in keys:
                self.stripes[hash(key) & (_STRIPES - 1)] += 1
                self.store.delete(key)

    def flush(self) -> None:
        with self.lock:
            self.epoch += 1
            self.store.clear()

    def local_get(self, key: str, default: Any) -> Any:
        """Tier 1's copy when Redis cannot answer, only while tier 1 is trusted: otherwise
        it may hold what another process invalidated more than the bound ago."""
        return self.store.get(key, default) if self.trusted() else default

    def local_has(self, key: str) -> bool:
        return self.trusted() and self.store.has_key(key)

    def local_seconds(self, ms: Optional[int], since: float) -> Optional[float]:
        """Seconds tier 1 may keep an entry Redis keeps for ``ms`` milliseconds (None =
        forever) counted from ``since`` (monotonic, taken before the request was sent)."""
        cap = self.local_timeout
        if ms is None:
            return cap
        left = (ms - 1) / 1000.0 - (_monotonic() - since)  # (1 ms for the store's rounding)
        return left if cap is None else min(left, cap)


def _subscriber(ref: "weakref.ref[_Tier]", stop: threading.Event) -> None:
    backoff = 0.02
    while not stop.is_set():
        tier = ref()
        if tier is None:
            return
        before = tier.counts["subscribes"]
        try:
            tier._subscribe_once()
        except Exception as e:  # connection lost, timeout, Redis down: reconnect
            tier.last_error = f"{type(e).__name__}: {e}"
            tier.count("subscriber_errors")
        if tier.counts["subscribes"] != before:
            backoff = 0.02  # it was up: retry soon
        del tier
        stop.wait(backoff)
        backoff = min(backoff * 2, 0.5)


tiers: Dict[Tuple[Any, ...], _Tier] = {}
_tiers_lock = threading.Lock()


def tier_for(spec: Spec, opts: Dict[str, Any]) -> _Tier:
    key = (spec,) + tuple(sorted(opts.items()))
    with _tiers_lock:
        tier = tiers.get(key)
    if tier is None:
        made = _Tier(spec, opts)  # (connects nothing yet, but starts a thread: not under the lock)
        with _tiers_lock:
            tier = tiers.setdefault(key, made)
        if tier is not made:
            made.stop()
    return tier


def _after_fork_in_child() -> None:
    global _tiers_lock
    _tiers_lock = threading.Lock()  # a thread of the parent may have held it
    for tier in list(tiers.values()):
        try:
            tier.after_fork()
        except Exception as e:  # (one tier that cannot start must not leave the next with the parent's locks)
            tier.last_error = f"{type(e).__name__}: {e}"


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
