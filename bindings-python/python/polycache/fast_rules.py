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
from typing import Any, Callable, Dict, Iterable, Optional, Tuple

from django.core.cache import caches
from django.utils.cache import cc_delim_re, patch_vary_headers

__all__ = ["dynamic_refusal", "eligible", "refusal", "static_refusal", "StampCheck", "STAMP"]

#: The attribute ``eligible`` sets on a response: ``(alias, ((namespace, generation),
#: ...))``, and for a per-user copy a third item ``(credential digest, session expiry)``.
STAMP = "_polycache_fast"

Generations = Tuple[Tuple[str, Optional[int]], ...]
Stamp = Tuple[Any, ...]

# A copy that varies per credential (Cookie: sessions, Authorization: tokens) is served
# only when the view declared it per-user (then by credential), never when it varies on *.
_PER_USER_VARY = frozenset({"cookie", "authorization"})


def _namespace(resource: Any) -> str:
    if isinstance(resource, str):
        return resource
    from polycache import drf

    name = drf.registry.name_of(resource)
    if name is None:
        raise ValueError(f"polycache.fast: {resource!r} is not registered with polycache.drf.register()")
    return name


def _generations(alias: str, names: Tuple[str, ...]) -> Generations:
    from polycache import drf

    cache = caches[alias]
    return tuple((name, drf.generation(cache, name)) for name in names)


def eligible(
    view: Optional[Callable[..., Any]] = None,
    *,
    depends_on: Iterable[Any] = (),
    cache: Optional[str] = None,
    per_user: bool = False,
) -> Any:
    """Declares that the responses of a view may be served by the fast path. Place it
    *inside* ``cache_page`` (``@cache_page(60)`` above ``@fast.eligible``) so the stamp is
    stored with the copy; on a class-based view use ``method_decorator``. Sync and
    ``async def`` views.

    ``depends_on``: models registered with ``polycache.drf.register`` (or namespace
    names); a write to any of them makes the fast path drop the copy and let Django
    compute a new one. ``cache``: the alias holding those namespaces (default: the
    first of ``POLYCACHE_DRF["CACHE"]``).

    ``per_user``: the copies are per credential (the page shows the user's own data).
    The response gets ``Vary: Cookie, Authorization`` (so ``cache_page`` keys it by
    both), and the fast path serves a copy only to a request carrying the same
    ``Authorization`` header and session cookie, before the session expires, and until
    that session, that token or that user is revoked (:mod:`polycache.fast_users`).
    Without it, copies varying on ``Cookie``/``Authorization`` are never served fast.

    Only mark views that need nothing to run on each request (no throttle, no per-request
    permission check, no side effect): a marked copy is served without them.
    """
    names = tuple(_namespace(r) for r in depends_on)
    if per_user:
        from polycache.fast_users import watch_credentials

        watch_credentials()

    def alias_of() -> str:
        if cache is not None:
            return cache
        from polycache import drf

        return drf.cache_aliases()[0]

    def user_pk(request: Any) -> Any:
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user.pk
        return None

    def before(request: Any, sync: bool = True) -> Tuple[str, Generations, Any]:
        # Read before the view reads any row (or the credential's state).
        alias = alias_of()
        if not per_user:
            return alias, _generations(alias, names), None
        from polycache.fast_users import credential_of_request, user_namespace

        digest, session_ns, auth_ns = credential_of_request(request)
        own = tuple(n for n in (session_ns, auth_ns) if n)
        pk = None
        if sync:  # AuthenticationMiddleware's user (a session's), known before the view
            try:
                pk = user_pk(request)
            except Exception:  # the view will meet it and answer as it does
                pk = None
        generations = _generations(alias, names + own + ((user_namespace(pk),) if pk is not None else ()))
        return alias, generations, (digest, pk)

    def stamp(request: Any, response: Any, read: Tuple[str, Generations, Any]) -> None:
        alias, generations, credential = read
        if not per_user:
            setattr(response, STAMP, (alias, generations))
            return
        from polycache.fast_users import session_expiry, user_namespace

        patch_vary_headers(response, ("Cookie", "Authorization"))
        digest, pk_before = credential
        pk = user_pk(request)
        if pk is not None and pk != pk_before:
            # Authenticated inside the view (DRF's token under cache_page): its
            # generation can only be read now (docs/fast.md: the window this leaves).
            generations = generations + _generations(alias, (user_namespace(pk),))
        setattr(response, STAMP, (alias, generations, (digest, session_expiry(request))))

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def astamped(request: Any, *args: Any, **kwargs: Any) -> Any:
                read = before(request, sync=False)
                response = await fn(request, *args, **kwargs)
                if per_user:
                    from asgiref.sync import sync_to_async

                    await sync_to_async(stamp)(request, response, read)  # may read the session
                else:
                    stamp(request, response, read)
                return response

            return astamped

        @functools.wraps(fn)
        def stamped(request: Any, *args: Any, **kwargs: Any) -> Any:
            read = before(request)
            response = fn(request, *args, **kwargs)
            stamp(request, response, read)
            return response

        return stamped

    return decorate(view) if view is not None else decorate


def _cache_control(response: Any) -> set:
    value = response.get("Cache-Control", "")
    return {d.strip().split("=", 1)[0].lower() for d in cc_delim_re.split(value) if d.strip()}


def static_refusal(response: Any) -> Optional[str]:
    """The reasons a copy is refused whoever asks (its stamp, cookies, ``Cache-Control``
    and ``Vary``): a function of its headers and stamp kind only, so the fast path
    remembers the answer per distinct set of headers."""
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
    if "*" in vary or (vary & _PER_USER_VARY and len(stamp) <= 2):
        return "per-user-vary"
    return None


class StampCheck:
    """A stamp, read once: what :func:`dynamic_refusal` checks of it on each request
    (the fast path keeps one per stored copy)."""

    __slots__ = ("alias", "before", "names", "per_user", "unknown")

    def __init__(self, stamp: Stamp) -> None:
        self.alias, self.before = stamp[0], stamp[1]
        self.names = tuple(name for name, _ in self.before)
        self.unknown = any(gen is None for _, gen in self.before)
        self.per_user = stamp[2] if len(stamp) > 2 else None

    def refusal(self, environ: Dict[str, Any], generations: Callable[[str, Tuple[str, ...]], Generations]) -> Optional[str]:
        if self.per_user is not None:
            from polycache import fast_users

            digest, expires = self.per_user
            if fast_users.credential_of_environ(environ)[0] != digest:
                return "credential"
            if expires is not None and fast_users.clock() >= expires:
                return "session-expired"
        if self.names and (self.unknown or generations(self.alias, self.names) != self.before):
            return "stale"
        return None


def dynamic_refusal(stamp: Stamp, environ: Dict[str, Any], generations: Callable[[str, Tuple[str, ...]], Generations] = _generations) -> Optional[str]:
    """The reasons a copy is refused to this request now: another credential, a session
    past its expiry, a namespace invalidated since the copy was made (``"stale"``)."""
    return StampCheck(stamp).refusal(environ, generations)


def refusal(response: Any, environ: Dict[str, Any]) -> Optional[str]:
    """Why a stored response must not be served by the fast path to the request of
    ``environ`` (a WSGI environ or an ASGI request's ``META``), or None when it may."""
    return static_refusal(response) or dynamic_refusal(getattr(response, STAMP), environ)
