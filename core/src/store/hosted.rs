//! Writes by a host whose store keys and values are slots it numbers itself and whose
//! real values it keeps (the JS binding): the store's decisions and counters of a
//! `set`, without handing values back and forth.

use super::*;

impl<K: Hash + Eq + Ord + Clone, V, S: Indexing<K>> Store<K, V, S> {
    /// A write of a held `key` that keeps its value, charge and expiry: counted as a
    /// set, and the entry is used as a write uses it (LRU: the most recently used).
    /// Only for an entry that never expires: false, and nothing done, for any other.
    pub fn rewrite<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        if !matches!(self.map.peek(key), Some(e) if e.expires_at == NEVER) {
            return false;
        }
        self.next_fingerprint = None;
        self.map.rewrite(key);
        self.stats.sets += 1;
        true
    }

    /// A write of a new key into a full LRU store where nothing expires and nothing is
    /// charged, made in the place of the entry it evicts: that entry (the least
    /// recently used) becomes the most recently used and stands for the new one, its key
    /// and value kept, counted as a set and an eviction: the order and counters of
    /// `set` with a new key that never expires, charged 0. The key, for the host to give
    /// the new entry; None, and nothing done, in any other store.
    pub fn recycle_lru(&mut self) -> Option<K> {
        // No expiry record means no entry has ever been given an expiry it still has
        // (records leave the index only with their entry, or as stale ones), and no
        // bytes means every charge is 0: the victim is what `set` would evict.
        let lru_only = matches!(self.config.eviction, Eviction::Lru) && self.config.max_bytes.is_none();
        if !lru_only || !self.expiries.is_empty() || self.bytes != 0 || self.map.len() < self.config.max_entries {
            return None;
        }
        let key = self.map.last()?.clone();
        self.next_fingerprint = None;
        self.map.rewrite(&key);
        self.stats.sets += 1;
        self.stats.evictions += 1;
        Some(key)
    }
}
