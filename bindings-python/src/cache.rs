//! `_native.Cache`: a handle on a thread-safe core cache.
//!
//! Several handles may share one store (Django's caches with the same LOCATION); each
//! has its own bounds, default timeout and key rules, as Django's instances do. A handle
//! applies its bounds to the store before each write. This file is the Python face; the
//! work is in `ops.rs` (one key), `cache_many.rs` (many keys), `cache_build.rs` (making a
//! handle, its bounds) and `snapshot.rs` (dump and load).

use std::sync::{Arc, Mutex};

use polycache::{Config, Timeout};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};

use crate::keys::KeyMode;
use crate::namespace::Namespace;
use crate::ops::{negate, Write};
use crate::store::{config_of, stats_dict, values_of};
use crate::timeout::TimeoutArg;
use crate::value::{Value, ValueRules};

pub(crate) type Shared = Arc<polycache::Cache<Value>>;

/// A bounded, thread-safe cache of Python values (the base of `polycache.Cache`).
///
/// >>> c = Cache(max_entries=2); c.set("a", 1); c.set("b", 2); c.get("a"); c.set("c", 3)
/// 1
/// >>> c.live_keys(), c.stats()["evictions"]
/// (['c', 'a'], 1)
#[pyclass(module = "polycache._native", frozen, subclass)]
pub struct Cache {
    pub(crate) shared: Shared,
    pub(crate) config: Mutex<Config>,
    pub(crate) default_timeout: Timeout,
    pub(crate) keys: KeyMode,
    /// The host's "use the default timeout" object (Django's `DEFAULT_TIMEOUT`).
    pub(crate) marker: Option<Py<PyAny>>,
    /// `values=` (`value.rs`, `Trees`) and `compress_min_length` (`compress.rs`).
    pub(crate) values: ValueRules,
}

