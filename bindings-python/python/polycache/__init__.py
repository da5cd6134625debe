"""polycache: one cache core written in Rust, with the same rules in every language.

For Python: :class:`Cache`, a fast, bounded, thread-safe in-process cache with Django's
timeout rules, namespaces with O(1) invalidation and statistics, usable without Django;
and ``polycache.django.PolyCache``, a drop-in Django ``CACHES`` backend.

>>> cache = Cache(max_entries=1000, default_timeout=60)
>>> cache.set("greeting", "hello")
>>> cache.get("greeting")
'hello'
>>> books = cache.namespace("books")
>>> books.set("list:1", [1, 2, 3])
>>> books.invalidate()  # every key of the namespace is gone, in O(1)
2
>>> books.get("list:1") is None
True
"""

from __future__ import annotations

import fnmatch
from typing import Iterator, List

from polycache import _native
from polycache._native import (
    DEFAULT_MAX_KEY_LENGTH,
    DEFAULT_TIMEOUT,
    ENTRY_OVERHEAD,
    MEMCACHE_MAX_KEY_LENGTH,
    InvalidConfigError,
    InvalidTimeoutError,
    Namespace,
    SnapshotError,
    Store,
    ValueTooLargeError,
    __version__,
    build_key,
    entry_charge,
    key_warnings,
    make_key,
    namespaced_key,
    shorten_key,
    timeout_expiry,
)

__all__ = [
    "Cache",
    "Namespace",
    "Store",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_KEY_LENGTH",
    "ENTRY_OVERHEAD",
    "MEMCACHE_MAX_KEY_LENGTH",
    "InvalidConfigError",
    "InvalidTimeoutError",
    "SnapshotError",
    "ValueTooLargeError",
    "build_key",
    "entry_charge",
    "key_warnings",
    "make_key",
    "namespaced_key",
    "shorten_key",
    "timeout_expiry",
    "__version__",
]


class Cache(_native.Cache):
    """A bounded, thread-safe cache of Python values with timeouts in seconds.

    ``Cache(max_entries=10_000, *, max_bytes=None, default_timeout=300,
    eviction="adaptive", cull_frequency=3, clock=None, values="compact", compress_min_length=None)``

    Timeouts follow Django: ``None`` never expires, ``0`` or less is already expired,
    fractions are allowed. ``str``, ``bytes``, ``int``, ``float``, ``bool`` and ``None``
    are stored as they are; JSON-like values (dicts, lists and tuples of those) are kept
    in polycache's own encoding and rebuilt on every read (``values="copy"``: as a private
    copy of their containers, larger; ``values="pickle"``: pickled), and other values
    are pickled; so mutating a value after ``set`` or ``get`` never changes
    what the cache holds. With ``compress_min_length=N``, a pickle of at least N bytes is
    (or a compact encoding) kept LZ4-compressed when that saves an eighth or more (each read decompresses it),
    against the first 1 KB of pickles the store compressed once it has them.

    >>> c = Cache(max_entries=2)
    >>> c.set("a", 1); c.set("b", 2); c.get("a"); c.set("c", 3)
    1
    >>> sorted(c.keys())
    ['a', 'c']
    >>> c.incr("a", 10)
    11

    ``dump(key=None)`` gives the whole cache as snapshot bytes every polycache binding
    reads (signed with HMAC-SHA256 under ``key``, at least 16 bytes); ``load(data,
    key=None, allow_unsigned=False, max_age=None)`` replaces the entries with a
    snapshot's, refusing one made more than ``max_age`` seconds ago. Pickled values are
    only unpickled from a snapshot whose signature verified under ``key``:

    >>> snap = c.dump(key="a secret of 16+ bytes")
    >>> other = Cache()
    >>> other.load(snap, key="a secret of 16+ bytes")
    {'verified': True, 'entries': 2, 'skipped_pickles': 0, 'skipped_unknown': 0}
    >>> other.get("a"), other.get("c")
    (11, 3)

    With ``values="compact"`` (the default), JSON-like values are kept in polycache's own encoding,
    smaller than their pickle (field names are stored once per store), and every read
    rebuilds them:

    >>> rows = Cache(values="compact")
    >>> rows.set("page", [{"id": 1, "tags": ["a"]}, {"id": 2, "tags": []}])
    >>> page = rows.get("page"); page[0]["tags"].append("b"); rows.get("page")
    [{'id': 1, 'tags': ['a']}, {'id': 2, 'tags': []}]
    """

    __slots__ = ()

    def keys(self, pattern: str = "*") -> List[str]:
        """Live keys matching a glob ``pattern`` (``*``, ``?``, ``[abc]``), most recent first.

        >>> c = Cache(); c.set("user:1", "a"); c.set("post:1", "b")
        >>> c.keys("user:*")
        ['user:1']
        """
        keys = self.live_keys()
        if pattern == "*":
            return keys
        return [k for k in keys if fnmatch.fnmatchcase(k, pattern)]

    def iter_keys(self, pattern: str = "*") -> Iterator[str]:
        """Like :meth:`keys`, as an iterator."""
        return iter(self.keys(pattern))

    def delete_pattern(self, pattern: str) -> int:
        """Deletes every live key matching ``pattern``; how many.

        >>> c = Cache(); c.set("user:1", "a"); c.set("user:2", "b"); c.set("x", 1)
        >>> c.delete_pattern("user:*")
        2
        """
        return self.delete_many(self.keys(pattern))

    def __repr__(self) -> str:
        return f"<polycache.Cache {len(self)} entries, max_entries={self.max_entries}, eviction={self.eviction!r}>"
