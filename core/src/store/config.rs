//! What a store is built with: its bounds and eviction policy; and the values whose
//! integers `incr`/`decr` work on.

use crate::error::{Error, Result};

/// How a full store makes room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Evict the least recently used entry, one at a time.
    Lru,
    /// Django's batch cull: when a new key arrives and the store holds `max_entries`,
    /// drop the `len / frequency` least recently used entries (at least one), or every
    /// entry when `frequency` is 0. Expired entries are purged before culling.
    Cull { frequency: usize },
    /// Scan-resistant and frequency-aware (W-TinyLFU with a ghost-sized window; see
    /// `core/src/policy/adaptive.rs`): a one-off scan does not flush the hot set, and a
    /// loop larger than the cache still hits. Deterministic on every host.
    Adaptive,
}

/// Bounds and eviction policy of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Most entries held at once (at least 1).
    pub max_entries: usize,
    /// Most bytes charged at once, if bounded (at least 1).
    pub max_bytes: Option<usize>,
    pub eviction: Eviction,
}

impl Config {
    /// An LRU store of at most `max_entries` entries.
    pub fn lru(max_entries: usize) -> Self {
        Config { max_entries, max_bytes: None, eviction: Eviction::Lru }
    }

    /// A store that culls as Django's LocMemCache does.
    pub fn django(max_entries: usize, cull_frequency: usize) -> Self {
        Config { max_entries, max_bytes: None, eviction: Eviction::Cull { frequency: cull_frequency } }
    }

    /// Rejects bounds that would let the store misbehave.
    pub fn validate(&self) -> Result<()> {
        if self.max_entries == 0 {
            return Err(Error::InvalidConfig("max_entries must be at least 1".into()));
        }
        if self.max_bytes == Some(0) {
            return Err(Error::InvalidConfig("max_bytes must be at least 1".into()));
        }
        #[cfg(not(feature = "adaptive"))]
        if self.eviction == Eviction::Adaptive {
            return Err(Error::InvalidConfig("the adaptive policy needs polycache's `adaptive` feature".into()));
        }
        Ok(())
    }
}

/// Values that `incr`/`decr` can work on.
pub trait Counter: Sized {
    /// The integer this value holds, if it is one.
    fn as_counter(&self) -> Option<i64>;
    /// A value holding `n`.
    fn from_counter(n: i64) -> Self;
}

impl Counter for i64 {
    fn as_counter(&self) -> Option<i64> {
        Some(*self)
    }
    fn from_counter(n: i64) -> Self {
        n
    }
}

// Run by `make test` with the core's default features off (mk/rust.mk).
#[cfg(all(test, not(feature = "adaptive")))]
mod without_adaptive {
    use super::*;
    use crate::{CacheBuilder, Store};

    #[test]
    fn the_adaptive_policy_is_a_config_error_and_lru_works() {
        let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(8) };
        assert!(matches!(Store::<u32, u32>::new(adaptive), Err(Error::InvalidConfig(m)) if m.contains("`adaptive` feature")));
        // The core's Cache defaults to it: a clear error, not a panic.
        assert!(matches!(CacheBuilder::<u32>::new(8).build(), Err(Error::InvalidConfig(_))));
        let mut lru = Store::<u32, u32>::new(Config::lru(2)).unwrap();
        for k in 0..3 {
            lru.set(k, k, 0, crate::Expiry::Never, 0).unwrap();
        }
        assert_eq!(lru.keys(0), vec![2, 1]);
        let mut store = Store::<u32, u32>::new(Config::lru(2)).unwrap();
        assert!(store.set_config(Config { eviction: Eviction::Adaptive, ..Config::lru(2) }).is_err());
    }
}
