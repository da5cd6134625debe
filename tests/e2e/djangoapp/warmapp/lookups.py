"""Reading the cache as a lookup list names it, the same way the JS side does
(tests/e2e/serve.mjs): the store key each language builds, the value, the TTL left."""
import pickle
from typing import Any, Dict

from django.core.cache import cache

from polycache import build_key, namespaced_key

MISSING = object()


def _json_like(v: Any) -> bool:
    if v is None or type(v) in (str, int, bool) or (type(v) is float and v == v and abs(v) != float("inf")):
        return True
    if type(v) is list:
        return all(_json_like(x) for x in v)
    if type(v) is dict:
        return all(type(k) is str and _json_like(x) for k, x in v.items())
    return False


def describe(v: Any) -> Dict[str, Any]:
    if v is MISSING:
        return {"missing": True}
    if type(v) is bytes:
        return {"bytes": v.hex()}
    if _json_like(v):
        return {"json": v}
    return {"pickle": pickle.dumps(v, pickle.HIGHEST_PROTOCOL).hex(), "repr": repr(v)}


def answer(spec: Dict[str, Any]) -> Dict[str, Any]:
    key = spec["key"]
    if "structured" in spec:
        s = spec["structured"]
        key = build_key(s["resource"], *s.get("ids", []), params=s.get("params"), scope=s.get("scope"))
    if "ns" in spec:
        ns = cache.namespace(spec["ns"])
        store_key = cache.make_key(namespaced_key(spec["ns"], ns.generation, key))
        value, ttl = ns.get(key, MISSING), ns.ttl(key)
    else:
        version = spec.get("version")
        store_key = cache.make_key(key, version)
        value, ttl = cache.get(key, MISSING, version), cache.ttl(key, version)
    return {
        "name": spec["name"],
        "store_key": store_key,
        "value": describe(value),
        # Django's ttl: seconds left, None = never, 0 = absent.
        "ttl_ms": None if ttl is None else round(ttl * 1000),
    }
