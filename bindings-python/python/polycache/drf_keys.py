"""The keys of :mod:`polycache.drf`'s cached responses (re-exported there)."""

from __future__ import annotations

from typing import Any, List, Sequence, Tuple

from django.utils import translation

from polycache._native import build_key


def _escape_value(value: str) -> str:
    return value.replace("%", "%25").replace(",", "%2C")


def _query_pairs(request: Any) -> List[Tuple[str, str]]:
    # One pair per name; several values of one name are kept in their order (a view may
    # read them with getlist() and depend on it), each escaped so that two values "a",
    # "b" never meet one value "a,b".
    query = request.query_params if hasattr(request, "query_params") else request.GET
    return [(name, ",".join(_escape_value(v) for v in query.getlist(name))) for name in query]


def _scope(view: Any, request: Any, public: bool) -> str:
    custom = getattr(view, "get_cache_scope", None)
    if custom is not None:
        return str(custom(request))
    if public:
        return "public"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return "anon"


def resource_key(view: Any, request: Any, action: str, *, public: bool = False, extra: Sequence[str] = ()) -> str:
    """The key (inside the resource's namespace) of ``request`` to ``view``'s
    ``action``: built by the core's key builder, shortened with SHA-256 past 200
    characters."""
    renderer = getattr(request, "accepted_renderer", None)
    try:
        host = request.get_host()
    except Exception:  # DisallowedHost: Django answers it elsewhere; do not share a key
        host = "?"
    ids = [
        action,
        request.path,
        host,
        getattr(renderer, "format", "") or "",
        getattr(request, "accepted_media_type", "") or "",
        str(getattr(request, "version", "") or ""),
        translation.get_language() or "",
        *extra,
    ]
    return build_key("drf", *ids, params=_query_pairs(request), scope=_scope(view, request, public))
