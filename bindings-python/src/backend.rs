//! `_native.DjangoBackend`: the native base of `polycache.django.PolyCache`.
//!
//! Django's hottest calls (`get`, `set`, `add`, `touch`, `delete`) are resolved on this
//! base class, so a call goes straight from Django code to Rust with no Python frame in
//! between; the backend stays a real `BaseCache` subclass (the Python class lists both
//! bases), and its Python methods and class attributes can still override or be mocked.
//! The methods Django inspects through `__func__` stay Python functions on the subclass.

use std::sync::{Mutex, PoisonError};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyTuple};

use crate::cache::Cache;
use crate::ops::Write;
use crate::timeout::TimeoutArg;

#[pyclass(module = "polycache._native", frozen, subclass)]
pub struct DjangoBackend {
    handle: Mutex<Option<Py<Cache>>>,
}

impl DjangoBackend {
    /// The current handle; cloned out of the lock so that Python code run by the call
    /// (pickling, a key function, a warning filter) may rebind the backend.
    fn handle(&self, py: Python<'_>) -> PyResult<Py<Cache>> {
        let guard = self.handle.lock().unwrap_or_else(PoisonError::into_inner);
        guard.as_ref().map(|h| h.clone_ref(py)).ok_or_else(|| {
            PyRuntimeError::new_err(
                "the backend is not initialised (BaseCache.__init__ did not run)",
            )
        })
    }
}

#[pymethods]
impl DjangoBackend {
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> Self {
        DjangoBackend {
            handle: Mutex::new(None),
        }
    }

    /// Points the backend at a (new) native handle.
    fn _bind(&self, handle: Py<Cache>) {
        *self.handle.lock().unwrap_or_else(PoisonError::into_inner) = Some(handle);
    }

    #[pyo3(signature = (key, default=None, version=None))]
    fn get(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.handle(py)?
            .get()
            .get_in(py, key, default, version, None)
    }

    /// `Cache.get_pickle`: a pickled value's stored pickle, not unpickled (the fast path
    /// remembers what it made of each one).
    #[pyo3(signature = (key, version=None))]
    fn get_pickle(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        version: Option<i64>,
    ) -> PyResult<Option<Py<PyBytes>>> {
        self.handle(py)?.get().pickle_in(py, key, version, None)
    }

    /// Django's `set` (returns None); with django-redis's `nx=True` (store only if absent)
    /// or `xx=True` (only if present), True when it stored.
    #[pyo3(signature = (key, value, timeout=TimeoutArg(None), version=None, *, nx=false, xx=false))]
    #[allow(clippy::too_many_arguments)]
    fn set(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
        nx: bool,
        xx: bool,
    ) -> PyResult<Py<PyAny>> {
        let mode = match (nx, xx) {
            (false, false) => Write::Set,
            (true, false) => Write::Add,
            (false, true) => Write::Replace,
            (true, true) => {
                return Err(PyValueError::new_err("set: nx and xx cannot both be true"))
            }
        };
        let stored = self
            .handle(py)?
            .get()
            .store_in(key, value, &timeout, version, None, mode)?;
        Ok(if mode == Write::Set {
            py.None()
        } else {
            PyBool::new(py, stored).to_owned().into_any().unbind()
        })
    }

    #[pyo3(signature = (key, value, timeout=TimeoutArg(None), version=None))]
    fn add(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<bool> {
        self.handle(key.py())?
            .get()
            .store_in(key, value, &timeout, version, None, Write::Add)
    }

    #[pyo3(signature = (key, timeout=TimeoutArg(None), version=None))]
    fn touch(
        &self,
        key: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<bool> {
        self.handle(key.py())?
            .get()
            .touch_in(key, &timeout, version, None)
    }

    #[pyo3(signature = (key, version=None))]
    fn delete(&self, key: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<bool> {
        self.handle(key.py())?.get().delete_in(key, version, None)
    }
}
