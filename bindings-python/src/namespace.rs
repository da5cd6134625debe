//! `_native.Namespace`: the keys of one namespace of a cache. Invalidating it bumps the
//! namespace's generation in the core, so every key of the old generation is gone in
//! O(1) whatever their number; old entries age out of the LRU.

use pyo3::prelude::*;

use crate::cache::Cache;
use crate::ops::{negate, Write};
use crate::timeout::TimeoutArg;

/// The keys of one namespace of a cache (from `Cache.namespace(name)`).
///
/// >>> from polycache import Cache
/// >>> books = Cache().namespace("books")
/// >>> books.set("list:1", ["Dune"]); books.get("list:1")
/// ['Dune']
/// >>> books.invalidate(), books.get("list:1")
/// (2, None)
#[pyclass(module = "polycache._native", frozen)]
pub struct Namespace {
    cache: Py<Cache>,
    name: String,
}

impl Namespace {
    pub fn new(cache: Py<Cache>, name: String) -> Self {
        Namespace { cache, name }
    }
}

#[pymethods]
impl Namespace {
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    #[pyo3(signature = (key, default=None, version=None))]
    fn get(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: Option<Py<PyAny>>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.cache
            .get()
            .get_in(py, key, default, version, Some(&self.name))
    }

    #[pyo3(signature = (key, value, timeout=TimeoutArg(None), version=None))]
    fn set(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<()> {
        self.cache
            .get()
            .store_in(key, value, &timeout, version, Some(&self.name), Write::Set)
            .map(|_| ())
    }

    #[pyo3(signature = (key, value, timeout=TimeoutArg(None), version=None))]
    fn add(
        &self,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<bool> {
        self.cache
            .get()
            .store_in(key, value, &timeout, version, Some(&self.name), Write::Add)
    }

    #[pyo3(signature = (key, timeout=TimeoutArg(None), version=None))]
    fn touch(
        &self,
        key: &Bound<'_, PyAny>,
        timeout: TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<bool> {
        self.cache
            .get()
            .touch_in(key, &timeout, version, Some(&self.name))
    }

    #[pyo3(signature = (key, version=None))]
    fn ttl(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.cache.get().ttl_in(py, key, version, Some(&self.name))
    }

    #[pyo3(signature = (key, version=None))]
    fn delete(&self, key: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<bool> {
        self.cache.get().delete_in(key, version, Some(&self.name))
    }

    #[pyo3(signature = (key, version=None))]
    fn has_key(&self, key: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<bool> {
        self.cache.get().has_key_in(key, version, Some(&self.name))
    }

    fn __contains__(&self, key: &Bound<'_, PyAny>) -> PyResult<bool> {
        self.has_key(key, None)
    }

    #[pyo3(signature = (key, delta=None, version=None), text_signature = "($self, key, delta=1, version=None)")]
    fn incr(
        &self,
        key: &Bound<'_, PyAny>,
        delta: Option<&Bound<'_, PyAny>>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.cache
            .get()
            .incr_in(key, delta, version, Some(&self.name))
    }

    #[pyo3(signature = (key, delta=None, version=None), text_signature = "($self, key, delta=1, version=None)")]
    fn decr(
        &self,
        key: &Bound<'_, PyAny>,
        delta: Option<&Bound<'_, PyAny>>,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        self.cache.get().incr_in(
            key,
            Some(&negate(key.py(), delta)?),
            version,
            Some(&self.name),
        )
    }

    /// The namespace's current generation (1 until invalidated).
    #[getter]
    fn generation(&self) -> u64 {
        self.cache.get().generation_of(&self.name)
    }

    /// Drops every key of the namespace in O(1); the new generation.
    fn invalidate(&self) -> u64 {
        self.cache.get().invalidate_ns(&self.name)
    }

    fn __repr__(&self) -> String {
        format!(
            "<Namespace {:?} generation {}>",
            self.name,
            self.generation()
        )
    }
}
