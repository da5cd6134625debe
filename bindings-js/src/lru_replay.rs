//! What `LruStore`'s calls (lru.rs) share: the replay of the ring JS queued its writes
//! and hits in, a new slot's write, and the slots' ages.

use polycache::{Age, Expiry};

use super::{charge, LruStore};
use crate::error::coded;
use crate::views::{new_key, Op, SlotMap};

impl LruStore {
    /// Replays what JS answered alone: hits (a move, also for a rewrite of a held
    /// slot that keeps its size and lifetime) and writes of new slots that JS queues
    /// only below the bound, unsized, within the arrays (lru-entries.js).
    #[inline]
    pub(super) fn flush(&mut self) {
        if self.views.pending() {
            self.replay();
        }
    }

    #[inline(never)]
    pub(super) fn replay(&mut self) {
        let LruStore { store, views, slots, freed, .. } = self;
        // A run of new keys (a fill below the bounds) stored at once, each with the size
        // JS wrote for it (0 where nothing is sized): the same pushes, charges and count
        // as one by one below.
        let sized = slots.sizes_laid_out();
        let inserts = |store: &mut SlotMap, ops: &[i32]| {
            if sized {
                store.insert_all_below_bound(|n| new_key(ops, n).map(|slot| (slot, slot, charge(slots.size(slot as usize)))))
            } else {
                store.insert_all_below_bound(|n| new_key(ops, n).map(|slot| (slot, slot, 0)))
            }
        };
        views.flush::<false>(store, |store, op| {
            if let Op::Update(slot) = op {
                // The least recently used slot, written again with the size JS wrote in
                // the sizes for a new key short of room (lru-views.js `recycleSized`): it
                // moves to the front as the new key's, and the core evicts for its size the
                // slots after it in the order, which JS read from the links and has taken
                // back already: not reported again. As `reuse_lru` takes it (the replay
                // keeps the order JS read: the slot is the least recently used).
                let charge = charge(slots.size(slot as usize));
                if store.lru_key() != Some(slot) || store.recycle_lru_charged(charge).is_none() {
                    let _ = store.set(slot, slot, charge, Expiry::Never, 0);
                }
                drop(store.drain_dead());
                return;
            }
            let Op::Insert(slot) = op else { return };
            // The push and the count alone: JS queues a new slot only below the bounds
            // (with room for its size, which it wrote in the sizes, in a cache that sizes
            // its entries: lru-views.js `insertSized`), within the arrays, and gives the
            // slot its age itself, the default one before the cache's first lifetime or
            // the write's (lru-views.js `insert`); no entry here expires. Each size or age
            // written here would be another line of memory per new key.
            let i = slot as usize;
            debug_assert!(slots.as_queued(i) && !store.holds(&slot));
            let size = slots.size(i);
            let below = if size == 0.0 {
                store.insert_unexpiring_below_bound(slot, slot)
            } else {
                store.insert_below_bound(slot, slot, charge(size), Expiry::Never, 0)
            };
            if !below {
                // (Nothing is evicted below the bound; were anything, the next write reports it.)
                let _ = store.set(slot, slot, charge(size), Expiry::Never, 0);
                freed.extend(store.drain_dead().filter(|&dead| dead != slot));
            }
        }, inserts);
    }

    /// The write of `set` when it is not a move: a new slot (`held` false) starts untimed.
    /// The slots it evicts go into `freed`; false when the core refused it.
    pub(super) fn store_new(&mut self, slot: u32, size: f64, held: bool) -> bool {
        let i = slot as usize;
        let links_stay = self.store.recency_links_stay().map_or(0, |(stay, _)| stay);
        if i >= self.slots.cap() {
            // Doubling: the arrays (and the view JS keeps on `fresh`) move O(log n) times.
            self.slots.lay_out((i + 1).max(2 * self.slots.cap()).max(64));
        }
        if !held {
            self.put_age(i, Age::default());
        }
        // Below the bounds, the entry made in place (what `set` then does, quicker).
        let below = self.store.insert_below_bound(slot, slot, charge(size), Expiry::Never, 0);
        if let Err(e) = if below { Ok(()) } else { self.store.set(slot, slot, charge(size), Expiry::Never, 0) } {
            self.error = Some(coded(e));
            return false;
        }
        self.slots.put_size(i, size);
        // Where the write moved the core's links (a slot past `covered_len`: JS opens its
        // views again after it), the arrays follow them to where they stay now, so that
        // `covered_len` (the lesser of the two) moves past both at once, and JS opens its
        // views again once a doubling, not twice. (Never otherwise: JS writes the arrays
        // through its views while it covers the slot.)
        if let Some((stay, _)) = self.store.recency_links_stay() {
            if stay != links_stay && stay - 1 > self.slots.cap() {
                self.slots.lay_out(stay - 1);
            }
        }
        for dead in self.store.drain_dead() {
            if dead != slot {
                self.freed.push(dead);
            }
        }
        true
    }

    pub(super) fn put_age(&mut self, i: usize, age: Age) {
        self.slots.put_age(i, age);
    }

    pub(super) fn age(&self, slot: u32) -> Age {
        self.slots.age(slot as usize)
    }
}
