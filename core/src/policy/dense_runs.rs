//! Runs replayed at once. Hosts that answer reads themselves (the JS binding's ring,
//! bindings-js/src/views.rs) replay their hits in runs, and a common run is a scan in
//! the order the keys went in: each hit is on the least recently used entry. Moving
//! the tail to the head of a circular list is moving the sentinel one place back, so a
//! run of such hits moves a cursor (one link read a hit) and the sentinel once, at the
//! end, instead of six link writes a hit. Any other hit puts the sentinel in place first
//! and moves as `touch` does: the order is exactly that of `touch` one key at a time.
//! A run of new keys (a host's fill below the bound, `push_run`) links each at the head
//! with the head's link read and written once for the run.
use std::hash::Hash;

use super::{index, Dense, DenseKey, Link, FREE, HEAD};

impl<K: DenseKey, E> Dense<K, E> {
    /// `touch` of each key in turn: how many were held.
    #[inline]
    pub(super) fn touch_run(&mut self, keys: impl Iterator<Item = K>) -> usize
    where
        K: Hash + Eq,
    {
        let links = &mut self.links[..];
        let mut held = 0;
        // The tail as the hits so far leave the order, the sentinel not moved yet: every
        // index after it (up to the sentinel) has moved to the head.
        let mut cut = links[HEAD].prev as usize;
        for key in keys {
            let i = index(&key);
            // Read from the hit's index, not the cursor: the next hit's read does not
            // wait for this one's.
            let Some(&Link { prev, .. }) = links.get(i) else { continue };
            if i == cut {
                held += 1;
                // Past the head: the whole list went round, back where it started.
                cut = if prev as usize == HEAD { links[HEAD].prev as usize } else { prev as usize };
            } else if prev != FREE.prev {
                held += 1;
                // `cut` is the tail then, and stays it: `i` is another index.
                Self::move_sentinel(links, cut);
                Self::to_front(links, i);
            }
        }
        Self::move_sentinel(links, cut);
        held
    }

    /// Makes `cut` (held, or the sentinel of an empty list) the tail, the order round
    /// the circle unchanged.
    #[inline]
    fn move_sentinel(links: &mut [Link], cut: usize) {
        let Link { prev: tail, next: head } = links[HEAD];
        if cut == tail as usize {
            return;
        }
        let first = links[cut].next;
        links[tail as usize].next = head;
        links[head as usize].prev = tail;
        links[cut].next = HEAD as u32;
        links[first as usize].prev = HEAD as u32;
        links[HEAD] = Link { prev: cut as u32, next: first };
    }
}

impl<K: DenseKey, E> Dense<K, E> {
    /// `push` of the run `nth(0)`, `nth(1)`, ... while its key is new and the bound has
    /// room ([`super::Recency::push_new`]): linked as it goes, the list's head kept out
    /// of memory until the run's end. How many it pushed.
    #[inline]
    pub(super) fn push_run(&mut self, mut nth: impl FnMut(usize) -> Option<(K, E)>) -> usize {
        let mut first = self.links[HEAD].next;
        let mut pushed = 0;
        while let Some((key, entry)) = nth(pushed) {
            let i = index(&key);
            if i >= self.slots.len() {
                self.grow(i);
            }
            if self.links[i].prev != FREE.prev || self.len >= self.capacity {
                break;
            }
            self.slots[i] = Some((key, entry));
            self.links[i] = Link { prev: HEAD as u32, next: first };
            self.links[first as usize].prev = i as u32;
            first = i as u32;
            self.len += 1;
            pushed += 1;
        }
        self.links[HEAD].next = first;
        pushed
    }
}
