//! `_native.Store`: the core's single-threaded store with explicit charges, expiries and
//! times, for tests that pin the eviction rules with shared vectors. Applications use
//! `Cache`.

use std::sync::{Arc, Mutex, PoisonError};

use polycache::{Config, Eviction, Expiry, Stats, Store as CoreStore};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::compress::Dictionary;
use crate::error::{to_py, to_py_nokey, InvalidConfigError};
use crate::names::Names;
use crate::value::{Trees, ValueRules};

/// A store configuration from Python-side settings. `eviction` is `"lru"`, `"cull"`
/// (Django's batch cull, `cull_frequency` 0 = clear everything) or `"adaptive"`.
pub fn config_of(
    max_entries: i64,
    max_bytes: Option<i64>,
    eviction: &str,
    cull_frequency: i64,
) -> PyResult<Config> {
    let max_entries = usize::try_from(max_entries).map_err(|_| {
        InvalidConfigError::new_err(format!("max_entries must be at least 1, got {max_entries}"))
    })?;
    let max_bytes = match max_bytes {
        None => None,
        Some(n) => Some(usize::try_from(n).map_err(|_| {
            InvalidConfigError::new_err(format!("max_bytes must be at least 1, got {n}"))
        })?),
    };
    let eviction = match eviction {
        "lru" => Eviction::Lru,
        "adaptive" => Eviction::Adaptive,
        "cull" => Eviction::Cull {
            frequency: usize::try_from(cull_frequency).map_err(|_| {
                InvalidConfigError::new_err(format!(
                    "cull_frequency must be 0 (clear all) or more, got {cull_frequency}"
                ))
            })?,
        },
        other => {
            return Err(InvalidConfigError::new_err(format!(
                "eviction must be \"lru\", \"cull\" or \"adaptive\", not {other:?}"
            )))
        }
    };
    let config = Config {
        max_entries,
        max_bytes,
        eviction,
    };
    config.validate().map_err(to_py_nokey)?;
    Ok(config)
}

/// Counters as a dict, with the hit ratio.
pub fn stats_dict<'py>(py: Python<'py>, s: Stats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("hits", s.hits)?;
    d.set_item("misses", s.misses)?;
    d.set_item("hit_ratio", s.hit_ratio())?;
    d.set_item("sets", s.sets)?;
    d.set_item("deletes", s.deletes)?;
    d.set_item("evictions", s.evictions)?;
    d.set_item("expirations", s.expirations)?;
    d.set_item("entries", s.entries)?;
    d.set_item("bytes", s.bytes)?;
    d.set_item("namespaces", s.namespaces)?;
    Ok(d)
}

fn expiry_of(expires_at: Option<u64>) -> Expiry {
    expires_at.map_or(Expiry::Never, Expiry::At)
}

/// The core store with explicit charges, expiries (epoch ms, None = never) and times.
///
/// >>> s = Store(2)
/// >>> s.set("a", 1, 10, None, 0); s.set("b", 2, 10, 100, 0); s.get("a", 0)
/// 1
/// >>> s.set("c", 3, 10, None, 0); s.keys(0)
/// ['c', 'a']
/// >>> s.get("c", 0), s.get("gone", 0, "default")
/// (3, 'default')
#[pyclass(module = "polycache._native", frozen)]
pub struct Store {
    inner: Mutex<CoreStore<String, Py<PyAny>>>,
}

impl Store {
    fn with<R>(&self, f: impl FnOnce(&mut CoreStore<String, Py<PyAny>>) -> R) -> R {
        let (out, dead) = {
            let mut s = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            let out = f(&mut s);
            (out, s.take_dead())
        };
        drop(dead);
        out
    }
}

#[pymethods]
impl Store {
    #[new]
    #[pyo3(signature = (max_entries, *, max_bytes=None, eviction="lru", cull_frequency=3))]
    fn new(
        max_entries: i64,
        max_bytes: Option<i64>,
        eviction: &str,
        cull_frequency: i64,
    ) -> PyResult<Self> {
        let config = config_of(max_entries, max_bytes, eviction, cull_frequency)?;
        Ok(Store {
            inner: Mutex::new(CoreStore::new(config).map_err(to_py_nokey)?),
        })
    }

    /// Stores `value` charged `charge` bytes until `expires_at` (epoch ms; None = never).
    fn set(
        &self,
        key: String,
        value: Py<PyAny>,
        charge: usize,
        expires_at: Option<u64>,
        now: u64,
    ) -> PyResult<()> {
        let shown = key.clone();
        self.with(|s| s.set(key, value, charge, expiry_of(expires_at), now))
            .map_err(|e| to_py(e, &shown))
    }

    fn add(
        &self,
        key: String,
        value: Py<PyAny>,
        charge: usize,
        expires_at: Option<u64>,
        now: u64,
    ) -> PyResult<bool> {
        let shown = key.clone();
        self.with(|s| s.add(key, value, charge, expiry_of(expires_at), now))
            .map_err(|e| to_py(e, &shown))
    }

    #[pyo3(signature = (key, now, default=None))]
    fn get(&self, py: Python<'_>, key: &str, now: u64, default: Option<Py<PyAny>>) -> Py<PyAny> {
        self.with(|s| s.get_with(key, now, |v| v.clone_ref(py)))
            .or(default)
            .unwrap_or_else(|| py.None())
    }

    /// True when `key` is live (no recency change, no read counted).
    fn contains(&self, key: &str, now: u64) -> bool {
        self.with(|s| s.contains(key, now))
    }

    fn delete(&self, key: &str, now: u64) -> bool {
        self.with(|s| s.delete(key, now))
    }

    fn touch(&self, key: &str, expires_at: Option<u64>, now: u64) -> bool {
        self.with(|s| s.touch(key, expiry_of(expires_at), now))
    }

    /// Live keys, most recently used first.
    fn keys(&self, now: u64) -> Vec<String> {
        self.with(|s| s.keys(now))
    }

    fn purge_expired(&self, now: u64) -> usize {
        self.with(|s| s.purge_expired(now))
    }

    fn clear(&self) {
        self.with(|s| s.clear())
    }

    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, self.with(|s| s.stats()))
    }

    /// Raises `AssertionError` if an internal invariant of the store does not hold.
    fn validate(&self) -> PyResult<()> {
        self.with(|s| s.validate())
            .map_err(pyo3::exceptions::PyAssertionError::new_err)
    }

    fn __len__(&self) -> usize {
        self.with(|s| s.len())
    }
}

/// `values="copy"`, `"pickle"` or `"compact"` ([`Trees`]). `store`: the rules of another
/// handle on the same store, whose compression dictionary and names this one shares.
pub fn values_of(
    values: &str,
    compress_min_length: Option<i64>,
    store: Option<&ValueRules>,
) -> PyResult<ValueRules> {
    let trees = match values {
        "copy" => Trees::Copy,
        "pickle" => Trees::Pickle,
        "compact" => Trees::Compact,
        other => {
            return Err(InvalidConfigError::new_err(format!(
                "values must be \"copy\", \"pickle\" or \"compact\", got {other:?}"
            )))
        }
    };
    let compress_from = match compress_min_length {
        None => None,
        Some(n) if n >= 0 => Some(n as usize),
        Some(n) => {
            return Err(InvalidConfigError::new_err(format!(
                "compress_min_length must be None or a length >= 0, got {n}"
            )))
        }
    };
    let (dictionary, names) = match store {
        Some(r) => (r.dictionary.clone(), r.names.clone()),
        None => (Arc::new(Dictionary::default()), Arc::new(Names::default())),
    };
    Ok(ValueRules { trees, compress_from, dictionary, names })
}
