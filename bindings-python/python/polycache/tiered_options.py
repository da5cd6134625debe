"""TieredCache's LOCATION and OPTIONS, checked once with a clear error. Values come back
as plain ``bool``/``int``/``float``, because they key the per-process tier registry and
must not bring user ``__hash__``/``__eq__`` under its lock."""

from __future__ import annotations

import math
from typing import Any, Dict

from django.core.exceptions import ImproperlyConfigured


class TieredConfigError(ImproperlyConfigured, ValueError):
    """A LOCATION or OPTIONS TieredCache cannot use: Django's ImproperlyConfigured, and a
    ValueError as before."""


DEFAULTS: Dict[str, Any] = {
    "IGNORE_EXCEPTIONS": False,
    "SOCKET_TIMEOUT": 0.25,
    "SOCKET_CONNECT_TIMEOUT": None,  # = SOCKET_TIMEOUT
    "INVALIDATION_BOUND": 0.5,
    "LOCAL_MAX_ENTRIES": 10_000,
    "LOCAL_MAX_BYTES": 64 << 20,
    "EVICTION": "lru",  # tier 1's policy: "lru" or "adaptive"
    "LOCAL_TIMEOUT": None,
    "RETRY_AFTER": 1.0,
}
# (CLUSTER, SENTINELS and SENTINEL_KWARGS say where Redis is: tiered_topology.spec)


def options(params: Dict[str, Any]) -> Dict[str, Any]:
    given = params.get("OPTIONS", {}) or {}
    opts = dict(DEFAULTS)
    for name in DEFAULTS:
        if name in given:
            opts[name] = given[name]
        elif name.lower() in given:
            opts[name] = given[name.lower()]

    def seconds(name: str, allow_none: bool = False) -> None:
        v = opts[name]
        if v is None and allow_none:
            return
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
            raise TieredConfigError(f"polycache TieredCache: OPTIONS {name} must be a positive number of seconds, got {v!r}")
        opts[name] = float(v)

    if opts["SOCKET_CONNECT_TIMEOUT"] is None:
        opts["SOCKET_CONNECT_TIMEOUT"] = opts["SOCKET_TIMEOUT"]
    for name in ("SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT", "INVALIDATION_BOUND", "RETRY_AFTER"):
        seconds(name)
    seconds("LOCAL_TIMEOUT", allow_none=True)
    if not isinstance(opts["IGNORE_EXCEPTIONS"], bool):
        raise TieredConfigError(f"polycache TieredCache: OPTIONS IGNORE_EXCEPTIONS must be True or False, got {opts['IGNORE_EXCEPTIONS']!r}")
    if opts["EVICTION"] not in ("lru", "adaptive"):
        raise TieredConfigError(f'polycache TieredCache: OPTIONS EVICTION must be "lru" or "adaptive", got {opts["EVICTION"]!r}')
    for name in ("LOCAL_MAX_ENTRIES", "LOCAL_MAX_BYTES"):
        v = opts[name]
        if v is None and name == "LOCAL_MAX_BYTES":
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise TieredConfigError(f"polycache TieredCache: OPTIONS {name} must be a positive int, got {v!r}")
        opts[name] = int(v)
    return opts
