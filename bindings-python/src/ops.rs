//! The operations of a cache handle, shared by `Cache`, `Namespace` and `DjangoBackend`:
//! build the store key, convert the value and the timeout, run the core operation under
//! the lock, and map its error. Python code (key functions, pickling, warnings) always
//! runs before the lock is taken or after it is released.

use std::borrow::Cow;
use std::sync::{Arc, PoisonError};

use polycache::{entry_charge, Config, Error, Store, Timeout};
use pyo3::exceptions::PyOverflowError;
use pyo3::prelude::*;

use crate::cache::Cache;
use crate::error::{to_py, to_py_nokey};
use crate::timeout::TimeoutArg;
use crate::value::Value;

/// The key as the caller wrote it, for error messages.
pub(crate) fn shown(key: &Bound<'_, PyAny>) -> String {
    key.str().map(|s| s.to_string()).unwrap_or_default()
}

pub(crate) fn negate(delta: i64) -> PyResult<i64> {
    delta
        .checked_neg()
        .ok_or_else(|| PyOverflowError::new_err("delta out of range"))
}

impl Cache {
    pub(crate) fn key<'a>(
        &self,
        key: &'a Bound<'_, PyAny>,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<Cow<'a, str>> {
        let ns = ns.map(|n| (n, self.shared.with_store(|s, _| s.generation(n))));
        self.keys.store_key(key, version, ns)
    }

    pub(crate) fn config(&self) -> Config {
        *self.config.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn set_config(&self, config: Config) -> PyResult<()> {
        config.validate().map_err(to_py_nokey)?;
        *self.config.lock().unwrap_or_else(PoisonError::into_inner) = config;
        Ok(())
    }

    /// Runs a write with this handle's bounds in force.
    pub(crate) fn write<R>(
        &self,
        f: impl FnOnce(&mut Store<Arc<str>, Value>, u64) -> polycache::Result<R>,
    ) -> polycache::Result<R> {
        let config = self.config();
        self.shared.with_store(|s, now| {
            if s.config() != config {
                s.set_config(config)?;
            }
            f(s, now)
        })
    }

    pub(crate) fn timeout(&self, py: Python<'_>, t: &TimeoutArg) -> PyResult<Timeout> {
        t.resolve(py, self.marker.as_ref())
    }

    pub(crate) fn get_in(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let k = self.key(key, version, ns)?;
        match self
            .shared
            .with_store(|s, now| s.get_with(k.as_ref(), now, |v| v.clone_ref(py)))
        {
            Some(v) => v.decode(py),
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    /// `set` (`only_new` false) or `add` (`only_new` true).
    pub(crate) fn store_in(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: &TimeoutArg,
        version: Option<i64>,
        ns: Option<&str>,
        only_new: bool,
    ) -> PyResult<bool> {
        let py = key.py();
        let k = self.key(key, version, ns)?;
        let timeout = self.timeout(py, timeout)?;
        let v = Value::encode(value)?;
        let charge = entry_charge(k.len(), v.size(py)?);
        let default = self.default_timeout;
        self.write(|s, now| {
            let expiry = timeout.expiry(now, default)?;
            let k: Arc<str> = Arc::from(k.as_ref());
            if only_new {
                s.add(k, v, charge, expiry, now)
            } else {
                s.set(k, v, charge, expiry, now).map(|()| true)
            }
        })
        .map_err(|e| to_py(e, &shown(key)))
    }

    pub(crate) fn touch_in(
        &self,
        key: &Bound<'_, PyAny>,
        timeout: &TimeoutArg,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<bool> {
        let k = self.key(key, version, ns)?;
        let timeout = self.timeout(key.py(), timeout)?;
        let default = self.default_timeout;
        self.shared
            .with_store(|s, now| Ok(s.touch(k.as_ref(), timeout.expiry(now, default)?, now)))
            .map_err(|e: Error| to_py(e, &shown(key)))
    }

    pub(crate) fn delete_in(
        &self,
        key: &Bound<'_, PyAny>,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<bool> {
        let k = self.key(key, version, ns)?;
        Ok(self.shared.with_store(|s, now| s.delete(k.as_ref(), now)))
    }

    pub(crate) fn has_key_in(
        &self,
        key: &Bound<'_, PyAny>,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<bool> {
        let k = self.key(key, version, ns)?;
        Ok(self.shared.with_store(|s, now| s.contains(k.as_ref(), now)))
    }

    pub(crate) fn incr_in(
        &self,
        key: &Bound<'_, PyAny>,
        delta: i64,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<i64> {
        let k = self.key(key, version, ns)?;
        let py = key.py();
        self.shared
            .with_store(|s, now| s.incr(k.as_ref(), delta, now))
            .map_err(|e| match e {
                // An int past 64 bits is kept as a Python object: say so instead of "not an integer".
                Error::NotAnInteger(_) if self.holds_big_int(py, &k) => PyOverflowError::new_err(
                    format!("the value of key '{}' does not fit in 64 bits", shown(key)),
                ),
                e => to_py(e, &shown(key)),
            })
    }

    fn holds_big_int(&self, py: Python<'_>, k: &str) -> bool {
        let value = self
            .shared
            .with_store(|s, now| s.peek(k, now).map(|v| v.clone_ref(py)));
        matches!(value, Some(Value::Shared(obj)) if obj.bind(py).is_exact_instance_of::<pyo3::types::PyInt>())
    }

    pub(crate) fn ttl_in(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let k = self.key(key, version, ns)?;
        let left = self
            .shared
            .with_store(|s, now| s.expiry(k.as_ref(), now).map(|e| e.remaining_ms(now)));
        Ok(match left {
            None => 0i64.into_pyobject(py)?.into_any().unbind(),
            Some(None) => py.None(),
            Some(Some(ms)) => (ms as f64 / 1000.0).into_pyobject(py)?.into_any().unbind(),
        })
    }

    pub(crate) fn generation_of(&self, name: &str) -> u64 {
        self.shared.with_store(|s, _| s.generation(name))
    }

    pub(crate) fn invalidate_ns(&self, name: &str) -> u64 {
        self.shared.invalidate(name)
    }
}
