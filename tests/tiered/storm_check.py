"""The invariant the topology tests check on the logs of ``worker.py``'s ``logged_storm``
(as test_chaos.py does for one server): each key has one writer whose values only grow
(a delete counts as a write too), so a read that began ``bound`` seconds after a write of
the same key returned must not see an older value. A miss is always allowed (Redis may
lose data); so is the value of a write that failed (Redis may apply it late).

A failover may lose writes the old primary acknowledged and never passed to its replica
(Redis replicates asynchronously). For the keys the dead primary served (``lossy``), a
read that began after the kill is checked against the writes that returned after the
failover was complete (``healed``): every write the new primary acknowledged keeps the
bound, and nothing of before survives it in any tier 1 (the subscribers flush on
resubscribing)."""

from __future__ import annotations

import bisect
from typing import Dict, Iterable, List, Optional, Set, Tuple


def stale_reads(logs: List[list], bound: float, lossy: Iterable[str] = (), killed: Optional[float] = None,
                healed: Optional[float] = None) -> Tuple[list, int]:
    """Reads that saw a value older than the bound allows; and how many reads were checked."""
    lossy = set(lossy)
    ok_writes: Dict[str, List[Tuple[float, int]]] = {}
    failed: Dict[str, Set[int]] = {}
    for log in logs:
        for entry in log:
            if entry[0] == "w":
                _, key, n, _, end, ok = entry
                if ok:
                    ok_writes.setdefault(key, []).append((end, abs(n)))
                else:
                    failed.setdefault(key, set()).add(abs(n))
    for writes in ok_writes.values():
        writes.sort()
    stale, checked = [], 0
    for log in logs:
        for entry in log:
            if entry[0] != "r" or entry[2] is None:
                continue
            _, key, value, start, _ = entry
            writes = ok_writes.get(key, [])
            i = bisect.bisect_right(writes, (start - bound, float("inf")))
            counted = writes[:i]
            if key in lossy and killed is not None and start >= killed:
                assert healed is not None
                counted = [w for w in counted if w[0] >= healed]
            floor = max((n for _, n in counted), default=0)
            checked += 1
            if value < floor and value not in failed.get(key, ()):
                stale.append((key, value, floor, round(start, 3)))
    return stale, checked


def slowest_call(logs: List[list]) -> float:
    """Seconds the slowest logged call took (a failed read is not logged: see worker.py)."""
    return max((e[4] - e[3] for log in logs for e in log), default=0.0)


def summary(logs: List[list]) -> Tuple[int, int]:
    writes = sum(1 for log in logs for e in log if e[0] == "w")
    failed = sum(1 for log in logs for e in log if e[0] == "w" and not e[5])
    return writes, failed
