//! Least recently used: the `lru` crate's map, whose hash table and recency list are one
//! structure, so a hit costs one lookup and one relink. Django's cull ([`super::cull`])
//! picks its victims from the same order.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};
use std::num::NonZeroUsize;

use lru::LruCache;

pub struct Lru<K, E, S> {
    map: LruCache<K, E, S>,
}

impl<K: Hash + Eq, E, S: BuildHasher> Lru<K, E, S> {
    /// At most `max_entries` (at least 1), without allocating for all of them up front
    /// (`LruCache::with_hasher` would reserve the whole capacity).
    pub fn new(max_entries: usize, hasher: S) -> Self {
        let mut map = LruCache::unbounded_with_hasher(hasher);
        map.resize(NonZeroUsize::new(max_entries.max(1)).expect("at least 1"));
        Lru { map }
    }

    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&mut E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_mut(key)
    }

    pub fn get_key_value_mut<Q>(&mut self, key: &Q) -> Option<(&K, &mut E)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.get_key_value_mut(key)
    }

    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.peek(key)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Inserts as most recently used; hands back the entry it displaced: the old one of
    /// `key`, or the least recently used when the map was full.
    #[inline]
    pub fn push(&mut self, key: K, entry: E) -> Option<(K, E)> {
        self.map.push(key, entry)
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<(K, E)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.map.pop_entry(key)
    }

    pub fn pop_victim(&mut self) -> Option<(K, E)> {
        self.map.pop_lru()
    }

    pub fn resize(&mut self, max_entries: usize) {
        self.map.resize(NonZeroUsize::new(max_entries.max(1)).expect("at least 1"));
    }

    /// The least recently used key.
    pub fn last(&self) -> Option<&K> {
        self.map.peek_lru().map(|(k, _)| k)
    }

    /// Most recently used first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &E)> {
        self.map.iter()
    }
}
