"""``polycache.drf`` responses the fast path (:mod:`polycache.fast`) can find from the raw
request, without URL resolution or DRF.

A DRF response's key (:func:`polycache.drf_keys.resource_key`) comes from the view's
action, the negotiated renderer, the version, the language and the user: all decided
inside Django and DRF. So when a view opted in (``cache_response(fast=True)`` or
``cache_fast = True``) stores or serves a response, it also stores a copy for the fast
path under a key made only of what that decision was made from, raw:

- the scheme, ``Host``, server name and port, the forwarded host, port and proto
  headers, the script name, the path and the query string exactly as sent;
- ``Accept`` (renderer, ``AcceptHeaderVersioning``), ``Accept-Language`` and the
  language cookie (the language);
- the credential (``Authorization`` and the session cookie, :mod:`polycache.fast_users`),
  except on a view that is public *to everyone*: ``public=True`` and only permissions
  that let anyone read (``AllowAny``, ``IsAuthenticatedOrReadOnly``), and no
  ``Authorization`` header on the request (a bad token is answered 401 by DRF).

Two requests that differ in anything else the answer depends on get different keys, so
at worst a miss. The copy is an ``HttpResponse`` stamped like ``fast.eligible``'s: the
namespace generations the DRF key was built at (a model write retires it), and for a
per-credential copy the credential's and user's namespaces and the session expiry. It
expires when the DRF copy's freshness does.

Views whose every request must run something, or whose answer may depend on something
not in the key, are refused (no copy is written, counted in
``drf.stats()["fast_refused"]``): DRF throttles, an authentication class that reads
something else than ``Authorization`` or the session cookie (an API-key header,
``REMOTE_USER``), a custom ``get_cache_scope`` (its scope may come from anything), a
response cached in another alias than the first of ``POLYCACHE_DRF["CACHE"]`` (the one
the fast path reads).
"""

from __future__ import annotations

from hashlib import sha256
from typing import Any, Dict, List, Optional, Sequence, Tuple

from django.conf import settings
from django.http import HttpResponse
from django.http.cookie import parse_cookie
from django.utils.cache import patch_vary_headers

from polycache import fast_users
from polycache.fast_rules import STAMP

__all__ = ["Plan", "key_of", "plan", "remember"]

PREFIX = "polycache.fast.drf:"

_READ_BY_ANYONE = ("AllowAny", "IsAuthenticatedOrReadOnly")
# Authentication classes of other packages that read the Authorization header only.
_AUTHORIZATION_CLASSES = frozenset({"rest_framework_simplejwt.authentication.JWTAuthentication"})


def key_of(meta: Dict[str, Any], scheme: str, credential: str) -> str:
    """The fast path's key of a request (``META`` or a WSGI environ) and credential digest."""
    cookie = meta.get("HTTP_COOKIE", "")
    language_cookie = ""
    if cookie and settings.LANGUAGE_COOKIE_NAME in cookie:
        language_cookie = parse_cookie(cookie).get(settings.LANGUAGE_COOKIE_NAME, "")
    proxy = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else "-"
    parts = (
        scheme, meta.get("HTTP_HOST", ""), meta.get("SERVER_NAME", ""), str(meta.get("SERVER_PORT", "")),
        meta.get("HTTP_X_FORWARDED_HOST", ""), meta.get("HTTP_X_FORWARDED_PORT", ""), meta.get(proxy, ""),
        meta.get("SCRIPT_NAME", ""), meta.get("PATH_INFO", ""), meta.get("QUERY_STRING", ""),
        meta.get("HTTP_ACCEPT", ""), meta.get("HTTP_ACCEPT_LANGUAGE", ""), language_cookie, credential,
    )
    return PREFIX + sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def environ_key(environ: Dict[str, Any], public: bool) -> str:
    """The key the fast path looks up: ``public`` for the public-to-everyone copy (only
    asked for without ``Authorization``), else the per-credential one."""
    credential = "" if public else fast_users.credential_of_environ(environ)[0]
    return key_of(environ, environ.get("wsgi.url_scheme", "http"), ("public:" if public else "user:") + credential)


