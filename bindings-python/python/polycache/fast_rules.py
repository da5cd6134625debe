"""What the fast path (:mod:`polycache.fast`) may serve: the opt-in stamp a view puts on
its responses, and the checks a stored response must pass before it is served without
Django.

The stamp travels inside the response ``cache_page`` pickles (an attribute of the
``HttpResponse``), so eligibility is decided by the view that produced the copy, not by
a URL list that can drift from the code. It also carries the generations of the
``polycache.drf`` namespaces the view depends on, read *before* the view ran: a copy
computed from rows a write has since changed is recognised as stale whenever it was
stored.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, Callable, Iterable, Optional, Tuple

from django.core.cache import caches
from django.utils.cache import cc_delim_re

__all__ = ["eligible", "refusal", "STAMP"]

#: The attribute ``eligible`` sets on a response: ``(alias, ((namespace, generation), ...))``.
STAMP = "_polycache_fast"

Stamp = Tuple[str, Tuple[Tuple[str, Optional[int]], ...]]

# A copy kept per credential (Cookie: sessions, Authorization: tokens) is not served:
# the fast path does not key copies by credential (docs/fast.md).
_PER_USER_VARY = frozenset({"cookie", "authorization", "*"})


def _namespace(resource: Any) -> str:
    if isinstance(resource, str):
        return resource
    from polycache import drf

    name = drf.registry.name_of(resource)
    if name is None:
        raise ValueError(f"polycache.fast: {resource!r} is not registered with polycache.drf.register()")
    return name


def _generations(alias: str, names: Tuple[str, ...]) -> Tuple[Tuple[str, Optional[int]], ...]:
    from polycache import drf

    cache = caches[alias]
    return tuple((name, drf.generation(cache, name)) for name in names)


def eligible(
    view: Optional[Callable[..., Any]] = None,
    *,
    depends_on: Iterable[Any] = (),
    cache: Optional[str] = None,
) -> Any:
    """Declares that the responses of a view may be served by the fast path. Place it
    *inside* ``cache_page`` (``@cache_page(60)`` above ``@fast.eligible``) so the stamp is
    stored with the copy; on a class-based view use ``method_decorator``. Sync and
    ``async def`` views.

    ``depends_on``: models registered with ``polycache.drf.register`` (or namespace
    names); a write to any of them makes the fast path drop the copy and let Django
    compute a new one. ``cache``: the alias holding those namespaces (default: the
    first of ``POLYCACHE_DRF["CACHE"]``).

    Only mark views that need nothing to run on each request (no throttle, no per-request
    permission check, no side effect): a marked copy is served without them.
    """
    names = tuple(_namespace(r) for r in depends_on)

    def generations_now() -> Stamp:
        alias = cache
        if alias is None:
            from polycache import drf

            alias = drf.cache_aliases()[0]
        return alias, _generations(alias, names)

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def astamped(request: Any, *args: Any, **kwargs: Any) -> Any:
                before = generations_now()  # before the view reads any row
                response = await fn(request, *args, **kwargs)
                setattr(response, STAMP, before)
                return response

            return astamped

        @functools.wraps(fn)
        def stamped(request: Any, *args: Any, **kwargs: Any) -> Any:
            before = generations_now()  # before the view reads any row
            response = fn(request, *args, **kwargs)
            setattr(response, STAMP, before)
            return response

        return stamped

    return decorate(view) if view is not None else decorate


def _cache_control(response: Any) -> set:
    value = response.get("Cache-Control", "")
    return {d.strip().split("=", 1)[0].lower() for d in cc_delim_re.split(value) if d.strip()}


def refusal(response: Any) -> Optional[str]:
    """Why a stored response must not be served by the fast path, or None when it may."""
    stamp = getattr(response, STAMP, None)
    if stamp is None:
        return "not-eligible"
    if getattr(response, "streaming", False):
        return "streaming"
    if response.cookies or response.has_header("Set-Cookie"):
        return "set-cookie"
    directives = _cache_control(response)
    if "private" in directives:
        return "private"
    if "no-store" in directives:
        return "no-store"
    vary = {v.strip().lower() for v in cc_delim_re.split(response.get("Vary", "")) if v.strip()}
    if vary & _PER_USER_VARY:
        return "per-user-vary"
    alias, before = stamp
    if before:
        names = tuple(name for name, _ in before)
        if any(gen is None for _, gen in before) or _generations(alias, names) != before:
            return "stale"
    return None
