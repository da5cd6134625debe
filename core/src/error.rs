//! The one error type of the core. Each binding maps it exactly once
//! (Python: `ValueError` and friends; JS: `Error` subclasses).

use std::fmt;

/// Everything that can go wrong inside the core.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A timeout that is not a number (NaN).
    InvalidTimeout(String),
    /// A configuration value that would make the cache misbehave
    /// (zero or negative bounds, a nonsensical cull frequency).
    InvalidConfig(String),
    /// A single value whose charge is larger than the cache's byte bound.
    ValueTooLarge { key: String, size: usize, max_bytes: usize },
    /// `incr`/`decr` on a key that does not exist (Django: `ValueError`).
    KeyNotFound(String),
    /// `incr`/`decr` on a value that is not an integer.
    NotAnInteger(String),
    /// `incr`/`decr` whose result does not fit in 64 bits.
    Overflow(String),
    /// A snapshot that cannot be read (truncated, corrupt, wrong version, bad signature).
    Snapshot(String),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidTimeout(msg) => write!(f, "invalid timeout: {msg}"),
            Error::InvalidConfig(msg) => write!(f, "invalid cache configuration: {msg}"),
            Error::ValueTooLarge { key, size, max_bytes } => write!(
                f,
                "value for key {key:?} takes {size} bytes, more than the cache's whole bound of {max_bytes} bytes"
            ),
            Error::KeyNotFound(key) => write!(f, "Key '{key}' not found"),
            Error::NotAnInteger(key) => write!(f, "value for key '{key}' is not an integer"),
            Error::Overflow(key) => write!(f, "incrementing key '{key}' overflows a 64-bit integer"),
            Error::Snapshot(msg) => write!(f, "invalid snapshot: {msg}"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of the core.
pub type Result<T> = std::result::Result<T, Error>;
