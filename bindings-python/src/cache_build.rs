//! How a `Cache` handle is made (a new store, or a view on another handle's store) and
//! how its bounds are read and changed: the Python methods of the bounds, then the work
//! (`Cache(...)` and `view` are in `cache.rs`).

use std::sync::{Arc, Mutex};

use polycache::{CacheBuilder, Config, Eviction, SystemClock, Timeout};
use pyo3::prelude::*;

use crate::cache::Cache;
use crate::error::to_py_nokey;
use crate::keys::KeyMode;
use crate::store::config_of;
use crate::timeout::{timeout_of, PyClock, TimeoutArg};
use crate::value::ValueRules;

#[pymethods]
impl Cache {
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

impl Cache {
    /// A handle on a new store (`Cache(...)`), its bounds and value rules checked.
    pub(crate) fn build(
        py: Python<'_>,
        config: Config,
        default_timeout: TimeoutArg,
        clock: Option<Py<PyAny>>,
        values: ValueRules,
    ) -> PyResult<Self> {
        let default_timeout = default_timeout.resolve(py, None)?;
        default_timeout.check().map_err(to_py_nokey)?;
        let builder = CacheBuilder::new(config.max_entries);
        let builder = match clock {
            Some(c) => builder.clock(PyClock(c)),
            None => builder.clock(SystemClock),
        };
        let shared = Arc::new(builder.build().map_err(to_py_nokey)?);
        Ok(Cache {
            shared,
            config: Mutex::new(config),
            default_timeout,
            keys: KeyMode::Raw,
            marker: None,
            values,
        })
    }

    /// Another handle on this one's store (`Cache.view(...)`).
    pub(crate) fn view_of(
        &self,
        config: Config,
        default_timeout: &Bound<'_, PyAny>,
        default_marker: Option<Py<PyAny>>,
        keys: KeyMode,
        values: ValueRules,
    ) -> PyResult<Cache> {
        let default_timeout = timeout_of(default_timeout, default_marker.as_ref())?;
        default_timeout.check().map_err(to_py_nokey)?;
        Ok(Cache {
            shared: self.shared.clone(),
            config: Mutex::new(config),
            default_timeout,
            keys,
            marker: default_marker,
            values,
        })
    }

    pub(crate) fn eviction_name(&self) -> &'static str {
        match self.config().eviction {
            Eviction::Lru => "lru",
            Eviction::Cull { .. } => "cull",
            Eviction::Adaptive => "adaptive",
        }
    }

    /// Django's cull frequency, None for LRU and adaptive eviction.
    pub(crate) fn cull_frequency_of(&self) -> Option<usize> {
        match self.config().eviction {
            Eviction::Lru | Eviction::Adaptive => None,
            Eviction::Cull { frequency } => Some(frequency),
        }
    }

    pub(crate) fn default_timeout_secs(&self) -> Option<f64> {
        match self.default_timeout {
            Timeout::Never => None,
            Timeout::Default => Some(polycache::DEFAULT_TIMEOUT_SECS),
            Timeout::Seconds(s) => Some(s),
        }
    }

    /// Changes the bounds given and keeps the others; a new cull frequency switches to
    /// Django's cull.
    pub(crate) fn rebound(
        &self,
        max_entries: Option<i64>,
        max_bytes: Option<Option<i64>>,
        cull_frequency: Option<i64>,
    ) -> PyResult<()> {
        let c = self.config();
        let max_entries = max_entries.unwrap_or(c.max_entries as i64);
        let max_bytes = max_bytes.unwrap_or(c.max_bytes.map(|b| b as i64));
        let (eviction, f) = match cull_frequency {
            Some(f) => ("cull", f),
            None => (self.eviction_name(), self.cull_frequency_of().unwrap_or(3) as i64),
        };
        self.set_config(config_of(max_entries, max_bytes, eviction, f)?)
    }
}
