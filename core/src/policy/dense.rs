//! Least recently used over dense integer keys: a host that numbers its own keys
//! 0, 1, 2, ... and reuses freed numbers (the JS binding's slots) needs no hash table.
//! Entries sit in a vector at their key's index and the recency list is threaded
//! through a second vector by index, so a hit is a bounds check and four link writes,
//! and a new key is a link at the head: no hashing, no allocation per entry. The same
//! order, counts and victims as [`super::Lru`] (a test runs both side by side).
//!
//! The index of a key is what the key writes when hashed (`u32::hash` writes itself),
//! read by [`SlotIndex`]; a store uses this policy only for `u32` keys, when its hasher
//! is wrapped in [`Slots`]. The arrays grow to the largest key seen, so the host must
//! keep its numbers dense.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher};

use super::Recency;

/// A store hasher whose `u32` keys are slot numbers the host hands out densely (0, 1,
/// 2, ... and freed ones reused): LRU and Django's cull then index entries by slot, in
/// arrays that grow to the largest slot written. `S` hashes the slots for the adaptive
/// policy, which keeps its hash table.
///
/// ```
/// use polycache::{Config, Expiry, Slots, Store};
/// let mut s: Store<u32, &str, Slots<polycache::KeyHasher>> =
///     Store::with_hasher(Config::lru(2), Slots(polycache::seeded_hasher([1, 2, 3, 4])), [5, 6, 7, 8]).unwrap();
/// s.set(0, "a", 0, Expiry::Never, 0).unwrap();
/// s.set(1, "b", 0, Expiry::Never, 0).unwrap();
/// s.get(&0, 0);
/// s.set(2, "c", 0, Expiry::Never, 0).unwrap(); // evicts slot 1
/// assert_eq!(s.keys(0), vec![2, 0]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Slots<S>(pub S);

impl<S: BuildHasher> BuildHasher for Slots<S> {
    type Hasher = S::Hasher;
    fn build_hasher(&self) -> S::Hasher {
        self.0.build_hasher()
    }
}

/// Index 0 of `links` is the list's sentinel: its `next` is the most recently used,
/// its `prev` the least. Key `n` lives at index `n + 1` of both vectors.
const HEAD: usize = 0;

/// The link of an index that holds nothing. A held index is also known by its link, so
/// a hit or a rewrite reads 8 bytes of links and never the entry (`touch`).
const FREE: Link = Link { prev: u32::MAX, next: u32::MAX };

/// `repr(C)`: a host reads the links in place, two u32 per index ([`Recency::links`]).
#[derive(Debug, Clone, Copy, Default)]
#[repr(C)]
struct Link {
    prev: u32,
    next: u32,
}

pub struct Dense<K, E> {
    links: Vec<Link>,
    slots: Vec<Option<(K, E)>>,
    len: usize,
    capacity: usize,
}

/// Reads the integer a key hashes as; a key that is not one integer (never built:
/// the store makes this policy only for `u32` keys) reads as an index past any array.
#[derive(Default)]
struct SlotIndex(Option<u64>);

impl Hasher for SlotIndex {
    fn finish(&self) -> u64 {
        self.0.unwrap_or(u64::MAX)
    }

    fn write(&mut self, _bytes: &[u8]) {
        self.0 = Some(u64::MAX);
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = Some(if self.0.is_none() { u64::from(n) } else { u64::MAX });
    }
}

/// Where `key` lives in the vectors; past their end for a key never written
/// (`usize::MAX` when the number does not fit, so `get` finds nothing).
#[inline]
pub(super) fn index<Q: Hash + ?Sized>(key: &Q) -> usize {
    let mut h = SlotIndex::default();
    key.hash(&mut h);
    usize::try_from(h.finish().saturating_add(1)).unwrap_or(usize::MAX)
}

/// A key a dense policy can name from its index alone: the LRU victim's key comes from
/// the links, without reading its entry (which hits and rewrites leave out of the CPU's
/// cache, see `touch`).
pub trait DenseKey: Hash + Eq + Clone {
    /// The key that lives at index `n + 1` (the one that writes `n` when hashed).
    fn numbered(n: u32) -> Self;
}

impl DenseKey for u32 {
    fn numbered(n: u32) -> u32 {
        n
    }
}

/// Keys laid out up front: a bounded cache reaches its bound, and growing by doubling
/// moves the arrays (on wasm, maybe the memory) several times on the way. Past this
/// bound (no count bound at all, as a cache bounded by size alone), nothing says the
/// cache will fill: the arrays start at GROW_FROM and double as keys arrive (laying
/// out 65,536 entries cost every size-bounded JS cache 3.2 MB of wasm memory).
const RESERVE_UP_TO: usize = 1 << 16;
const GROW_FROM: usize = 64;

