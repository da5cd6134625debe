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

impl Error {
    /// The message of every variant but `ValueTooLarge`, as `(before, detail, after)`:
    /// a binding can join them without `core::fmt` (the wasm store module leaves the
    /// formatting machinery out that way; bindings-js/src/error.rs).
    pub fn message_parts(&self) -> Option<(&'static str, &str, &'static str)> {
        Some(match self {
            Error::InvalidTimeout(msg) => ("invalid timeout: ", msg, ""),
            Error::InvalidConfig(msg) => ("invalid cache configuration: ", msg, ""),
            Error::ValueTooLarge { .. } => return None,
            Error::KeyNotFound(key) => ("Key '", key, "' not found"),
            Error::NotAnInteger(key) => ("value for key '", key, "' is not an integer"),
            Error::Overflow(key) => ("incrementing key '", key, "' overflows a 64-bit integer"),
            Error::Snapshot(msg) => ("invalid snapshot: ", msg, ""),
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Error::ValueTooLarge { key, size, max_bytes } = self {
            return write!(
                f,
                "value for key {key:?} takes {size} bytes, more than the cache's whole bound of {max_bytes} bytes"
            );
        }
        let (before, detail, after) = self.message_parts().unwrap_or(("", "", ""));
        f.write_str(before)?;
        f.write_str(detail)?;
        f.write_str(after)
    }
}

impl std::error::Error for Error {}

/// Shorthand for results of the core.
pub type Result<T> = std::result::Result<T, Error>;
