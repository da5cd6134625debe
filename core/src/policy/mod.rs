//! The policy seam: the store ([`crate::Store`]) keeps bounds, expiries, bytes and
//! counters; a policy holds the entries in its own order and decides which one leaves.
//! An enum rather than a trait object: a hit is one predictable branch away from the
//! policy's own code, which LRU's speed needs.

#[cfg(feature = "adaptive")]
mod adaptive;
mod dense;
#[cfg(feature = "adaptive")]
mod ghost;
mod key_table;
pub mod cull;
mod lru;
// (Without the adaptive policy, only what the LRU family shares with it is used.)
#[cfg_attr(not(feature = "adaptive"), allow(dead_code))]
mod queues;
#[cfg_attr(not(feature = "adaptive"), allow(dead_code))]
mod sketch;

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

#[cfg(feature = "adaptive")]
pub use adaptive::Adaptive;
pub use dense::{Dense, Slots};
pub use key_table::{ByKey, Hashed, KeyTable};
pub use sketch::{fingerprint, fingerprint_text, fingerprint_utf8};
pub use lru::Lru;

/// How a store's hasher type has the LRU family keep its entries: in the `lru` crate's
/// hash map (the keyed default, for any key), or in arrays indexed by the key
/// ([`Slots`], for `u32` slots a host numbers densely). A type, not a flag, so a host
/// links only the one it uses.
pub trait Indexing<K>: BuildHasher + Clone {
    type Lru<E>: Recency<K, E>;
    /// Where the adaptive policy finds a key's slot.
    type Table: KeyTable<K>;
    fn lru<E>(max_entries: usize, hasher: Self) -> Self::Lru<E>;
    fn table(hasher: Self) -> Self::Table;
}

impl<K: Hash + Eq> Indexing<K> for crate::KeyHasher {
    type Lru<E> = Lru<K, E, Self>;
    type Table = Hashed<Self>;
    fn lru<E>(max_entries: usize, hasher: Self) -> Self::Lru<E> {
        Lru::new(max_entries, hasher)
    }
    fn table(hasher: Self) -> Self::Table {
        Hashed::new(hasher)
    }
}

impl<S: BuildHasher + Clone> Indexing<u32> for Slots<S> {
    type Lru<E> = Dense<u32, E>;
    type Table = ByKey;
    fn lru<E>(max_entries: usize, _: Self) -> Self::Lru<E> {
        Dense::new(max_entries)
    }
    fn table(_: Self) -> Self::Table {
        ByKey::default()
    }
}

