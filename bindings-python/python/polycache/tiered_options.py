"""TieredCache's LOCATION and OPTIONS, checked once with a clear error. Values come back
as plain ``bool``/``int``/``float``, because they key the per-process tier registry and
must not bring user ``__hash__``/``__eq__`` under its lock."""

from __future__ import annotations

import math
from typing import Any, Dict

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
            raise ValueError(f"polycache TieredCache: OPTIONS {name} must be a positive number of seconds, got {v!r}")
        opts[name] = float(v)

    if opts["SOCKET_CONNECT_TIMEOUT"] is None:
        opts["SOCKET_CONNECT_TIMEOUT"] = opts["SOCKET_TIMEOUT"]
    for name in ("SOCKET_TIMEOUT", "SOCKET_CONNECT_TIMEOUT", "INVALIDATION_BOUND", "RETRY_AFTER"):
        seconds(name)
    seconds("LOCAL_TIMEOUT", allow_none=True)
    if not isinstance(opts["IGNORE_EXCEPTIONS"], bool):
        raise ValueError(f"polycache TieredCache: OPTIONS IGNORE_EXCEPTIONS must be True or False, got {opts['IGNORE_EXCEPTIONS']!r}")
    if opts["EVICTION"] not in ("lru", "adaptive"):
        raise ValueError(f'polycache TieredCache: OPTIONS EVICTION must be "lru" or "adaptive", got {opts["EVICTION"]!r}')
    for name in ("LOCAL_MAX_ENTRIES", "LOCAL_MAX_BYTES"):
        v = opts[name]
        if v is None and name == "LOCAL_MAX_BYTES":
            continue
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"polycache TieredCache: OPTIONS {name} must be a positive int, got {v!r}")
        opts[name] = int(v)
    return opts


def location(location: Any) -> str:
    if isinstance(location, (list, tuple)):
        if len(location) != 1:
            raise ValueError("polycache TieredCache: LOCATION must be one Redis URL (no replicas)")
        location = location[0]
    if not isinstance(location, str) or "," in location or not location.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError(f"polycache TieredCache: LOCATION must be one redis://, rediss:// or unix:// URL, got {location!r}")
    return str(location)
