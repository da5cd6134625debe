//! Timeouts and clocks as Python gives them: seconds (`int`/`float`), `None` for never,
//! a "default" marker, and a clock that reads `time.time()`-like callables.

use polycache::{Clock, SystemClock, Timeout};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyFloat, PyInt};
use pyo3::Borrowed;

/// The marker for "the cache's default timeout" (`polycache.DEFAULT_TIMEOUT`).
#[pyclass(module = "polycache._native", frozen, name = "_DefaultTimeout")]
pub struct DefaultTimeout;

#[pymethods]
impl DefaultTimeout {
    fn __repr__(&self) -> &'static str {
        "DEFAULT_TIMEOUT"
    }
}

static DEFAULT: PyOnceLock<Py<DefaultTimeout>> = PyOnceLock::new();

/// The one `DEFAULT_TIMEOUT` object.
pub fn default_marker(py: Python<'_>) -> PyResult<&Py<DefaultTimeout>> {
    DEFAULT.get_or_try_init(py, || Py::new(py, DefaultTimeout))
}

/// A `timeout` argument that distinguishes "not given" from an explicit `None`.
pub struct TimeoutArg(pub Option<Py<PyAny>>);

impl<'a, 'py> FromPyObject<'a, 'py> for TimeoutArg {
    type Error = PyErr;
    fn extract(obj: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        Ok(TimeoutArg(Some(obj.to_owned().unbind())))
    }
}

impl TimeoutArg {
    /// The core timeout this argument names; `marker` is the host's own "default"
    /// object (Django's `DEFAULT_TIMEOUT`), recognised besides polycache's.
    pub fn resolve(&self, py: Python<'_>, marker: Option<&Py<PyAny>>) -> PyResult<Timeout> {
        match &self.0 {
            None => Ok(Timeout::Default),
            Some(obj) => timeout_of(obj.bind(py), marker),
        }
    }
}

/// Converts seconds / `None` / a default marker to a [`Timeout`].
pub fn timeout_of(obj: &Bound<'_, PyAny>, marker: Option<&Py<PyAny>>) -> PyResult<Timeout> {
    let py = obj.py();
    if marker.is_some_and(|m| obj.is(m)) || obj.is(default_marker(py)?) {
        return Ok(Timeout::Default);
    }
    if obj.is_none() {
        return Ok(Timeout::Never);
    }
    if obj.is_instance_of::<PyFloat>() {
        return Ok(Timeout::Seconds(obj.extract::<f64>()?));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Timeout::Seconds(n as f64));
        }
        return Ok(Timeout::Seconds(match obj.extract::<f64>() {
            Ok(s) => s,
            // An int too large for a float is as good as infinite, either way.
            Err(_) if obj.gt(0)? => f64::INFINITY,
            Err(_) => f64::NEG_INFINITY,
        }));
    }
    Err(PyTypeError::new_err(format!(
        "timeout must be a number of seconds, None (never expire) or DEFAULT_TIMEOUT, not {}",
        obj.get_type().name()?
    )))
}

/// A clock reading a Python callable that returns seconds since the epoch (as
/// `time.time` does); tests pass a fake one to move time without sleeping.
pub struct PyClock(pub Py<PyAny>);

impl Clock for PyClock {
    fn now_ms(&self) -> u64 {
        Python::attach(
            |py| match self.0.call0(py).and_then(|t| t.extract::<f64>(py)) {
                Ok(secs) if secs.is_finite() && secs > 0.0 => (secs * 1000.0) as u64,
                Ok(_) => 0,
                Err(err) => {
                    // A clock cannot fail in the core; report it and fall back to the real time.
                    err.write_unraisable(py, Some(self.0.bind(py)));
                    SystemClock.now_ms()
                }
            },
        )
    }
}
