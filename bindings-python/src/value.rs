//! How Python values live in the store.
//!
//! Values of the immutable built-in types (`str`, `bytes`, `int`, `float`, `bool`,
//! `None`; exact types only, never subclasses) are kept as they are: nobody can mutate
//! them, so sharing the object is as isolated as a copy and costs nothing. Small `int`s
//! are kept as Rust integers so `incr` runs in the core. Every other value is pickled on
//! the way in and unpickled on the way out, as Django's LocMemCache does, so mutating it
//! after `set` or after `get` never changes what the cache holds.

use polycache::Counter;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString};

use crate::text::utf8_len;

pub enum Value {
    /// An exact `int` that fits in 64 bits.
    Int(i64),
    /// An exact immutable built-in value, shared as is.
    Shared(Py<PyAny>),
    /// Anything else, as its pickle.
    Pickled(Py<PyBytes>),
}

impl Counter for Value {
    fn as_counter(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
    fn from_counter(n: i64) -> Self {
        Value::Int(n)
    }
}

struct Pickle {
    dumps: Py<PyAny>,
    loads: Py<PyAny>,
    protocol: i64,
}

static PICKLE: PyOnceLock<Pickle> = PyOnceLock::new();

fn pickle(py: Python<'_>) -> PyResult<&Pickle> {
    PICKLE.get_or_try_init(py, || {
        let m = py.import("pickle")?;
        Ok(Pickle {
            dumps: m.getattr("dumps")?.unbind(),
            loads: m.getattr("loads")?.unbind(),
            protocol: m.getattr("HIGHEST_PROTOCOL")?.extract()?,
        })
    })
}

impl Value {
    /// Takes a Python value in: shared when immutable, pickled otherwise. A value that
    /// cannot be pickled raises the pickling error (before the store is touched).
    pub fn encode(value: &Bound<'_, PyAny>) -> PyResult<Value> {
        let py = value.py();
        if value.is_exact_instance_of::<PyInt>() {
            return Ok(match value.extract::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Shared(value.clone().unbind()),
            });
        }
        if value.is_exact_instance_of::<PyString>()
            || value.is_exact_instance_of::<PyBytes>()
            || value.is_exact_instance_of::<PyFloat>()
            || value.is_exact_instance_of::<PyBool>()
            || value.is_none()
        {
            return Ok(Value::Shared(value.clone().unbind()));
        }
        let p = pickle(py)?;
        let bytes = p.dumps.bind(py).call1((value, p.protocol))?;
        Ok(Value::Pickled(bytes.cast_into::<PyBytes>()?.unbind()))
    }

    /// The Python value: the shared object itself, or a fresh unpickled copy.
    pub fn decode(self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match self {
            Value::Int(n) => Ok(n.into_pyobject(py)?.into_any().unbind()),
            Value::Shared(obj) => Ok(obj),
            Value::Pickled(bytes) => Ok(pickle(py)?.loads.bind(py).call1((bytes,))?.unbind()),
        }
    }

    /// A second reference to the same stored value (no copy, no unpickling).
    pub fn clone_ref(&self, py: Python<'_>) -> Value {
        match self {
            Value::Int(n) => Value::Int(*n),
            Value::Shared(obj) => Value::Shared(obj.clone_ref(py)),
            Value::Pickled(bytes) => Value::Pickled(bytes.clone_ref(py)),
        }
    }

    /// Bytes the value counts for against `MAX_BYTES`: the UTF-8 length of a `str`, the
    /// length of `bytes` or of a pickle, 8 for numbers and constants.
    pub fn size(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(match self {
            Value::Int(_) => 8,
            Value::Pickled(bytes) => bytes.bind(py).as_bytes().len(),
            Value::Shared(obj) => {
                let obj = obj.bind(py);
                if let Ok(s) = obj.cast::<PyString>() {
                    utf8_len(s)?
                } else if let Ok(b) = obj.cast::<PyBytes>() {
                    b.as_bytes().len()
                } else {
                    8
                }
            }
        })
    }
}
