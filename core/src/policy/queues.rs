//! Entries in slots of one vector, threaded on three doubly linked queues by index, so an
//! entry moves between queues without being reallocated or rehashed.

pub const NIL: u32 = u32::MAX;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Queue {
    /// New entries, in LRU order: lets a burst of recency through before admission.
    Window = 0,
    /// Admitted once, not yet read again: the first victims of the main space.
    Probation = 1,
    /// Read again since admission.
    Protected = 2,
}

/// Laid out in this order (`repr(C)`) so that what a hit touches, the queue and read
/// counter, then the key (its bytes inline when short, [`crate::Key`]) and the entry,
/// is one run from the slot's start; only the fingerprint, read at eviction, comes after.
/// With the Python binding's entries a slot is 104 bytes and a hit reads its first 80:
/// two cache lines for 7 slots in 8 (docs/bench-rust.md, "Keys inline").
#[repr(C)]
pub struct Slot<K, E> {
    pub queue: Queue,
    /// Reads since the policy last looked at it (saturating): a hit only counts here;
    /// the queue work and the sketch's increments wait until the entry reaches its
    /// queue's tail ([`super::adaptive`]).
    pub reads: u8,
    prev: u32,
    next: u32,
    pub kv: Option<(K, E)>,
    pub fp: u64,
}

/// Each queue runs from `head` (most recent) to `tail` (next to leave).
pub struct Queues<K, E> {
    pub slots: Vec<Slot<K, E>>,
    free: Vec<u32>,
    head: [u32; 3],
    tail: [u32; 3],
    len: [usize; 3],
}

impl<K, E> Queues<K, E> {
    /// Room for `n` entries before the slots' vector moves.
    pub fn with_capacity(n: usize) -> Self {
        Queues { slots: Vec::with_capacity(n), free: Vec::new(), head: [NIL; 3], tail: [NIL; 3], len: [0; 3] }
    }

    pub fn len(&self, q: Queue) -> usize {
        self.len[q as usize]
    }

    pub fn total(&self) -> usize {
        self.len.iter().sum()
    }

    pub fn tail(&self, q: Queue) -> u32 {
        self.tail[q as usize]
    }

    pub fn kv(&self, i: u32) -> &(K, E) {
        self.slots[i as usize].kv.as_ref().expect("live slot")
    }

    pub fn kv_mut(&mut self, i: u32) -> &mut (K, E) {
        self.slots[i as usize].kv.as_mut().expect("live slot")
    }

    /// A new entry at the head of `q`; its index.
    pub fn insert(&mut self, q: Queue, fp: u64, key: K, entry: E) -> u32 {
        let slot = Slot { prev: NIL, next: NIL, queue: q, reads: 0, fp, kv: Some((key, entry)) };
        let i = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize] = slot;
                i
            }
            None => {
                self.slots.push(slot);
                (self.slots.len() - 1) as u32
            }
        };
        self.link(i, q);
        i
    }

    /// Takes entry `i` out; its slot is reused by a later insert.
    pub fn take(&mut self, i: u32) -> (K, E) {
        self.unlink(i);
        self.free.push(i);
        self.slots[i as usize].kv.take().expect("live slot")
    }

    /// Moves entry `i` to the head of `q`.
    #[inline]
    pub fn move_to(&mut self, i: u32, q: Queue) {
        if self.head[q as usize] == i {
            return; // already there: a popular key read again touches no neighbour
        }
        self.relink(i, q);
    }

    /// `move_to`'s move, out of line: its six callers in the adaptive policy each had a
    /// copy (wasm the npm import reads).
    #[inline(never)]
    fn relink(&mut self, i: u32, q: Queue) {
        self.unlink(i);
        self.link(i, q);
    }

    fn link(&mut self, i: u32, q: Queue) {
        let old = self.head[q as usize];
        let s = &mut self.slots[i as usize];
        s.queue = q;
        s.prev = NIL;
        s.next = old;
        if old == NIL {
            self.tail[q as usize] = i;
        } else {
            self.slots[old as usize].prev = i;
        }
        self.head[q as usize] = i;
        self.len[q as usize] += 1;
    }

    fn unlink(&mut self, i: u32) {
        let Slot { prev, next, queue, .. } = self.slots[i as usize];
        let q = queue as usize;
        match prev {
            NIL => self.head[q] = next,
            p => self.slots[p as usize].next = next,
        }
        match next {
            NIL => self.tail[q] = prev,
            n => self.slots[n as usize].prev = prev,
        }
        self.len[q] -= 1;
    }

    /// Indices of queue `q`, head first.
    pub fn walk(&self, q: Queue) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(self.head[q as usize]).filter(|&i| i != NIL), move |&i| {
            Some(self.slots[i as usize].next).filter(|&n| n != NIL)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Slot;
    use crate::Key;
    use std::mem::{offset_of, size_of};

    #[test]
    fn a_hit_reads_one_run_from_the_slot_start() {
        // An entry the size of the Python binding's (a 24-byte value, expiry, seq, charge).
        type Slot48 = Slot<Key, [u64; 6]>;
        assert_eq!(offset_of!(Slot48, kv), 16);
        assert_eq!(offset_of!(Slot48, fp), 96);
        assert_eq!(size_of::<Slot48>(), 104);
    }
}