#[pymethods]
impl Cache {
    /// A thread-safe cache: the scan-resistant adaptive policy (`eviction="adaptive"`,
    /// the default), LRU (`eviction="lru"`) or Django's batch cull (`eviction="cull"`),
    /// bounded by `max_entries` and optionally by `max_bytes`.
    /// `default_timeout` is in seconds (None: never expire); `clock` is a callable
    /// returning seconds since the epoch (default: the system clock). `values="copy"`
    /// keeps JSON-like values as private copies of their containers (fast reads);
    /// `values="pickle"` pickles them (less memory); `values="compact"` keeps them in
    /// polycache's own encoding (less still). `compress_min_length=N` keeps pickles and
    /// compact encodings of at least N bytes LZ4-compressed when that saves an eighth or more.
    #[new]
    #[pyo3(signature = (max_entries=10_000, *, max_bytes=None, default_timeout=TimeoutArg(None), eviction="adaptive", cull_frequency=3, clock=None, values="copy", compress_min_length=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        max_entries: i64,
        max_bytes: Option<i64>,
        default_timeout: TimeoutArg,
        eviction: &str,
        cull_frequency: i64,
        clock: Option<Py<PyAny>>,
        values: &str,
        compress_min_length: Option<i64>,
    ) -> PyResult<Self> {
        let values = values_of(values, compress_min_length, None)?;
        let config = config_of(max_entries, max_bytes, eviction, cull_frequency)?;
        Cache::build(py, config, default_timeout, clock, values)
    }

    /// Another handle on the same store, with its own bounds, default timeout and key
    /// rules. With `key_prefix` set, keys follow Django: `key_func(key, key_prefix,
    /// version)` (natively `"{key_prefix}:{version}:{key}"` when `key_func` is None), and
    /// `validate_key(key)` is called for keys that deserve memcached warnings.
    ///
    /// >>> root = Cache(); django = root.view(max_entries=100, max_bytes=None, eviction="cull",
    /// ...     cull_frequency=3, default_timeout=300, key_prefix="site", version=2)
    /// >>> django.set("k", 1); root.live_keys()
    /// ['site:2:k']
    #[pyo3(signature = (*, max_entries, max_bytes, eviction, cull_frequency, default_timeout, key_prefix=None, version=1, key_func=None, validate_key=None, default_marker=None, values="copy", compress_min_length=None))]
    #[allow(clippy::too_many_arguments)]
    fn view(
        &self,
        max_entries: i64,
        max_bytes: Option<i64>,
        eviction: &str,
        cull_frequency: i64,
        default_timeout: &Bound<'_, PyAny>,
        key_prefix: Option<String>,
        version: i64,
        key_func: Option<Py<PyAny>>,
        validate_key: Option<Py<PyAny>>,
        default_marker: Option<Py<PyAny>>,
        values: &str,
        compress_min_length: Option<i64>,
    ) -> PyResult<Cache> {
        let values = values_of(values, compress_min_length, Some(&self.values))?;
        let config = config_of(max_entries, max_bytes, eviction, cull_frequency)?;
        let keys = match key_prefix {
            None => KeyMode::Raw,
            Some(prefix) => KeyMode::Django { prefix, version, key_func, validate: validate_key },
        };
        self.view_of(config, default_timeout, default_marker, keys, values)
    }

    /// Reads `key`: its value, or `default` when it is absent or expired.
    ///
    /// >>> c = Cache(); c.set("a", [1])
    /// >>> c.get("a"), c.get("b"), c.get("b", "dflt")
    /// ([1], None, 'dflt')
    #[pyo3(signature = (key, default=None, version=None))]
    fn get(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.get_in(py, key, default, version, None)
    }

    /// Reads `key` as `get` does, but returns a pickled value's stored pickle (the same
    /// `bytes` object until the entry is replaced) instead of unpickling it; None when
    /// the key is absent, expired or holds a value not kept as a plain pickle (a shared
    /// built-in, a JSON-like copy, a compressed pickle).
    ///
    /// >>> c = Cache(); c.set("a", {1}); c.set("b", "text")
    /// >>> c.get_pickle("a") is c.get_pickle("a"), c.get_pickle("b"), c.get_pickle("c")
    /// (True, None, None)
    #[pyo3(signature = (key, version=None))]
    fn get_pickle(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        version: Option<i64>,
    ) -> PyResult<Option<Py<PyBytes>>> {
        self.pickle_in(py, key, version, None)
    }

    /// Stores `value` under `key` for `timeout` seconds (None: never expire; 0 or less: not
    /// stored; omitted: the default timeout).
    ///
    /// >>> c = Cache(); c.set("a", "x", 60); c.set("b", "y", 0)
    /// >>> c.get("a"), c.get("b")
    /// ('x', None)
    #[pyo3(signature = (key, value, timeout=TimeoutArg(None), version=None))]
    fn set(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<()> {
        self.store_in(key, value, &timeout, version, None, Write::Set).map(|_| ())
    }

    /// Stores only if `key` holds no live value; True when it stored.
    ///
    /// >>> c = Cache()
    /// >>> c.add("a", 1), c.add("a", 2), c.get("a")
    /// (True, False, 1)
    #[pyo3(signature = (key, value, timeout=TimeoutArg(None), version=None))]
    fn add(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<bool> {
        self.store_in(key, value, &timeout, version, None, Write::Add)
    }

    /// Gives a live key a new timeout; True when the key was live.
    ///
    /// >>> now = [1000.0]; c = Cache(clock=lambda: now[0]); c.set("a", 1, 10)
    /// >>> c.touch("a", 60), c.ttl("a"), c.touch("missing")
    /// (True, 60.0, False)
    #[pyo3(signature = (key, timeout=TimeoutArg(None), version=None))]
    fn touch(&self, key: &Bound<'_, PyAny>, timeout: TimeoutArg, version: Option<i64>) -> PyResult<bool> {
        self.touch_in(key, &timeout, version, None)
    }

    /// Sets a live key's timeout in seconds (django-redis `expire`); True when it was live.
    ///
    /// >>> c = Cache(clock=lambda: 1000.0); c.set("a", 1, None)
    /// >>> c.expire("a", 5), c.ttl("a")
    /// (True, 5.0)
    #[pyo3(signature = (key, timeout, version=None))]
    fn expire(&self, key: &Bound<'_, PyAny>, timeout: TimeoutArg, version: Option<i64>) -> PyResult<bool> {
        self.touch_in(key, &timeout, version, None)
    }

    /// Makes a live key never expire (django-redis `persist`); True when it was live.
    ///
    /// >>> c = Cache(clock=lambda: 1000.0); c.set("a", 1, 5)
    /// >>> c.persist("a"), c.ttl("a")
    /// (True, None)
    #[pyo3(signature = (key, version=None))]
    fn persist(&self, py: Python<'_>, key: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<bool> {
        self.touch_in(key, &TimeoutArg(Some(py.None())), version, None)
    }

    /// Seconds left for `key` (django-redis `ttl`): None if it never expires, 0 if absent.
    ///
    /// >>> c = Cache(clock=lambda: 1000.0); c.set("a", 1, 2.5); c.set("b", 1, None)
    /// >>> c.ttl("a"), c.ttl("b"), c.ttl("absent")
    /// (2.5, None, 0)
    #[pyo3(signature = (key, version=None))]
    fn ttl(&self, py: Python<'_>, key: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<Py<PyAny>> {
        self.ttl_in(py, key, version, None)
    }

    /// Removes `key`; True when it held a live value.
    ///
    /// >>> c = Cache(); c.set("a", 1)
    /// >>> c.delete("a"), c.delete("a")
    /// (True, False)
    #[pyo3(signature = (key, version=None))]
    fn delete(&self, key: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<bool> {
        self.delete_in(key, version, None)
    }

    /// True when `key` holds a live value (`key in cache` says the same).
    ///
    /// >>> c = Cache(); c.set("a", None)
    /// >>> c.has_key("a"), "a" in c, "b" in c
    /// (True, True, False)
    #[pyo3(signature = (key, version=None))]
    fn has_key(&self, key: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<bool> {
        self.has_key_in(key, version, None)
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.has_key_in(key, None, None)
    }

    /// Adds `delta` to an integer value, keeping its timeout; the new value (Python's
    /// integers: past 64 bits too). `ValueError` if the key is absent, `TypeError` if the
    /// value is not an integer.
    ///
    /// >>> c = Cache(); c.set("n", 41)
    /// >>> c.incr("n"), c.incr("n", 10), c.incr("n", 2**64)
    /// (42, 52, 18446744073709551668)
    #[pyo3(signature = (key, delta=None, version=None), text_signature = "($self, key, delta=1, version=None)")]
    fn incr(
        &self,
        key: &Bound<'_, PyAny>,
        delta: Option<&Bound<'_, PyAny>>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.incr_in(key, delta, version, None)
    }

    /// Subtracts `delta` from an integer value, keeping its timeout; the new value.
    ///
    /// >>> c = Cache(); c.set("n", 10)
    /// >>> c.decr("n"), c.decr("n", 4)
    /// (9, 5)
    #[pyo3(signature = (key, delta=None, version=None), text_signature = "($self, key, delta=1, version=None)")]
    fn decr(
        &self,
        key: &Bound<'_, PyAny>,
        delta: Option<&Bound<'_, PyAny>>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.incr_in(key, Some(&negate(key.py(), delta)?), version, None)
    }

    /// The value of `key`; if absent, stores `default` (called first if callable) with
    /// `add` and returns what the cache then holds.
    ///
    /// >>> c = Cache()
    /// >>> c.get_or_set("a", lambda: "computed"), c.get_or_set("a", "other")
    /// ('computed', 'computed')
    #[pyo3(signature = (key, default, timeout=TimeoutArg(None), version=None))]
    fn get_or_set(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.get_or_set_in(py, key, default, &timeout, version)
    }

    /// The live values of `keys` that are present, keyed as given.
    ///
    /// >>> c = Cache(); c.set("a", 1); c.set("b", 2)
    /// >>> c.get_many(["a", "b", "c"])
    /// {'a': 1, 'b': 2}
    #[pyo3(signature = (keys, version=None))]
    fn get_many<'py>(
        &self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
        version: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        self.get_many_in(py, keys, version)
    }

    /// Stores every item of a mapping with one timeout; the keys that could not be
    /// stored (values larger than `max_bytes`), as Django's `set_many` returns them.
    /// Every value is pickled before anything is stored.
    ///
    /// >>> c = Cache(max_bytes=500)
    /// >>> c.set_many({"a": 1, "big": "x" * 1000})
    /// ['big']
    #[pyo3(signature = (data, timeout=TimeoutArg(None), version=None))]
    fn set_many<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<Bound<'py, PyList>> {
        self.set_many_in(py, data, &timeout, version)
    }

    /// Removes every key given; how many held a live value.
    ///
    /// >>> c = Cache(); c.set_many({"a": 1, "b": 2})
    /// []
    /// >>> c.delete_many(["a", "b", "c"])
    /// 2
    #[pyo3(signature = (keys, version=None))]
    fn delete_many(&self, keys: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<usize> {
        self.delete_many_in(keys, version)
    }

    /// Removes every entry of the store (shared by every handle on it). Namespace
    /// generations are kept.
    ///
    /// >>> c = Cache(); c.set("a", 1); c.clear(); len(c)
    /// 0
    fn clear(&self) {
        self.shared.clear()
    }

    /// Live keys of this handle's version (Django's prefix and version removed),
    /// most recently used first. With a custom `key_func`, the full store keys.
    ///
    /// >>> c = Cache(); c.set("a", 1); c.set("b", 2); c.live_keys()
    /// ['b', 'a']
    #[pyo3(signature = (version=None))]
    fn live_keys(&self, version: Option<i64>) -> Vec<String> {
        let all = self.shared.with_store(|s, now| s.keys(now));
        all.iter()
            .filter_map(|k| self.keys.user_key(k, version).map(str::to_owned))
            .collect()
    }

    /// Reclaims every expired entry now; how many.
    ///
    /// >>> now = [1000.0]; c = Cache(clock=lambda: now[0]); c.set("a", 1, 1); now[0] += 2
    /// >>> len(c), c.purge_expired(), len(c)
    /// (1, 1, 0)
    fn purge_expired(&self) -> usize {
        self.shared.with_store(|s, now| s.purge_expired(now))
    }

    /// Counters of the store: hits, misses, hit_ratio, sets, deletes, evictions,
    /// expirations, entries, bytes.
    ///
    /// >>> c = Cache(); c.set("a", 1); c.get("a"); c.get("b")
    /// 1
    /// >>> s = c.stats(); s["hits"], s["misses"], s["hit_ratio"], s["entries"]
    /// (1, 1, 0.5, 1)
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, self.shared.stats())
    }

    /// A view of the keys of namespace `name`; `invalidate()` drops them all in O(1).
    ///
    /// >>> ns = Cache().namespace("books"); ns.set("1", "Dune"); ns.get("1")
    /// 'Dune'
    fn namespace(slf: Py<Self>, name: String) -> Namespace {
        Namespace::new(slf, name)
    }

    /// The current generation of namespace `name` (1 until invalidated).
    ///
    /// >>> c = Cache(); c.generation("books"), c.invalidate("books"), c.generation("books")
    /// (1, 2, 2)
    fn generation(&self, name: &str) -> u64 {
        self.shared.with_store(|s, _| s.generation(name))
    }

    /// The whole store (entries, values, expiries, namespace generations) as snapshot
    /// bytes every polycache binding reads (docs/format.md), signed with HMAC-SHA256 when
    /// `key` (str or bytes, at least 16 bytes) is given. JSON-like values go as JSON,
    /// `bytes` as bytes, the rest as pickles (which only Python reads, and only from a
    /// verified snapshot).
    ///
    /// >>> c = Cache(); c.set("a", [1, 2]); snap = c.dump(key="a secret of 16+ bytes")
    /// >>> snap[:8], snap[9]  # the magic; flags: signed
    /// (b'POLYSNAP', 1)
    #[pyo3(signature = (key=None))]
    fn dump<'py>(&self, py: Python<'py>, key: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
        let key = crate::snapshot::snapshot_key(key)?;
        Ok(PyBytes::new(py, &self.dump_in(py, key.as_ref())?))
    }

    /// Replaces the store's entries with a snapshot's (generations only move forward).
    /// A signed snapshot must verify under `key`; an unsigned one (or one signed while no
    /// key is given) loads only with `allow_unsigned=True`, and its pickles are skipped,
    /// never unpickled. With `max_age` (seconds), a snapshot made longer ago than that
    /// (by this cache's clock) is refused. Unreadable bytes raise `SnapshotError` and
    /// change nothing. An empty or short `key` is an `InvalidConfigError`.
    /// `{"verified", "entries" (held after), "skipped_pickles", "skipped_unknown"}`.
    ///
    /// >>> src = Cache(); src.set("a", {"x": 1}); src.set("t", (1, 2)); other = Cache()
    /// >>> other.load(src.dump(key="a secret of 16+ bytes"), key="a secret of 16+ bytes", max_age=60)
    /// {'verified': True, 'entries': 2, 'skipped_pickles': 0, 'skipped_unknown': 0}
    /// >>> other.get("a"), other.get("t")
    /// ({'x': 1}, (1, 2))
    /// >>> other.load(src.dump(), allow_unsigned=True)  # unverified: the pickle is skipped
    /// {'verified': False, 'entries': 1, 'skipped_pickles': 1, 'skipped_unknown': 0}
    #[pyo3(signature = (data, key=None, allow_unsigned=false, max_age=None))]
    fn load<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        key: Option<&Bound<'py, PyAny>>,
        allow_unsigned: bool,
        max_age: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let key = crate::snapshot::snapshot_key(key)?;
        self.load_any(py, data, key.as_ref(), allow_unsigned, max_age)
    }

    /// Invalidates every key of namespace `name` in O(1); its new generation.
    ///
    /// >>> c = Cache(); ns = c.namespace("books"); ns.set("1", "Dune")
    /// >>> c.invalidate("books"), ns.get("1")
    /// (2, None)
    fn invalidate(&self, name: &str) -> u64 {
        self.shared.invalidate(name)
    }

    /// Entries held (expired ones not yet reclaimed included).
    fn __len__(&self) -> usize {
        self.shared.len()
    }

    #[getter]
    fn max_entries(&self) -> usize {
        self.config().max_entries
    }

    #[getter]
    fn max_bytes(&self) -> Option<usize> {
        self.config().max_bytes
    }

    /// `"lru"`, `"cull"` or `"adaptive"`.
    #[getter]
    fn eviction(&self) -> &'static str {
        self.eviction_name()
    }

    /// Django's cull frequency, None for LRU and adaptive eviction.
    #[getter]
    fn cull_frequency(&self) -> Option<usize> {
        self.cull_frequency_of()
    }

    /// The default timeout in seconds; None when entries never expire by default.
    #[getter]
    fn default_timeout(&self) -> Option<f64> {
        self.default_timeout_secs()
    }

    /// Changes this handle's entry bound (at least 1); the store shrinks on the next write.
    ///
    /// >>> c = Cache(10); c.set_max_entries(2); c.max_entries
    /// 2
    fn set_max_entries(&self, max_entries: i64) -> PyResult<()> {
        self.rebound(Some(max_entries), None, None)
    }

    /// Changes the cull frequency (0 = clear all); switches to Django's cull.
    ///
    /// >>> c = Cache(10); c.set_cull_frequency(0); c.eviction, c.cull_frequency
    /// ('cull', 0)
    fn set_cull_frequency(&self, cull_frequency: i64) -> PyResult<()> {
        self.rebound(None, None, Some(cull_frequency))
    }

    /// Changes the byte bound (None = unbounded).
    ///
    /// >>> c = Cache(); c.set_max_bytes(1 << 20); c.max_bytes
    /// 1048576
    #[pyo3(signature = (max_bytes))]
    fn set_max_bytes(&self, max_bytes: Option<i64>) -> PyResult<()> {
        self.rebound(None, Some(max_bytes), None)
    }
}
