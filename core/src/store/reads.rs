//! The store's reads: a get (a use, counted), and looks that change nothing: peeks,
//! expiries, the keys and entries in the policy's order.

use super::*;

impl<K: Hash + Eq + Ord + Clone, V, S: Indexing<K>> Store<K, V, S> {
    /// Reads `key` as a use (it becomes most recently used), applying `f` to the value.
    /// Expired entries are reclaimed and read as missing.
    #[inline]
    pub fn get_with<Q, R>(&mut self, key: &Q, now: u64, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        match self.map.get(key) {
            Some(e) if e.expires_at > now => {
                self.stats.hits += 1;
                return Some(f(&e.value));
            }
            Some(_) => self.expire(key),
            None => {}
        }
        self.stats.misses += 1;
        None
    }

    /// Like [`Store::get_with`], returning a clone of the value.
    pub fn get<Q>(&mut self, key: &Q, now: u64) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
        V: Clone,
    {
        self.get_with(key, now, V::clone)
    }

    /// Looks at a live value without making it recently used or counting a read.
    pub fn peek<Q>(&self, key: &Q, now: u64) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.map.peek(key).filter(|e| e.expires_at > now).map(|e| &e.value)
    }

    /// True when `key` holds a live entry (no recency change, no read counted).
    pub fn contains<Q>(&self, key: &Q, now: u64) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.peek(key, now).is_some()
    }

    /// True when `key` holds an entry, live or expired but not yet reclaimed. Hosts that
    /// map their own keys to store keys (the JS binding's integer slots) use it to tell a
    /// value that left the store from one that was replaced in place.
    pub fn holds<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.map.contains(key)
    }

    /// The expiry of a live entry; `None` when there is none.
    pub fn expiry<Q>(&self, key: &Q, now: u64) -> Option<Expiry>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.map.peek(key).filter(|e| e.expires_at > now).map(|e| decode_expiry(e.expires_at))
    }

    /// Live keys, most recently used first.
    pub fn keys(&self, now: u64) -> Vec<K> {
        self.map.iter().filter(|(_, e)| e.expires_at > now).map(|(k, _)| k.clone()).collect()
    }

    /// The key the policy's order lists last, expired or not (LRU: the least recently
    /// used, its next victim), without walking the entries.
    pub fn last_key(&self) -> Option<&K> {
        self.map.last()
    }

    /// True when some entry held may expire (it has an expiry record).
    pub fn may_expire(&self) -> bool {
        !self.expiries.is_empty()
    }

    /// A copy of [`Store::last_key`], which a dense LRU names without reading its entry.
    pub fn lru_key(&self) -> Option<K> {
        self.map.last_key()
    }

    /// Live entries with their expiries and charges, least recently used first (the
    /// order in which re-inserting them rebuilds the same recency).
    pub fn entries(&self, now: u64) -> impl Iterator<Item = (&K, &V, Expiry, usize)> {
        self.map
            .iter()
            .rev()
            .filter(move |(_, e)| e.expires_at > now)
            .map(|(k, e)| (k, &e.value, decode_expiry(e.expires_at), e.charge))
    }
}
