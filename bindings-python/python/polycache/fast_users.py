"""Per-user copies for the fast path (:mod:`polycache.fast`): the credential a copy was
keyed by, and a namespace per credential and per user that revocations invalidate.

A view marked ``fast.eligible(per_user=True)`` stamps each copy with

- the digest of the request's credential: its ``Authorization`` header and its session
  cookie (``SESSION_COOKIE_NAME``), both taken raw from the request, so the fast path
  computes the same digest from a WSGI environ without Django;
- the generations of ``polycache.fast.session:<digest>`` and ``polycache.fast.auth:<digest>``
  (one namespace per credential) and of ``polycache.fast.user:<pk>`` (the user the view
  saw), read when the view ran;
- the session's expiry, when the request had a session.

The fast path serves such a copy only to a request with the same credential digest,
before the session's expiry, and while none of those namespaces moved. The receivers
connected by :func:`watch_credentials` move them:

- ``user_logged_out``: the request's session and ``Authorization`` namespaces, and the
  user's;
- ``post_delete`` of a ``Session`` row (``flush()``, ``cycle_key()``, ``clearsessions``,
  the session store's ``delete()``): that session's namespace;
- ``post_save`` / ``post_delete`` of the user model (a password change, ``is_active``,
  any edit, ``last_login`` at each login) and ``m2m_changed`` of its ``groups`` and
  ``user_permissions``: the user's (a change to a group's own permissions is not seen);
- ``post_delete`` of DRF's ``Token``: its user's.

Everything is bumped in the caches ``polycache.drf`` invalidates (``POLYCACHE_DRF["CACHE"]``).
"""

from __future__ import annotations

import threading
import time
from hashlib import sha256
from typing import Any, Callable, Dict, Optional, Tuple

from django.conf import settings
from django.http.cookie import parse_cookie

__all__ = ["credential", "credential_of_request", "revoke", "user_namespace", "watch_credentials"]

# (digest of the credential, session namespace or None, auth namespace or None)
Credential = Tuple[str, Optional[str], Optional[str]]

_NONE: Credential = ("", None, None)

#: The clock session expiries are compared with (Unix seconds); tests replace it.
clock: Callable[[], float] = time.time


def _digest(value: str) -> str:
    return sha256(value.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def credential(authorization: Optional[str], cookie_header: Optional[str]) -> Credential:
    """The credential of a request from its raw ``Authorization`` and ``Cookie`` header
    values: ``("", None, None)`` when it carries neither."""
    session = parse_cookie(cookie_header).get(settings.SESSION_COOKIE_NAME) if cookie_header else None
    if not authorization and not session:
        return _NONE
    auth_ns = f"polycache.fast.auth:{_digest(authorization)}" if authorization else None
    session_ns = f"polycache.fast.session:{_digest(session)}" if session else None
    return _digest(f"{authorization or ''}\0{session or ''}"), session_ns, auth_ns


def credential_of_environ(environ: Dict[str, Any]) -> Credential:
    return credential(environ.get("HTTP_AUTHORIZATION"), environ.get("HTTP_COOKIE"))


def credential_of_request(request: Any) -> Credential:
    meta = request.META
    return credential(meta.get("HTTP_AUTHORIZATION"), meta.get("HTTP_COOKIE"))


def user_namespace(pk: Any) -> str:
    return f"polycache.fast.user:{pk}"


def session_expiry(request: Any) -> Optional[float]:
    """When the request's session stops being valid (Unix seconds), or None when the
    request has no session. The stored expiry where the backend keeps one (database
    sessions), else the one ``get_expiry_date()`` computes now (never later than it)."""
    session = getattr(request, "session", None)
    if session is None or not getattr(session, "session_key", None):
        return None
    expiry = session.get_expiry_date().timestamp()
    load = getattr(session, "_get_session_from_db", None)
    if load is not None:
        row = load()
        if row is None:
            return clock()  # gone already: nothing to serve
        expiry = min(expiry, row.expire_date.timestamp())
    return expiry


def revoke(*names: Optional[str]) -> None:
    """Invalidates these namespaces (None entries skipped) in every cache polycache.drf
    invalidates."""
    from polycache import drf

    todo = [n for n in names if n]
    if todo:
        drf.invalidate(*todo)


# ---- the receivers ---------------------------------------------------------------------


def _on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    _, session_ns, auth_ns = credential_of_request(request) if request is not None else _NONE
    revoke(session_ns, auth_ns, user_namespace(user.pk) if user is not None and user.pk is not None else None)


def _on_session_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    revoke(f"polycache.fast.session:{_digest(instance.session_key)}")


def _on_user_written(sender: Any, instance: Any, **kwargs: Any) -> None:
    if instance.pk is not None:
        revoke(user_namespace(instance.pk))


def _on_user_m2m(sender: Any, instance: Any, action: str, reverse: bool, model: Any, pk_set: Any = None, **kwargs: Any) -> None:
    if not reverse:  # user.groups.add(...), .remove(...), .clear()
        if action in ("post_add", "post_remove", "post_clear"):
            revoke(user_namespace(instance.pk))
    elif action in ("post_add", "post_remove"):  # group.user_set.add(...)
        revoke(*(user_namespace(pk) for pk in pk_set or ()))
    elif action == "pre_clear":  # group.user_set.clear(): its users are gone by post_clear
        fields = sender._meta.fields
        user_field = next(f.name for f in fields if f.related_model is model)
        other_field = next(f.name for f in fields if f.related_model is type(instance))
        pks = sender.objects.filter(**{other_field: instance}).values_list(user_field, flat=True)
        revoke(*(user_namespace(pk) for pk in pks))


def _on_token_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    revoke(user_namespace(instance.user_id))


_watch_lock = threading.Lock()
_watching = [False]


def watch_credentials() -> None:
    """Connects the receivers that make per-user copies unreachable on logout, session
    deletion, user writes and token deletion. Idempotent; ``fast.eligible(per_user=True)``
    calls it, and a project should call it from ``AppConfig.ready()`` so that every
    process (a management command changing a password too) has them."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import m2m_changed, post_delete, post_save

    with _watch_lock:
        if _watching[0]:
            return
        _watching[0] = True
    user_logged_out.connect(_on_logged_out, dispatch_uid="polycache.fast.logged_out", weak=False)
    user = get_user_model()
    post_save.connect(_on_user_written, sender=user, dispatch_uid="polycache.fast.user_saved", weak=False)
    post_delete.connect(_on_user_written, sender=user, dispatch_uid="polycache.fast.user_deleted", weak=False)
    for name in ("groups", "user_permissions"):  # what permission checks read
        field = getattr(user, name, None)
        through = getattr(field, "through", None)
        if through is not None:
            m2m_changed.connect(_on_user_m2m, sender=through, dispatch_uid=f"polycache.fast.user_{name}", weak=False)
    if apps.is_installed("django.contrib.sessions"):
        from django.contrib.sessions.models import Session

        post_delete.connect(_on_session_deleted, sender=Session, dispatch_uid="polycache.fast.session", weak=False)
    if apps.is_installed("rest_framework.authtoken"):
        from rest_framework.authtoken.models import Token

        post_delete.connect(_on_token_deleted, sender=Token, dispatch_uid="polycache.fast.token", weak=False)