/// An LRU order of entries (`lru.rs`, `dense.rs`): the calls of [`Policy`] below.
pub trait Recency<K, E> {
    fn get<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut E>
    where
        K: Borrow<Q>;
    fn get_key_value_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<(&K, &mut E)>
    where
        K: Borrow<Q>;
    fn peek<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&E>
    where
        K: Borrow<Q>;
    /// `get` for its effect on the order alone: true when `key` is held.
    fn touch<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        self.get(key).is_some()
    }
    /// `touch` of each key in turn: how many were held.
    #[inline]
    fn touch_all(&mut self, keys: impl Iterator<Item = K>) -> usize
    where
        K: Hash + Eq,
    {
        keys.filter(|k| self.touch(k)).count()
    }
    fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<(K, E)>
    where
        K: Borrow<Q>;
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Inserts as most recently used; the entry it displaced: the old one of `key`, or
    /// the least recently used when full.
    fn push(&mut self, key: K, entry: E) -> Option<(K, E)>;
    /// `push` of the entry `entry` makes, made where it is stored when the order can.
    #[inline]
    fn push_with(&mut self, key: K, entry: impl FnOnce() -> E) -> Option<(K, E)> {
        self.push(key, entry())
    }
    /// `push` of the run `nth(0)`, `nth(1)`, ... (None past its end) while its key is not
    /// held: a host's run of new keys below the bound (the caller has checked the room
    /// for them). How many it pushed, from the first.
    #[inline]
    fn push_new(&mut self, mut nth: impl FnMut(usize) -> Option<(K, E)>) -> usize
    where
        K: Hash + Eq,
    {
        let mut pushed = 0;
        while let Some((key, entry)) = nth(pushed) {
            if self.peek(&key).is_some() {
                break;
            }
            self.push(key, entry);
            pushed += 1;
        }
        pushed
    }
    fn pop_victim(&mut self) -> Option<(K, E)>;
    /// The least recently used key made the most recently used, as a rewrite of it
    /// would (a full host's new key taking the victim's place); that key.
    #[inline]
    fn recycle_last(&mut self) -> Option<K>
    where
        K: Clone + Hash + Eq,
    {
        let key = self.last_key()?;
        self.touch(&key);
        Some(key)
    }
    fn resize(&mut self, max_entries: usize);
    /// Where the order's links are, for a host that reads them in place: two u32 per
    /// index, its previous (less recently used) index then its next; index 0 is the
    /// list's head, whose previous is the least recently used index (0 when empty), and
    /// key `n` is index `n + 1`. The address holds until the policy grows past the keys it
    /// laid out. A dense policy's; None for the others.
    fn links(&self) -> Option<(*const u32, usize)> {
        None
    }
    /// Where [`Recency::links`] stay: `(below, room)`, a push of any index below `below`
    /// (any number of them) leaves the links where they are, and their allocation holds
    /// `room` indexes (those past the links' length unwritten until pushed). None where
    /// there are no links.
    fn links_stay(&self) -> Option<(usize, usize)> {
        None
    }
    /// The least recently used key.
    fn last(&self) -> Option<&K>;
    /// A copy of the least recently used key.
    fn last_key(&self) -> Option<K>
    where
        K: Clone,
    {
        self.last().cloned()
    }
    /// Most recently used first.
    fn iter<'a>(&'a self) -> impl DoubleEndedIterator<Item = (&'a K, &'a E)>
    where
        K: 'a,
        E: 'a;
}

pub enum Policy<K, E, S: Indexing<K>> {
    /// LRU order; also Django's cull, which takes its victims in that order.
    Lru(S::Lru<E>),
    /// Boxed: its sketch, ghosts and queues would make every store as large as an
    /// adaptive one (~1 KB in wasm), and a host that makes many small caches pays per store.
    #[cfg(feature = "adaptive")]
    Adaptive(Box<Adaptive<K, E, S::Table>>),
}

/// Dispatches one call to whichever policy is in use.
macro_rules! each {
    ($self:expr, $p:ident => $body:expr) => {
        match $self {
            Policy::Lru($p) => $body,
            #[cfg(feature = "adaptive")]
            Policy::Adaptive($p) => $body,
        }
    };
}

