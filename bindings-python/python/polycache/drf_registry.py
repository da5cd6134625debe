"""The model side of :mod:`polycache.drf`: namespace generations (on polycache or on any
Django cache), the registry of models -> namespaces, the signal receivers that
invalidate them on writes, and the QuerySet that invalidates on the writes Django sends
no signal for. Everything here is re-exported by :mod:`polycache.drf`."""

from __future__ import annotations

import threading
import time
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from django.conf import settings
from django.core.cache import caches
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

ModelType = Any  # a django.db.models.Model subclass
Resource = Any  # a registered model, or a namespace name (str)


def _conf(name: str, default: Any) -> Any:
    return getattr(settings, "POLYCACHE_DRF", {}).get(name, default)


def cache_aliases() -> List[str]:
    """The cache aliases polycache.drf writes to (``POLYCACHE_DRF["CACHE"]``, default
    ``"default"``); the first is where responses are cached."""
    alias = _conf("CACHE", "default")
    return [alias] if isinstance(alias, str) else list(alias)

# ---- namespace generations, on polycache or on any Django cache ------------------------


def generation_key(name: str) -> str:
    """Where a cache without namespaces (any Django cache but polycache's) keeps the
    generation of namespace ``name``."""
    return f"polycache.drf.generation:{name}"


def generation(cache: Any, name: str) -> Optional[int]:
    """The namespace's current generation; None when it cannot be known (then nothing is
    cached)."""
    namespace = getattr(cache, "namespace", None)
    if namespace is not None:
        gen = namespace(name).generation
        return gen() if callable(gen) else gen  # TieredCache: a method
    key = generation_key(name)
    gen = cache.get(key)
    if gen is None:
        # A clock stamp, not 1: a counter lost to eviction never comes back to a value
        # it had before.
        cache.add(key, time.time_ns(), None)
        gen = cache.get(key)
    return gen if isinstance(gen, int) else None


def _bump(cache: Any, name: str) -> None:
    namespace = getattr(cache, "namespace", None)
    if namespace is not None:
        namespace(name).invalidate()
        return
    key = generation_key(name)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), None)


# ---- the registry: models -> namespaces ------------------------------------------------


def _label(model: ModelType) -> str:
    return model._meta.label_lower


class Registry:
    """Which namespace each model's responses live in, and which models a write to a
    model invalidates."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: Dict[ModelType, str] = {}
        self._affects: Dict[ModelType, Set[ModelType]] = {}
        self._connected: Set[Tuple[str, Any]] = set()

    def register(self, model: ModelType, *, name: Optional[str] = None, affects: Iterable[ModelType] = ()) -> ModelType:
        """Registers ``model``: its writes invalidate its namespace (``name``, by default
        the model's ``app_label.modelname``) and those of the models it ``affects``.
        Idempotent; call it from ``AppConfig.ready()``. Returns the model (usable as a
        class decorator)."""
        concrete = model._meta.concrete_model
        with self._lock:
            if concrete is not model and concrete in self._names and name is None:
                name = self._names[concrete]
            self._names[model] = name or self._names.get(model) or _label(model)
            self._affects.setdefault(model, set()).update(affects)
        uid = f"polycache.drf:{_label(model)}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid, weak=False)
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid, weak=False)
        for field in model._meta.get_fields(include_hidden=True):
            if not field.many_to_many:
                continue
            through = getattr(field, "through", None) or getattr(field.remote_field, "through", None)
            if isinstance(through, type):
                m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"polycache.drf.m2m:{_label(through)}", weak=False)
        return model

    def name_of(self, model: ModelType) -> Optional[str]:
        """The namespace of a registered model (or of its concrete model), else None."""
        with self._lock:
            name = self._names.get(model)
            if name is None:
                name = self._names.get(model._meta.concrete_model)
            return name

    def affected(self, model: ModelType) -> Set[str]:
        """The namespaces a write to ``model`` invalidates (it and what it affects,
        transitively)."""
        out: Set[str] = set()
        seen: Set[ModelType] = set()
        todo = [model, model._meta.concrete_model]
        with self._lock:
            while todo:
                m = todo.pop()
                if m in seen:
                    continue
                seen.add(m)
                name = self._names.get(m)
                if name is not None:
                    out.add(name)
                todo.extend(self._affects.get(m, ()))
        return out

    def invalidate(self, *targets: Resource, using: Optional[str] = None) -> Set[str]:
        """Invalidates in O(1) every response cached for ``targets`` (registered models,
        or namespace names), at once and, inside a transaction of ``using``, again on
        commit. The namespaces invalidated."""
        names: Set[str] = set()
        for target in targets:
            names |= {target} if isinstance(target, str) else self.affected(target)
        if not names:
            return names

        def bump() -> None:
            for alias in cache_aliases():
                cache = caches[alias]
                for name in names:
                    _bump(cache, name)

        bump()
        if transaction.get_connection(using).in_atomic_block:
            transaction.on_commit(bump, using=using)
        return names


registry = Registry()
register = registry.register


def invalidate(*targets: Resource, using: Optional[str] = None) -> Set[str]:
    """Invalidates every cached response of the given models (and the models they
    affect) or namespace names, in O(1): after ``QuerySet.update()`` on a model whose
    manager is not an :class:`InvalidatingQuerySet`, raw SQL, a migration, another
    process's write. Returns the namespaces invalidated."""
    return registry.invalidate(*targets, using=using)


def _on_write(sender: ModelType, using: Optional[str] = None, **kwargs: Any) -> None:
    registry.invalidate(sender, using=using)


def _on_m2m(sender: Any, instance: Any, action: str, model: Any = None, using: Optional[str] = None, **kwargs: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        targets = [type(instance)] + ([model] if isinstance(model, type) else [])
        registry.invalidate(*targets, sender, using=using)


# ---- writes Django sends no signal for -------------------------------------------------


class InvalidatingQuerySetMixin:
    """Makes ``update()``, ``bulk_create()`` and ``bulk_update()`` (and their ``a*``
    twins, which call them) invalidate the model's namespaces, as ``save()`` does
    through the signals."""

    model: Any
    db: str

    def update(self, **kwargs: Any) -> int:
        rows = super().update(**kwargs)  # type: ignore[misc]
        registry.invalidate(self.model, using=self.db)
        return rows

    def bulk_create(self, objs: Iterable[Any], *args: Any, **kwargs: Any) -> List[Any]:
        created = super().bulk_create(objs, *args, **kwargs)  # type: ignore[misc]
        registry.invalidate(self.model, using=self.db)
        return created

    def bulk_update(self, objs: Iterable[Any], fields: Sequence[str], *args: Any, **kwargs: Any) -> int:
        rows = super().bulk_update(objs, fields, *args, **kwargs)  # type: ignore[misc]
        registry.invalidate(self.model, using=self.db)
        return rows

    def _raw_delete(self, using: str) -> int:
        # Only reached by fast deletes (no signal receivers for the model).
        rows = super()._raw_delete(using)  # type: ignore[misc]
        registry.invalidate(self.model, using=using)
        return rows


class InvalidatingQuerySet(InvalidatingQuerySetMixin, models.QuerySet):
    pass


InvalidatingManager = models.Manager.from_queryset(InvalidatingQuerySet)
