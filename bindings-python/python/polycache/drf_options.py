"""The options of a cached view (:func:`polycache.drf.cache_response`'s arguments, the
view's ``cache_*`` attributes, ``settings.POLYCACHE_DRF``) and the namespaces they name."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Tuple

from django.core.exceptions import ImproperlyConfigured

from polycache.drf_registry import Resource, _conf, registry

_MISSING: Any = object()


class _Options:
    __slots__ = ("resource", "public", "timeout", "depends_on", "alias", "stale", "wait", "on_timeout", "statuses", "fast")

    def __init__(
        self,
        resource: Optional[Resource] = None,
        public: Optional[bool] = None,
        timeout: Any = _MISSING,
        depends_on: Optional[Iterable[Resource]] = None,
        alias: Optional[str] = None,
        stale: Any = _MISSING,
        wait: Optional[float] = None,
        on_timeout: Optional[str] = None,
        statuses: Optional[Iterable[int]] = None,
        fast: Optional[bool] = None,
    ) -> None:
        self.resource = resource
        self.public = public
        self.timeout = timeout
        self.depends_on = None if depends_on is None else tuple(depends_on)
        self.alias = alias
        self.stale = stale
        self.wait = wait
        self.on_timeout = on_timeout
        self.statuses = None if statuses is None else frozenset(statuses)
        self.fast = fast


def _namespace_of(resource: Resource) -> str:
    if isinstance(resource, str):
        return resource
    name = registry.name_of(resource)
    if name is None:
        raise ImproperlyConfigured(
            f"polycache.drf: {resource.__name__} is not registered: call polycache.drf.register({resource.__name__}) "
            "(in AppConfig.ready()) so that its writes invalidate the cached responses, or name a namespace you "
            "invalidate yourself"
        )
    return name


def _resource_of(view: Any, opts: _Options) -> Resource:
    resource = opts.resource or getattr(view, "cache_resource", None)
    if resource is None:
        queryset = getattr(view, "queryset", None)
        if queryset is None and hasattr(view, "get_queryset"):
            queryset = view.get_queryset()
        model = getattr(queryset, "model", None)
        if model is None:
            raise ImproperlyConfigured(
                f"polycache.drf: {type(view).__name__} has no queryset: set cache_resource (a registered model or a namespace name)"
            )
        resource = model
    return resource


def _setting(view: Any, opts: _Options, field: str, attr: str, conf: str, default: Any) -> Any:
    """An option: the decorator's, else the view's ``cache_*`` attribute, else the
    setting, else ``default``. For ``timeout`` and ``stale`` None is a value (never
    expire / no stale phase); for the others None means unset."""
    unset: Tuple[Any, ...] = (_MISSING,) if field in ("timeout", "stale") else (_MISSING, None)
    value = getattr(opts, field)
    if value in unset:
        value = getattr(view, attr, _MISSING)
    if value in unset:
        value = _conf(conf, default) if conf else default
    return value
