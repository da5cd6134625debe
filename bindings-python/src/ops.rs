//! The operations of a cache handle, shared by `Cache`, `Namespace` and `DjangoBackend`:
//! build the store key, convert the value and the timeout, run the core operation under
//! the lock, and map its error. Python code (key functions, pickling, warnings) always
//! runs before the lock is taken or after it is released.

use std::borrow::Cow;
use std::sync::PoisonError;

use polycache::{entry_charge, Config, Error, Key, Store, Timeout};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt};

use crate::cache::Cache;
use crate::error::{to_py, to_py_nokey};
use crate::timeout::TimeoutArg;
use crate::value::Value;

/// The key as the caller wrote it, for error messages.
pub(crate) fn shown(key: &Bound<'_, PyAny>) -> String {
    key.str().map(|s| s.to_string()).unwrap_or_default()
}

/// An `incr`/`decr` delta: any Python `int`, as Django's LocMemCache takes it (omitted
/// or None: 1).
pub(crate) fn int_arg<'py>(
    py: Python<'py>,
    delta: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match delta {
        None => Ok(1i64.into_pyobject(py)?.into_any()),
        Some(d) if d.is_exact_instance_of::<PyInt>() => Ok(d.clone()),
        // bool, IntEnum...: their own `__add__` must not decide what is stored.
        Some(d) if d.is_instance_of::<PyInt>() => py.get_type::<PyInt>().call1((d,)),
        Some(d) => {
            let kind = d
                .get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default();
            Err(PyTypeError::new_err(format!(
                "delta must be an int, got {kind}"
            )))
        }
    }
}

pub(crate) fn negate<'py>(
    py: Python<'py>,
    delta: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    int_arg(py, delta)?.neg()
}

/// What a write does when the key is (or is not) live.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// Always stores (`set`).
    Set,
    /// Stores only if the key holds no live value (`add`, django-redis `set(nx=True)`).
    Add,
    /// Stores only if the key holds a live value (django-redis `set(xx=True)`).
    Replace,
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
        f: impl FnOnce(&mut Store<Key, Value>, u64) -> polycache::Result<R>,
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
            Some(v) => v.decode(py, &self.values),
            None => Ok(default.unwrap_or_else(|| py.None())),
        }
    }

    /// A read as `get_in` (recency, counters, expiry), without the unpickling: the
    /// stored pickle of a pickled value, the very `bytes` object the entry holds (the
    /// same object until the entry is replaced, so a caller may remember what it made of
    /// it). None when the key is absent, expired, or holds a value not kept as a plain
    /// pickle (`Value::Pickled`: not a compressed one).
    pub(crate) fn pickle_in(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<Option<Py<PyBytes>>> {
        let k = self.key(key, version, ns)?;
        Ok(self
            .shared
            .with_store(|s, now| {
                s.get_with(k.as_ref(), now, |v| match v {
                    Value::Pickled(bytes) => Some(bytes.clone_ref(py)),
                    _ => None,
                })
            })
            .flatten())
    }

    /// `set`, `add` or replace (see [`Write`]); true when it stored.
    pub(crate) fn store_in(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: &TimeoutArg,
        version: Option<i64>,
        ns: Option<&str>,
        mode: Write,
    ) -> PyResult<bool> {
        let py = key.py();
        let k = self.key(key, version, ns)?;
        let timeout = self.timeout(py, timeout)?;
        let (v, size) = Value::encode(value, &self.values)?;
        let charge = entry_charge(k.len(), size);
        let default = self.default_timeout;
        // A value not stored is dropped after the lock is released.
        let mut unused = None;
        let stored = self.write(|s, now| {
            let expiry = timeout.expiry(now, default)?;
            match mode {
                Write::Add => s.add(Key::from(k.as_ref()), v, charge, expiry, now),
                Write::Replace if !s.contains(k.as_ref(), now) => {
                    unused = Some(v);
                    Ok(false)
                }
                _ => s
                    .set(Key::from(k.as_ref()), v, charge, expiry, now)
                    .map(|()| true),
            }
        });
        drop(unused);
        stored.map_err(|e| to_py(e, &shown(key)))
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

    /// Adds `delta` (any Python `int`) to an integer value, keeping its expiry; the new
    /// value. Sums that fit in 64 bits run in the core; past that, Python's own integer
    /// arithmetic runs outside the lock and the result is stored only if the value is
    /// still the one it was computed from (else it starts over).
    pub(crate) fn incr_in(
        &self,
        key: &Bound<'_, PyAny>,
        delta: Option<&Bound<'_, PyAny>>,
        version: Option<i64>,
        ns: Option<&str>,
    ) -> PyResult<Py<PyAny>> {
        let py = key.py();
        let delta = int_arg(py, delta)?;
        let k = self.key(key, version, ns)?;
        if let Ok(d) = delta.extract::<i64>() {
            match self.shared.with_store(|s, now| s.incr(k.as_ref(), d, now)) {
                Ok(n) => return Ok(n.into_pyobject(py)?.into_any().unbind()),
                // Past 64 bits, or an int kept as a Python object: Python adds them.
                Err(Error::Overflow(_) | Error::NotAnInteger(_)) => {}
                Err(e) => return Err(to_py(e, &shown(key))),
            }
        }
        loop {
            let current = self
                .shared
                .with_store(|s, now| s.peek(k.as_ref(), now).map(|v| v.clone_ref(py)));
            let old = match &current {
                None => return Err(to_py(Error::KeyNotFound(String::new()), &shown(key))),
                Some(Value::Int(n)) => n.into_pyobject(py)?.into_any(),
                Some(Value::Shared(obj)) if obj.bind(py).is_exact_instance_of::<PyInt>() => {
                    obj.bind(py).clone()
                }
                Some(_) => return Err(to_py(Error::NotAnInteger(String::new()), &shown(key))),
            };
            let new = old.add(&delta)?;
            let (v, size) = Value::encode(&new, &self.values)?;
            let charge = entry_charge(k.len(), size);
            let mut unused = None;
            let swapped = self.write(|s, now| {
                let same = match (s.peek(k.as_ref(), now), &current) {
                    (Some(Value::Int(a)), Some(Value::Int(b))) => a == b,
                    (Some(Value::Shared(a)), Some(Value::Shared(b))) => a.as_ptr() == b.as_ptr(),
                    _ => false,
                };
                match s.expiry(k.as_ref(), now) {
                    Some(expiry) if same => s
                        .set(Key::from(k.as_ref()), v, charge, expiry, now)
                        .map(|()| true),
                    _ => {
                        unused = Some(v);
                        Ok(false)
                    }
                }
            });
            drop(unused);
            if swapped.map_err(|e| to_py(e, &shown(key)))? {
                return Ok(new.unbind());
            }
        }
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