impl<K: Hash + Eq, E> Dense<K, E> {
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        // Keys 0..=capacity (a full host hands out one more number for the key that
        // evicts), after the sentinel.
        let n = if capacity <= RESERVE_UP_TO { capacity + 2 } else { GROW_FROM };
        let mut slots = Vec::with_capacity(n);
        slots.resize_with(n, || None);
        let mut links = vec![FREE; n];
        links[HEAD] = Link::default();
        Dense { links, slots, len: 0, capacity }
    }

    /// Makes index `i` (held) the most recently used.
    #[inline]
    fn to_front(links: &mut [Link], i: usize) {
        let Link { prev, next } = links[i];
        if prev as usize == HEAD {
            return;
        }
        links[prev as usize].next = next;
        links[next as usize].prev = prev;
        Self::link_front(links, i);
    }

    #[inline]
    fn link_front(links: &mut [Link], i: usize) {
        let first = links[HEAD].next;
        links[i] = Link { prev: HEAD as u32, next: first };
        links[first as usize].prev = i as u32;
        links[HEAD].next = i as u32;
    }

    /// Takes index `i` (held) out of the list; its link then reads as free.
    fn unlink(links: &mut [Link], i: usize) {
        let Link { prev, next } = links[i];
        links[prev as usize].next = next;
        links[next as usize].prev = prev;
        links[i] = FREE;
    }

    /// Makes index `i` exist, every index up to it free: the vectors' length grows by
    /// GROW_FROM keys past `i` at a time (no further than the links' allocation, while
    /// `i` is within it: so an index below it never moves them, `links_stay`), their
    /// capacity doubling as a vector's does, and the memory past the length is not
    /// written (laying out each doubling whole made a size-bounded cache's fill slower,
    /// and growing a key at a time cost a call a key: docs/js-speed.md, session 19).
    #[cold]
    fn grow(&mut self, i: usize) {
        let n = (i + 1).max((self.slots.len() + GROW_FROM).min(self.links.capacity()));
        self.slots.resize_with(n, || None);
        self.links.resize(n, FREE);
    }

    /// Checks the list against the slots: every held index linked once, both ways.
    #[cfg(test)]
    pub fn validate(&self) {
        let mut seen = 0;
        let mut i = self.links[HEAD].next as usize;
        let mut prev = HEAD;
        while i != HEAD {
            assert!(self.slots[i].is_some(), "linked index {i} holds nothing");
            assert_eq!(self.links[i].prev as usize, prev);
            seen += 1;
            assert!(seen <= self.len, "cycle");
            prev = i;
            i = self.links[i].next as usize;
        }
        assert_eq!(self.links[HEAD].prev as usize, prev);
        assert_eq!(seen, self.len);
        assert_eq!(self.slots.iter().filter(|s| s.is_some()).count(), self.len);
        for (i, s) in self.slots.iter().enumerate().skip(1) {
            assert_eq!(s.is_none(), self.links[i].prev == FREE.prev, "index {i}: its link says held when it is not, or the reverse");
        }
        assert!(self.len <= self.capacity);
    }
}

pub struct Iter<'a, K, E> {
    d: &'a Dense<K, E>,
    front: usize,
    back: usize,
    left: usize,
}

impl<'a, K, E> Iter<'a, K, E> {
    fn at(&self, i: usize) -> Option<(&'a K, &'a E)> {
        self.d.slots[i].as_ref().map(|(k, e)| (k, e))
    }
}

impl<'a, K, E> Iterator for Iter<'a, K, E> {
    type Item = (&'a K, &'a E);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let i = self.front;
        self.front = self.d.links[i].next as usize;
        self.at(i)
    }
}

impl<K, E> DoubleEndedIterator for Iter<'_, K, E> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let i = self.back;
        self.back = self.d.links[i].prev as usize;
        self.at(i)
    }
}

impl<K: DenseKey, E> Dense<K, E> {
    /// Links index `i`, just filled and not linked yet, at the head; the victim it
    /// displaced when the list was full (another entry).
    #[inline]
    fn link_new(&mut self, i: usize) -> Option<(K, E)> {
        let victim = if self.len >= self.capacity { self.pop_victim() } else { None };
        Self::link_front(&mut self.links, i);
        self.len += 1;
        victim
    }
}

impl<K: DenseKey, E> Recency<K, E> for Dense<K, E> {
    #[inline]
    fn get<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<&mut E>
    where
        K: Borrow<Q>,
    {
        let i = index(key);
        let (_, e) = self.slots.get_mut(i)?.as_mut()?;
        Self::to_front(&mut self.links, i);
        Some(e)
    }