impl<K: Hash + Eq, E, S: Indexing<K>> Policy<K, E, S> {
    /// A read: the entry, counted as used.
    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&mut E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        each!(self, p => p.get(key))
    }

    /// A held key written again with the entry it has: what `push` does to its place and
    /// counts, without replacing the entry; false when the key is not held.
    pub fn rewrite<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self {
            Policy::Lru(p) => p.touch(key),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(p) => p.rewrite(key),
        }
    }

    /// `rewrite`, handing back the entry to change in place.
    pub fn rewrite_mut<Q>(&mut self, key: &Q) -> Option<(&K, &mut E)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self {
            Policy::Lru(p) => p.get_key_value_mut(key),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(p) => p.rewrite_mut(key),
        }
    }

    /// `get` for its effect alone (the order, the adaptive policy's counts): true when
    /// `key` is held.
    #[inline]
    pub fn touch<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        match self {
            Policy::Lru(p) => p.touch(key),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(p) => p.get(key).is_some(),
        }
    }

    /// `touch` of each key in turn, the policy chosen once for the run (`get`, which
    /// reads each entry, with `read_entries`): how many were held.
    #[inline]
    pub fn touch_all(&mut self, keys: impl Iterator<Item = K>, read_entries: bool) -> usize {
        match self {
            Policy::Lru(p) if read_entries => keys.filter(|k| p.get(k).is_some()).count(),
            Policy::Lru(p) => p.touch_all(keys),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(p) => keys.filter(|k| p.get(k).is_some()).count(),
        }
    }

    pub fn get_key_value_mut<Q>(&mut self, key: &Q) -> Option<(&K, &mut E)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        each!(self, p => p.get_key_value_mut(key))
    }

    /// A look that changes nothing.
    #[inline]
    pub fn peek<Q>(&self, key: &Q) -> Option<&E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        each!(self, p => p.peek(key))
    }

    pub fn contains<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.peek(key).is_some()
    }

    pub fn len(&self) -> usize {
        each!(self, p => p.len())
    }

    /// `push` of the entry `entry` makes (the LRU family makes it where it stores it).
    #[inline]
    #[cfg_attr(not(feature = "adaptive"), allow(unused_variables))]
    pub fn push_with(&mut self, key: K, entry: impl FnOnce() -> E, fingerprint: Option<u64>) -> Option<(K, E)> {
        match self {
            Policy::Lru(p) => p.push_with(key, entry),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(p) => p.push(key, entry(), fingerprint),
        }
    }

    /// [`Recency::push_new`]; the adaptive policy takes none.
    #[inline]
    pub fn push_new(&mut self, nth: impl FnMut(usize) -> Option<(K, E)>) -> usize {
        match self {
            Policy::Lru(p) => p.push_new(nth),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(_) => 0,
        }
    }

    /// Inserts; the displaced entry: the old one of `key`, or a victim when full.
    /// `fingerprint` stands for the key's own in the adaptive policy's history.
    #[inline]
    #[cfg_attr(not(feature = "adaptive"), allow(unused_variables))]
    pub fn push(&mut self, key: K, entry: E, fingerprint: Option<u64>) -> Option<(K, E)> {
        match self {
            Policy::Lru(p) => p.push(key, entry),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(p) => p.push(key, entry, fingerprint),
        }
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<(K, E)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        each!(self, p => p.remove(key))
    }

    /// The entry the policy gives up next (never the one just written while another
    /// is left).
    pub fn pop_victim(&mut self) -> Option<(K, E)> {
        each!(self, p => p.pop_victim())
    }

    pub fn resize(&mut self, max_entries: usize) {
        each!(self, p => p.resize(max_entries))
    }

    /// [`Recency::links`] of the LRU order; None for the adaptive policy.
    pub fn links(&self) -> Option<(*const u32, usize)> {
        match self {
            Policy::Lru(p) => p.links(),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(_) => None,
        }
    }

    /// [`Recency::links_stay`] of the LRU order; None for the adaptive policy.
    pub fn links_stay(&self) -> Option<(usize, usize)> {
        match self {
            Policy::Lru(p) => p.links_stay(),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(_) => None,
        }
    }

    /// The key [`Policy::iter`] lists last (LRU: the least recently used), without
    /// iterating (a boxed iterator allocates).
    pub fn last(&self) -> Option<&K> {
        match self {
            Policy::Lru(p) => p.last(),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(p) => p.iter().next_back().map(|(k, _)| k),
        }
    }

    /// `Recency::recycle_last` in the LRU order, one dispatch for the victim and its
    /// move (the `Cache`'s evictions); None, and nothing done, for the adaptive policy.
    #[inline]
    pub fn recycle_last(&mut self) -> Option<K>
    where
        K: Clone,
    {
        match self {
            Policy::Lru(p) => p.recycle_last(),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(_) => None,
        }
    }

    /// A copy of the key `last` gives, which a dense LRU names without reading its entry.
    pub fn last_key(&self) -> Option<K>
    where
        K: Clone,
    {
        match self {
            Policy::Lru(p) => p.last_key(),
            #[cfg(feature = "adaptive")]
            Policy::Adaptive(_) => self.last().cloned(),
        }
    }

    /// Every entry, the most valued first and the next victims last.
    pub fn iter(&self) -> Box<dyn DoubleEndedIterator<Item = (&K, &E)> + '_> {
        each!(self, p => Box::new(p.iter()))
    }
}
