"""Namespace views of the Django backend: the native namespace, plus ``get_or_set``
(stampede-protected, generation-pinned) and the batch calls.

``PolyCache.namespace(name)`` returns a :class:`NamespaceView`. Single-key calls go
straight to the native ``Namespace`` (which reads the generation current at the call).
``get_or_set`` reads the generation once, *before* it computes, and stores under that
generation: a value computed from data read before an ``invalidate()`` and stored after
it lands in the old generation, which nobody reads, instead of being served as fresh.

``pin()`` gives the same guarantee to a hand-written read-compute-store cycle.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional

from polycache import _native
from polycache._native import namespaced_key

__all__ = ["NamespaceView", "PinnedNamespace"]

_MISSING: Any = object()


class PinnedNamespace:
    """A namespace at one generation: every call reads and writes that generation's keys.

    Take it before reading the data a value is computed from; a ``set`` made after an
    ``invalidate()`` that happened meanwhile goes to the old generation and is never read.
    """

    __slots__ = ("_cache", "name", "generation")

    def __init__(self, cache: Any, name: str, generation: int) -> None:
        self._cache = cache
        self.name = name
        self.generation = generation

    def key(self, key: Any) -> str:
        """The key the cache holds for ``key`` at this generation (before the cache's
        own prefix and version)."""
        return namespaced_key(self.name, self.generation, str(key))

    def get(self, key: Any, default: Any = None, version: Optional[int] = None) -> Any:
        return self._cache.get(self.key(key), default, version)

    def set(self, key: Any, value: Any, timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None) -> None:
        if timeout is _native.DEFAULT_TIMEOUT:
            self._cache.set(self.key(key), value, version=version)
        else:
            self._cache.set(self.key(key), value, timeout, version)

    def add(self, key: Any, value: Any, timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None) -> bool:
        if timeout is _native.DEFAULT_TIMEOUT:
            return bool(self._cache.add(self.key(key), value, version=version))
        return bool(self._cache.add(self.key(key), value, timeout, version))

    def delete(self, key: Any, version: Optional[int] = None) -> bool:
        return bool(self._cache.delete(self.key(key), version))

    def get_or_set(self, key: Any, default: Any, timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None, **options: Any) -> Any:
        if timeout is _native.DEFAULT_TIMEOUT:
            return self._cache.get_or_set(self.key(key), default, version=version, **options)
        return self._cache.get_or_set(self.key(key), default, timeout, version, **options)

    async def aget_or_set(
        self, key: Any, default: Any, timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None, **options: Any
    ) -> Any:
        if timeout is _native.DEFAULT_TIMEOUT:
            return await self._cache.aget_or_set(self.key(key), default, version=version, **options)
        return await self._cache.aget_or_set(self.key(key), default, timeout, version, **options)

    def get_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Dict[Any, Any]:
        wanted = {self.key(k): k for k in keys}
        found = self._cache.get_many(list(wanted), version)
        return {wanted[k]: v for k, v in found.items()}

    def set_many(self, data: Dict[Any, Any], timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None) -> List[Any]:
        full = {self.key(k): v for k, v in data.items()}
        if timeout is _native.DEFAULT_TIMEOUT:
            failed = self._cache.set_many(full, version=version)
        else:
            failed = self._cache.set_many(full, timeout, version)
        back = {self.key(k): k for k in data}
        return [back[k] for k in failed]

    def delete_many(self, keys: Iterable[Any], version: Optional[int] = None) -> None:
        self._cache.delete_many([self.key(k) for k in keys], version)

    def __repr__(self) -> str:
        return f"<PinnedNamespace {self.name!r} generation {self.generation}>"


class NamespaceView:
    """The keys of namespace ``name`` of a Django backend (``PolyCache.namespace(name)``).

    ``get``, ``set``, ``add``, ``touch``, ``ttl``, ``delete``, ``has_key``, ``incr``,
    ``decr``, ``generation`` and ``invalidate()`` (O(1)) are the native namespace's;
    ``get_or_set`` / ``aget_or_set`` (one computation among concurrent misses, stored in
    the generation it missed at), ``get_many`` / ``set_many`` / ``delete_many`` and
    ``pin()`` are added here.
    """

    __slots__ = ("_cache", "_ns", "get", "set", "add", "touch", "ttl", "delete", "has_key", "incr", "decr")

    def __init__(self, cache: Any, ns: _native.Namespace) -> None:
        self._cache = cache
        self._ns = ns
        # Bound native methods: no Python frame on the single-key calls.
        self.get = ns.get
        self.set = ns.set
        self.add = ns.add
        self.touch = ns.touch
        self.ttl = ns.ttl
        self.delete = ns.delete
        self.has_key = ns.has_key
        self.incr = ns.incr
        self.decr = ns.decr

    @property
    def name(self) -> str:
        return self._ns.name

    @property
    def generation(self) -> int:
        return self._ns.generation

    def invalidate(self) -> int:
        """Drops every key of the namespace in O(1); the new generation."""
        return self._ns.invalidate()

    def __contains__(self, key: Any) -> bool:
        return self._ns.has_key(key)

    def pin(self) -> PinnedNamespace:
        """This namespace at its current generation (see :class:`PinnedNamespace`)."""
        return PinnedNamespace(self._cache, self._ns.name, self._ns.generation)

    def get_or_set(self, key: Any, default: Any, timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None, **options: Any) -> Any:
        """The backend's ``get_or_set`` (see :mod:`polycache.stampede`) on the key at the
        generation current now, before ``default`` is computed."""
        return self.pin().get_or_set(key, default, timeout, version, **options)

    async def aget_or_set(
        self, key: Any, default: Any, timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None, **options: Any
    ) -> Any:
        return await self.pin().aget_or_set(key, default, timeout, version, **options)

    def get_many(self, keys: Iterable[Any], version: Optional[int] = None) -> Dict[Any, Any]:
        return self.pin().get_many(keys, version)

    def set_many(self, data: Dict[Any, Any], timeout: Any = _native.DEFAULT_TIMEOUT, version: Optional[int] = None) -> List[Any]:
        return self.pin().set_many(data, timeout, version)

    def delete_many(self, keys: Iterable[Any], version: Optional[int] = None) -> None:
        self.pin().delete_many(keys, version)

    def __repr__(self) -> str:
        return f"<Namespace {self.name!r} generation {self.generation}>"

