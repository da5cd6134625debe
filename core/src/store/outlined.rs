//! [`Store::set`]'s less common work, in functions of their own that it calls only when
//! there is some: V8 (Liftoff) compiles each wasm function on its first call, whole, so
//! a cache's first write compiles less (bindings-js/wasm-outlined.mjs keeps wasm-opt
//! from inlining them again; docs/js-size-and-speed.md, session 9).

use std::hash::Hash;

use super::{Eviction, Store};
use crate::policy::{cull, Indexing};

impl<K: Hash + Eq + Ord + Clone, V, S: Indexing<K>> Store<K, V, S> {
    /// [`Store::set`] with an expiry already past: removes `key` instead.
    #[cold]
    #[inline(never)]
    pub(super) fn set_past(&mut self, key: K, value: V) {
        self.remove(&key);
        self.dead.push(value);
    }

    /// [`Store::set`] of a new key into a full store that culls or holds entries that
    /// can expire: expired entries go first, then Django's cull (LRU mode lets the map
    /// evict, reusing the evicted entry's node).
    #[inline(never)]
    pub(super) fn make_room(&mut self, key: &K, now: u64) {
        if self.map.contains(key) {
            return;
        }
        self.purge_expired(now);
        let max = self.config.max_entries;
        if let Eviction::Cull { frequency } = self.config.eviction {
            if self.map.len() >= max {
                let count = cull::count(self.map.len(), frequency);
                for _ in 0..count {
                    self.evict_one();
                }
            }
        }
    }

    /// Evicts until the byte bound holds (after [`Store::set`] of a charge that passed it).
    #[inline(never)]
    pub(super) fn evict_over_bytes(&mut self) {
        while self.over_bytes(0) {
            self.evict_one();
        }
    }
}
