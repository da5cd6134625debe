//! Least recently used: the `lru` crate's map, whose hash table and recency list are one
//! structure, so a hit costs one lookup and one relink. Django's cull ([`super::cull`])
//! picks its victims from the same order. For any key; a host's dense slot numbers
//! have their own, unhashed order ([`super::Dense`]).

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};
use std::num::NonZeroUsize;

use lru::LruCache;

use super::Recency;

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
}

impl<K: Hash + Eq, E, S: BuildHasher> Recency<K, E> for Lru<K, E, S> {
    #[inline]
    fn get<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut E>
    where
        K: Borrow<Q>,
    {
        self.map.get_mut(key)
    }

    fn get_key_value_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<(&K, &mut E)>
    where
        K: Borrow<Q>,
    {
        self.map.get_key_value_mut(key)
    }

    #[inline]
    fn peek<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&E>
    where
        K: Borrow<Q>,
    {
        self.map.peek(key)
    }

    fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<(K, E)>
    where
        K: Borrow<Q>,
    {
        self.map.pop_entry(key)
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    #[inline]
    fn push(&mut self, key: K, entry: E) -> Option<(K, E)> {
        self.map.push(key, entry)
    }

    fn pop_victim(&mut self) -> Option<(K, E)> {
        self.map.pop_lru()
    }

    fn resize(&mut self, max_entries: usize) {
        self.map.resize(NonZeroUsize::new(max_entries.max(1)).expect("at least 1"));
    }

    fn last(&self) -> Option<&K> {
        self.map.peek_lru().map(|(k, _)| k)
    }

    fn iter<'a>(&'a self) -> impl DoubleEndedIterator<Item = (&'a K, &'a E)>
    where
        K: 'a,
        E: 'a,
    {
        self.map.iter()
    }
}
