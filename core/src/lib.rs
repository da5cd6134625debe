#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

mod age;
mod cache;
mod error;
pub mod generations;
mod hasher;
mod key;
mod policy;
pub mod snapshot;
mod stats;
mod store;
mod store_key;
#[cfg(test)]
mod test_rng;
mod ttl;

pub use age::Age;
pub use cache::{entry_charge, Cache, CacheBuilder, ENTRY_OVERHEAD};
pub use error::{Error, Result};
pub use hasher::{random_seeds, seeded_hasher, KeyHasher};
pub use key::{
    escape_component, key_warnings, make_key, namespaced_key, sha256_hex, shorten_key, KeyBuilder, KeyWarning,
    DEFAULT_MAX_KEY_LENGTH, MEMCACHE_MAX_KEY_LENGTH,
};
pub use stats::Stats;
pub use policy::{fingerprint, fingerprint_text, fingerprint_utf8, Indexing, Recency, Slots};
pub use store::{Config, Counter, Eviction, Store};
pub use store_key::{Key, INLINE_KEY_BYTES};
pub use ttl::{Clock, Expiry, MockClock, SystemClock, Timeout, DEFAULT_TIMEOUT_SECS, MAX_EXPIRY_MS};

/// The repository README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct RootReadmeDoctests;
