//! The one place where core errors become Python exceptions.
//!
//! Django's own exception types are used where Django defines the case (`ValueError` for
//! a missing key on `incr`, `TypeError` for a value that is not a number); the rest are
//! `ValueError` subclasses, so `except ValueError` catches every bad input.

use polycache::Error;
use pyo3::create_exception;
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyValueError};
use pyo3::PyErr;

create_exception!(
    _native,
    ValueTooLargeError,
    PyValueError,
    "A value larger than the cache's whole byte bound (MAX_BYTES); the cache keeps what it had."
);
create_exception!(
    _native,
    InvalidTimeoutError,
    PyValueError,
    "A timeout that is not a number (NaN)."
);
create_exception!(
    _native,
    InvalidConfigError,
    PyValueError,
    "A cache setting that would make the cache misbehave (MAX_ENTRIES < 1, MAX_BYTES < 1, ...)."
);
create_exception!(
    _native,
    SnapshotError,
    PyValueError,
    "A snapshot that cannot be read."
);

/// Maps a core error to its Python exception. The store reports errors without the key,
/// so `key` (the key as the caller wrote it) fills the gap.
pub fn to_py(err: Error, key: &str) -> PyErr {
    let err = match err {
        Error::ValueTooLarge {
            key: k,
            size,
            max_bytes,
        } if k.is_empty() => Error::ValueTooLarge {
            key: key.to_owned(),
            size,
            max_bytes,
        },
        Error::KeyNotFound(k) if k.is_empty() => Error::KeyNotFound(key.to_owned()),
        Error::NotAnInteger(k) if k.is_empty() => Error::NotAnInteger(key.to_owned()),
        Error::Overflow(k) if k.is_empty() => Error::Overflow(key.to_owned()),
        other => other,
    };
    let msg = err.to_string();
    match err {
        Error::InvalidTimeout(_) => InvalidTimeoutError::new_err(msg),
        Error::InvalidConfig(_) => InvalidConfigError::new_err(msg),
        Error::ValueTooLarge { .. } => ValueTooLargeError::new_err(msg),
        Error::KeyNotFound(_) => PyValueError::new_err(msg),
        Error::NotAnInteger(_) => PyTypeError::new_err(msg),
        Error::Overflow(_) => PyOverflowError::new_err(msg),
        Error::Snapshot(_) => SnapshotError::new_err(msg),
    }
}

/// For errors that concern no key (configuration, timeouts).
pub fn to_py_nokey(err: Error) -> PyErr {
    to_py(err, "")
}
