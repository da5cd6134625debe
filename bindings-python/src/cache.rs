//! `_native.Cache`: a handle on a thread-safe core cache.
//!
//! Several handles may share one store (Django's caches with the same LOCATION); each
//! has its own bounds, default timeout and key rules, as Django's instances do. A handle
//! applies its bounds to the store before each write. This file is the Python face of
//! making a handle and of one key (the work is in `ops.rs`); the Python methods of many
//! keys are in `cache_many.rs`, of the bounds in `cache_build.rs`, of the whole store and
//! its snapshots in `cache_store.rs`.

use std::sync::{Arc, Mutex};

use polycache::{Config, Timeout};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::keys::KeyMode;
use crate::ops::{negate, Write};
use crate::store::{config_of, values_of};
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
    /// returning seconds since the epoch (default: the system clock).
    /// `values="compact"` (the default) keeps JSON-like values in polycache's own
    /// encoding, rebuilt on each read (the least memory, fast reads); `values="copy"` as
    /// private copies of their containers (fastest reads of small rows, ~2.5x the
    /// memory); `values="pickle"` pickles them. `compress_min_length=N` keeps pickles and
    /// compact encodings of at least N bytes LZ4-compressed when that saves an eighth or more.
    #[new]
    #[pyo3(signature = (max_entries=10_000, *, max_bytes=None, default_timeout=TimeoutArg(None), eviction="adaptive", cull_frequency=3, clock=None, values="compact", compress_min_length=None))]
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
    #[pyo3(signature = (*, max_entries, max_bytes, eviction, cull_frequency, default_timeout, key_prefix=None, version=1, key_func=None, validate_key=None, default_marker=None, values="compact", compress_min_length=None))]
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
}