    /// Presence from the link alone: the entry is not read.
    #[inline]
    fn touch<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
    {
        let i = index(key);
        match self.links.get(i) {
            Some(l) if l.prev != FREE.prev => {
                Self::to_front(&mut self.links, i);
                true
            }
            _ => false,
        }
    }

    /// Runs of hits on the least recently used entry as a rotation (dense_runs.rs).
    #[inline]
    fn touch_all(&mut self, keys: impl Iterator<Item = K>) -> usize {
        self.touch_run(keys)
    }

    fn get_key_value_mut<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<(&K, &mut E)>
    where
        K: Borrow<Q>,
    {
        let i = index(key);
        let (k, e) = self.slots.get_mut(i)?.as_mut()?;
        Self::to_front(&mut self.links, i);
        Some((&*k, e))
    }

    #[inline]
    fn peek<Q: Hash + Eq + ?Sized>(&self, key: &Q) -> Option<&E>
    where
        K: Borrow<Q>,
    {
        self.slots.get(index(key))?.as_ref().map(|(_, e)| e)
    }

    fn len(&self) -> usize {
        self.len
    }

    fn links(&self) -> Option<(*const u32, usize)> {
        Some((self.links.as_ptr().cast(), self.links.len()))
    }

    /// A push of an index within the links' allocation lays them out no further than it
    /// (`grow`), and a vector's `resize` within its capacity does not move it.
    fn links_stay(&self) -> Option<(usize, usize)> {
        let room = self.links.capacity();
        Some((room, room))
    }

    #[inline]
    fn push(&mut self, key: K, entry: E) -> Option<(K, E)> {
        let i = index(&key);
        if i >= self.slots.len() {
            self.grow(i);
        }
        if let Some(old) = self.slots[i].replace((key, entry)) {
            Self::to_front(&mut self.links, i);
            return Some(old);
        }
        self.link_new(i)
    }

    /// `push`, the entry made here, where it is stored: made by the caller and handed
    /// on, it went through wasm's stack in copies whose loads missed the CPU's store
    /// forwarding (a replayed insert 16.7 -> 8 ns, docs/js-speed-history.md, session 9).
    #[inline]
    fn push_with(&mut self, key: K, entry: impl FnOnce() -> E) -> Option<(K, E)> {
        let i = index(&key);
        if i >= self.slots.len() {
            self.grow(i);
        }
        if let Some(old) = self.slots[i].replace((key, entry())) {
            Self::to_front(&mut self.links, i);
            return Some(old);
        }
        self.link_new(i)
    }

    /// A run of new keys linked at once (dense_runs.rs).
    #[inline]
    fn push_new(&mut self, nth: impl FnMut(usize) -> Option<(K, E)>) -> usize {
        self.push_run(nth)
    }

    fn remove<Q: Hash + Eq + ?Sized>(&mut self, key: &Q) -> Option<(K, E)>
    where
        K: Borrow<Q>,
    {
        let i = index(key);
        let kv = self.slots.get_mut(i)?.take()?;
        Self::unlink(&mut self.links, i);
        self.len -= 1;
        Some(kv)
    }

    fn pop_victim(&mut self) -> Option<(K, E)> {
        let tail = self.links[HEAD].prev as usize;
        if tail == HEAD {
            return None;
        }
        Self::unlink(&mut self.links, tail);
        self.len -= 1;
        self.slots[tail].take()
    }

    /// From the links alone: the victim's entry is not read.
    #[inline(always)]
    fn recycle_last(&mut self) -> Option<K> {
        let tail = self.links[HEAD].prev;
        if tail as usize == HEAD {
            return None;
        }
        Self::to_front(&mut self.links, tail as usize);
        Some(K::numbered(tail - 1))
    }

    fn resize(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        while self.len > self.capacity {
            self.pop_victim();
        }
    }

    fn last(&self) -> Option<&K> {
        self.slots[self.links[HEAD].prev as usize].as_ref().map(|(k, _)| k)
    }

    fn last_key(&self) -> Option<K> {
        let tail = self.links[HEAD].prev;
        (tail as usize != HEAD).then(|| K::numbered(tail - 1))
    }

    fn iter<'a>(&'a self) -> impl DoubleEndedIterator<Item = (&'a K, &'a E)>
    where
        K: 'a,
        E: 'a,
    {
        Iter { d: self, front: self.links[HEAD].next as usize, back: self.links[HEAD].prev as usize, left: self.len }
    }
}

#[path = "dense_runs.rs"]
mod runs;

#[cfg(test)]
#[path = "dense_tests.rs"]
mod tests;
