//! The operations of a `Cache` handle on many keys at once (`get_many`, `set_many`,
//! `delete_many`) and `get_or_set`, built on the single-key ones of `ops.rs`: their Python
//! methods, then the work. Python code (key functions, pickling) runs before the store's
//! lock is taken.

use polycache::{entry_charge, Error, Key};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyMapping};

use crate::cache::Cache;
use crate::error::to_py_nokey;
use crate::ops::Write;
use crate::timeout::TimeoutArg;
use crate::value::Value;

#[pymethods]
impl Cache {
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
}

impl Cache {
    pub(crate) fn get_or_set_in(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        default: &Bound<'_, PyAny>,
        timeout: &TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<Py<PyAny>> {
        let missing = crate::timeout::default_marker(py)?.clone_ref(py).into_any();
        let found = self.get_in(py, key, Some(missing.clone_ref(py)), version, None)?;
        if !found.is(&missing) {
            return Ok(found);
        }
        let value = if default.is_callable() {
            default.call0()?
        } else {
            default.clone()
        };
        self.store_in(key, &value, timeout, version, None, Write::Add)?;
        self.get_in(py, key, Some(value.unbind()), version, None)
    }

    pub(crate) fn get_many_in<'py>(
        &self,
        py: Python<'py>,
        keys: &Bound<'py, PyAny>,
        version: Option<i64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let mut wanted = Vec::new();
        for key in keys.try_iter()? {
            let key = key?;
            let k = self.key(&key, version, None)?.into_owned();
            wanted.push((key, k));
        }
        let found: Vec<Option<Value>> = self.shared.with_store(|s, now| {
            wanted
                .iter()
                .map(|(_, k)| s.get_with(k.as_str(), now, |v| v.clone_ref(py)))
                .collect()
        });
        let out = PyDict::new(py);
        for ((key, _), v) in wanted.into_iter().zip(found) {
            if let Some(v) = v {
                out.set_item(key, v.decode(py, &self.values)?)?;
            }
        }
        Ok(out)
    }

    pub(crate) fn set_many_in<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        timeout: &TimeoutArg,
        version: Option<i64>,
    ) -> PyResult<Bound<'py, PyList>> {
        let timeout = self.timeout(py, timeout)?;
        let items = match data.cast::<PyDict>() {
            Ok(d) => d.items().into_any(),
            Err(_) => data.cast::<PyMapping>()?.items()?.into_any(),
        };
        let mut todo = Vec::new();
        for item in items.try_iter()? {
            let (key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item?.extract()?;
            let k = self.key(&key, version, None)?.into_owned();
            let (v, size) = Value::encode(&value, &self.values)?;
            let charge = entry_charge(k.len(), size);
            todo.push((key, k, v, charge));
        }
        let default = self.default_timeout;
        let mut keys = Vec::with_capacity(todo.len());
        let refused: Vec<usize> = self
            .write(|s, now| {
                let expiry = timeout.expiry(now, default)?;
                let mut refused = Vec::new();
                for (i, (key, k, v, charge)) in todo.into_iter().enumerate() {
                    keys.push(key);
                    match s.set(Key::from(k), v, charge, expiry, now) {
                        Ok(()) => {}
                        Err(Error::ValueTooLarge { .. }) => refused.push(i),
                        Err(e) => return Err(e),
                    }
                }
                Ok(refused)
            })
            .map_err(to_py_nokey)?;
        PyList::new(py, refused.into_iter().map(|i| keys[i].clone()))
    }

    pub(crate) fn delete_many_in(&self, keys: &Bound<'_, PyAny>, version: Option<i64>) -> PyResult<usize> {
        let mut ks = Vec::new();
        for key in keys.try_iter()? {
            ks.push(self.key(&key?, version, None)?.into_owned());
        }
        Ok(self
            .shared
            .with_store(|s, now| ks.iter().filter(|k| s.delete(k.as_str(), now)).count()))
    }
}
