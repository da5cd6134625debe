//! Where the adaptive policy finds a key's entry among its queues' slots: a hash table
//! of slot numbers for any key, or, for a host's dense `u32` slots ([`super::Slots`]),
//! an array indexed by the key, so a hit hashes nothing.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

use super::dense::index;
use super::queues::{Slot, NIL};

pub trait KeyTable<K> {
    /// The slot holding `key`, looked up among `slots`.
    fn find<Q: Hash + Eq + ?Sized, E>(&self, key: &Q, slots: &[Slot<K, E>]) -> Option<u32>
    where
        K: Borrow<Q>;
    /// Records that `key` (not held) is now at slot `i`; `slots` holds the others.
    fn insert<E>(&mut self, key: &K, i: u32, slots: &[Slot<K, E>]);
    /// Forgets `key`, held at slot `i`.
    fn remove(&mut self, key: &K, i: u32);
}

pub struct Hashed<S> {
    table: HashTable<u32>,
    hasher: S,
}

impl<S> Hashed<S> {
    pub fn new(hasher: S) -> Self {
        Hashed { table: HashTable::new(), hasher }
    }
}

impl<K: Hash + Eq, S: BuildHasher> KeyTable<K> for Hashed<S> {
    #[inline]
    fn find<Q: Hash + Eq + ?Sized, E>(&self, key: &Q, slots: &[Slot<K, E>]) -> Option<u32>
    where
        K: Borrow<Q>,
    {
        let h = self.hasher.hash_one(key);
        self.table.find(h, |&i| slots[i as usize].kv.as_ref().is_some_and(|(k, _)| k.borrow() == key)).copied()
    }

    fn insert<E>(&mut self, key: &K, i: u32, slots: &[Slot<K, E>]) {
        let h = self.hasher.hash_one(key);
        let hasher = &self.hasher;
        self.table.insert_unique(h, i, |&j| hasher.hash_one(&slots[j as usize].kv.as_ref().expect("live").0));
    }

    fn remove(&mut self, key: &K, i: u32) {
        let h = self.hasher.hash_one(key);
        self.table.find_entry(h, |&j| j == i).expect("indexed").remove();
    }
}

/// Slot numbers by key; `NIL` where no entry is. Grows to the largest key written.
#[derive(Default)]
pub struct ByKey {
    at: Vec<u32>,
}

impl<K: Hash> KeyTable<K> for ByKey {
    #[inline]
    fn find<Q: Hash + Eq + ?Sized, E>(&self, key: &Q, _: &[Slot<K, E>]) -> Option<u32>
    where
        K: Borrow<Q>,
    {
        self.at.get(index(key)).copied().filter(|&i| i != NIL)
    }

    fn insert<E>(&mut self, key: &K, i: u32, _: &[Slot<K, E>]) {
        let k = index(key);
        if k >= self.at.len() {
            let n = (k + 1).max(self.at.len() * 2).max(64);
            self.at.resize(n, NIL);
        }
        self.at[k] = i;
    }

    fn remove(&mut self, key: &K, _: u32) {
        if let Some(x) = self.at.get_mut(index(key)) {
            *x = NIL;
        }
    }
}