class Plan:
    """What a fast copy of this request will be stored under and stamped with."""

    __slots__ = ("alias", "key", "stamp")

    def __init__(self, alias: str, key: str, stamp: Tuple[Any, ...]) -> None:
        self.alias, self.key, self.stamp = alias, key, stamp


def refusal(view: Any, alias: str, first_alias: str) -> Optional[str]:
    """Why this view's responses get no fast copy, or None."""
    if alias != first_alias:
        return "alias"
    throttles = view.get_throttles() if hasattr(view, "get_throttles") else getattr(view, "throttle_classes", ())
    if throttles:
        return "throttled"
    authenticators = view.get_authenticators() if hasattr(view, "get_authenticators") else []
    if not all(_credential_in_key(a) for a in authenticators):
        return "authentication"
    if getattr(view, "get_cache_scope", None) is not None:
        return "custom-scope"
    return None


def _credential_in_key(authenticator: Any) -> bool:
    """Whether what this authenticator reads is in the fast key: the ``Authorization``
    header (DRF's token and basic authentication, simplejwt's JWT) or the session
    cookie (DRF's session authentication). Another (an API-key header, ``REMOTE_USER``)
    would let two users share a copy: such views get none."""
    from rest_framework.authentication import BasicAuthentication, SessionAuthentication, TokenAuthentication

    if isinstance(authenticator, (BasicAuthentication, SessionAuthentication, TokenAuthentication)):
        return True
    return any(f"{c.__module__}.{c.__qualname__}" in _AUTHORIZATION_CLASSES for c in type(authenticator).__mro__)


def _read_by_anyone(view: Any) -> bool:
    permissions = view.get_permissions() if hasattr(view, "get_permissions") else []
    return all(type(p).__name__ in _READ_BY_ANYONE and type(p).__module__ == "rest_framework.permissions" for p in permissions)


def plan(view: Any, request: Any, public: bool, alias: str, names: Sequence[str], generations: Sequence[Optional[int]]) -> Plan:
    """The fast copy of this request (called before the view runs, with the namespace
    generations the DRF key is built at)."""
    from polycache import drf

    meta = request.META
    scope = getattr(request, "scope", None)  # ASGIRequest: the scheme is the scope's
    scheme = scope.get("scheme", "http") if isinstance(scope, dict) else meta.get("wsgi.url_scheme", "http")
    generations_now: List[Tuple[str, Optional[int]]] = list(zip(names, generations))
    if public and not meta.get("HTTP_AUTHORIZATION") and _read_by_anyone(view):
        return Plan(alias, key_of(meta, scheme, "public:"), (alias, tuple(generations_now)))
    digest, session_ns, auth_ns = fast_users.credential_of_request(request)
    cache = drf.caches[alias]
    own = [n for n in (session_ns, auth_ns) if n]
    user = getattr(request, "user", None)  # DRF authenticated it in initial(), before the handler
    if user is not None and getattr(user, "is_authenticated", False) and user.pk is not None:
        own.append(fast_users.user_namespace(user.pk))
    generations_now += [(n, drf.generation(cache, n)) for n in own]
    per_user = (digest, fast_users.session_expiry(request))
    return Plan(alias, key_of(meta, scheme, "user:" + digest), (alias, tuple(generations_now), per_user))


def remember(plan: Plan, triple: Tuple[bytes, int, List[Tuple[str, str]]], timeout: Optional[float]) -> None:
    """Stores the fast copy of a response the DRF path stored or served, for ``timeout``
    seconds (None: until invalidated). Never raises: the DRF answer is already made."""
    if timeout is not None and timeout <= 0:
        return
    from polycache import drf

    content, status, headers = triple
    response = HttpResponse(content=content, status=status)
    for name, value in headers:
        response[name] = value
    if len(plan.stamp) > 2:  # per credential: no shared HTTP cache may keep it for others
        patch_vary_headers(response, ("Cookie", "Authorization"))
    setattr(response, STAMP, plan.stamp)
    try:
        drf.caches[plan.alias].set(plan.key, response, timeout)
    except Exception:  # too large, the store is down: the fast path misses, Django answers
        drf._count("fast_unstored")
