//! `LruStore`: the store behind the JS `LRUCache`, lru-cache 11's rules on the core.
//!
//! The core's `Store` keeps the recency order and the bounds (`max` entries, `maxSize`
//! by caller-given sizes) and picks the victims, exactly as lru-cache does: least
//! recently used first, one for the entry bound, then as many as the size bound needs.
//! Every entry sits in it with no expiry, because lru-cache never drops a stale entry on
//! its own: staleness is the core's [`Age`] rule (age strictly greater than ttl, host
//! clock, fractions kept), asked per slot. The JS side keeps keys (any JS value) and
//! values at slot indices, and runs every callback after the store has answered.

use polycache::{Age, Config, Error, Eviction, Slots, Store};
use wasm_bindgen::prelude::*;

use crate::error::{cat, coded, failed, invalid, show};
use crate::lru_slots::SlotArrays;
use crate::slot_hash::SlotHasher;
use crate::views::{ring_for, SlotMap, Views, FAILED, FREED_NONE};

/// [`LruStore::stale`] answers.
const FRESH: u32 = 0;
const STALE: u32 = 1;
const NEEDS_TIME: u32 = 2;

#[wasm_bindgen]
pub struct LruStore {
    store: SlotMap,
    /// Each slot's age, fresh-until time and size (lru_slots.rs).
    slots: SlotArrays,
    freed: Vec<u32>,
    error: Option<String>,
    /// The ring of gets JS answered alone (views.rs; only hits go in it here), replayed
    /// in order before anything that reads or changes the recency order.
    views: Views,
    /// Where JS's views are, written by `views_at` (lru_views.rs) for JS to read.
    places: std::cell::Cell<[u32; 12]>,
}

/// What the store charges for a size from JS (one it cannot count is too large for any
/// bound).
fn charge(size: f64) -> usize {
    if size.is_finite() && size >= 0.0 && size <= f64::from(u32::MAX) {
        size as usize
    } else {
        usize::MAX
    }
}

/// A bound from JS: 0 for none, else a whole number the store can count to.
fn bound(x: f64, name: &str) -> Result<Option<usize>, String> {
    if x == 0.0 {
        Ok(None)
    } else if x.is_finite() && x.fract() == 0.0 && x > 0.0 && x <= f64::from(u32::MAX) {
        Ok(Some(x as usize))
    } else {
        Err(cat(&[name, " must be a whole number from 1 to 4294967295, got ", &show(x)]))
    }
}

#[wasm_bindgen]
impl LruStore {
    /// `max` entries and `max_size` total size, 0 meaning unbounded; `undefined` when
    /// they are not a cache's (then `take_failure` says why).
    pub fn make(max: f64, max_size: f64) -> Option<LruStore> {
        LruStore::new(max, max_size).map_or_else(failed, Some)
    }
}

impl LruStore {
    pub(crate) fn new(max: f64, max_size: f64) -> Result<LruStore, String> {
        let max_entries = bound(max, "max").map_err(|m| invalid(&m))?.unwrap_or(u32::MAX as usize);
        let max_bytes = bound(max_size, "maxSize").map_err(|m| invalid(&m))?;
        let config = Config { max_entries, max_bytes, eviction: Eviction::Lru };
        // The seeds key the hasher of the core's namespace table, and an `LRUCache` has no
        // namespaces: that table stays empty, so they key nothing and need no random
        // source (reading one was 0.1 ms of a first LRUCache: docs/js-speed.md, session 21).
        let store = Store::with_hasher(config, Slots(SlotHasher::default()), [0; 4]).map_err(coded)?;
        // For a bound of moderate size the per-slot arrays are laid out whole now, as
        // lru-cache lays out its own (and JS its keys and values): every slot is covered.
        let laid_out = if max_entries <= 1 << 16 { max_entries } else { 0 };
        let views = Views::new(0, ring_for(laid_out));
        let mut lru = LruStore { store, slots: SlotArrays::default(), freed: Vec::new(), error: None, views, places: Default::default() };
        lru.slots.lay_out(laid_out);
        Ok(lru)
    }
}

#[wasm_bindgen]
impl LruStore {

    /// Stores `slot` (now the most recently used) with `size`, evicting as the bounds
    /// say, and gives it the lifetime `ttl` from `start` unless `ttl` is NaN (then a new
    /// slot starts untimed and a held one keeps its lifetime). Returns the slots evicted,
    /// least recently used first, as `Views::hand_over` answers (`-2`: then `take_freed`),
    /// or `-3` when the core refused it (then `take_error`; JS checks that `size`
    /// fits the size bound first, so the core's "too large" cannot happen).
    pub fn set(&mut self, slot: u32, size: f64, ttl: f64, start: f64) -> f64 {
        self.flush();
        let i = slot as usize;
        // A held slot keeping its size: in an LRU store with nothing expiring, writing it
        // again is moving it to the head, one lookup (and nothing is evicted).
        // (A slot past the arrays was never stored.)
        let held = i < self.slots.cap() && self.store.read_held(&slot);
        if held && self.slots.size(i) == size {
            if !ttl.is_nan() {
                self.put_age(i, Age::new(ttl, start));
            }
            return FREED_NONE;
        }
        self.write(slot, size, ttl, start, held)
    }

    /// `set`'s write of an entry of another size (`held`), or of a new one.
    fn write(&mut self, slot: u32, size: f64, ttl: f64, start: f64, held: bool) -> f64 {
        if !self.store_new(slot, size, held) {
            return FAILED;
        }
        if !ttl.is_nan() {
            self.put_age(slot as usize, Age::new(ttl, start));
        }
        self.views.hand_over(&mut self.freed)
    }

    /// The least recently used slot is evicted and stored again as a new entry of `size`
    /// (the most recently used; lifetime as in `set`): lru-cache's write of a new key
    /// into a full cache, which takes the evicted entry's index. Answers as `set` does
    /// for the slots freed, the reused slot first: that slot alone, or `-(2 + k)` with it
    /// in the ring's place 1 and the slots the size bound evicted after it, or `-2` with
    /// all of them from `take_freed`; `-1` when the store is empty, `-3` as `set`.
    pub fn reuse_lru(&mut self, size: f64, ttl: f64, start: f64) -> f64 {
        self.flush();
        let Some(slot) = self.store.lru_key() else { return FREED_NONE };
        let i = slot as usize;
        let charge = charge(size);
        if let Some(max_bytes) = self.store.config().max_bytes.filter(|&m| charge > m) {
            // Refused before anything is evicted, as the core refuses a set.
            self.error = Some(coded(Error::ValueTooLarge { key: String::new(), size: charge, max_bytes }));
            return FAILED;
        }
        // (Anything a replay freed is reported after it: see `replay`.)
        self.freed.insert(0, slot);
        if self.slots.size(i) == size {
            // Removing the tail and pushing it at the head leaves the order a move does.
            self.store.read_held(&slot);
        } else if let Some(recycled) = self.store.recycle_lru_charged(charge) {
            debug_assert_eq!(recycled, slot, "the least recently used slot is recycled");
            self.slots.put_size(i, size);
            self.freed.extend(self.store.drain_dead());
        } else {
            self.store.delete(&slot, 0);
            drop(self.store.drain_dead());
            if !self.store_new(slot, size, false) {
                self.freed.remove(0);
                return FAILED;
            }
        }
        self.put_age(i, if ttl.is_nan() { Age::default() } else { Age::new(ttl, start) });
        self.views.hand_over(&mut self.freed)
    }

    /// A new key's write of `size` at `slot` (a slot JS holds for no key) where it fits
    /// beside what the store holds (as `set`, which then evicts nothing: `-1`, or
    /// `-3`), else where the least recently used entry was (as `reuse_lru`, the reused
    /// slot answered first, `slot` left unused): a byte-bounded cache's new key in one
    /// call, the first victim's place taken as a count-bounded cache's is.
    pub fn place(&mut self, slot: u32, size: f64, ttl: f64, start: f64) -> f64 {
        self.flush();
        if self.store.evicts_for(charge(size)) {
            self.reuse_lru(size, ttl, start)
        } else {
            // A new key (JS gives a slot it holds for no key).
            self.write(slot, size, ttl, start, false)
        }
    }

    /// `reuse_lru` for a cache that tracks no sizes (every slot's is 0, so none is read):
    /// the least recently used slot becomes the most recently used, with the lifetime
    /// `ttl` from `start`. `ttl` NaN: the cache has given no lifetime yet (every age is
    /// the default one), and none is written. Returns the slot, `-1` when empty. Reading
    /// nothing per slot but the links, evictions touch no more of the store's memory
    /// than lru-cache's do of its own.
    pub fn recycle_lru(&mut self, ttl: f64, start: f64) -> f64 {
        self.flush();
        let Some(slot) = self.store.lru_key() else { return FREED_NONE };
        self.store.read_held(&slot);
        if !ttl.is_nan() {
            self.put_age(slot as usize, Age::new(ttl, start));
        }
        f64::from(slot)
    }

    /// The message of the last refused write, as `polycache:<Code>:<message>`.
    pub fn take_error(&mut self) -> String {
        self.error.take().unwrap_or_default()
    }

    /// Replays the gets JS answered alone (views.rs). Every method that reads or changes
    /// the recency order does it first; JS calls it when the ring is full.
    pub fn sync(&mut self) {
        self.flush();
    }

    /// The slots the last `set` evicted, least recently used first.
    pub fn take_freed(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.freed)
    }

    /// Gives `slot` a lifetime of `ttl` from `start` (lru-cache's setItemTTL).
    pub fn set_age(&mut self, slot: u32, ttl: f64, start: f64) {
        // (No replay first: a write JS queued for `slot` was replayed by the call that
        // wrote it before any lifetime is set, lru-entries.js.)
        if (slot as usize) < self.slots.cap() {
            self.put_age(slot as usize, Age::new(ttl, start));
        }
    }

    /// Restarts `slot`'s lifetime at `now`, keeping its ttl.
    pub fn restart(&mut self, slot: u32, now: f64) {
        // (No replay first: JS queues writes only before any entry is timed, and a
        // restart of an untimed age is the default age a queued write gives it.)
        if (slot as usize) < self.slots.cap() {
            self.put_age(slot as usize, self.age(slot).restarted(now));
        }
    }

    /// `0` fresh, `1` stale, `2` when the answer needs the time and `now` is `None`
    /// (lru-cache reads its clock only for timed entries; the JS side does the same).
    pub fn stale(&self, slot: u32, now: Option<f64>) -> u32 {
        let age = self.age(slot);
        if !age.is_timed() {
            return FRESH;
        }
        match now {
            None => NEEDS_TIME,
            Some(t) if age.is_stale(t) => STALE,
            Some(_) => FRESH,
        }
    }

    /// True when `slot` can go stale (has a ttl and a start).
    pub fn timed(&self, slot: u32) -> bool {
        self.age(slot).is_timed()
    }

    /// Time `slot` has left at `now`: negative once stale, `Infinity` when untimed.
    pub fn remaining(&self, slot: u32, now: f64) -> f64 {
        self.age(slot).remaining(now)
    }

    pub fn ttl(&self, slot: u32) -> f64 {
        self.age(slot).ttl
    }

    pub fn start(&self, slot: u32) -> f64 {
        self.age(slot).start
    }

    pub fn size(&self, slot: u32) -> f64 {
        self.slots.size(slot as usize)
    }

    /// Makes `slot` the most recently used.
    pub fn promote(&mut self, slot: u32) {
        self.flush();
        self.store.read_held(&slot);
    }

    /// A read of a held `slot`: `stale` in one call, the slot made the most recently
    /// used when the answer is fresh.
    pub fn hit(&mut self, slot: u32, now: Option<f64>) -> u32 {
        let answer = self.stale(slot, now);
        if answer == FRESH {
            self.promote(slot);
        }
        answer
    }

    /// Removes `slot`; true when it was held.
    pub fn delete(&mut self, slot: u32) -> bool {
        self.flush();
        let held = self.store.holds(&slot);
        self.store.delete(&slot, 0);
        drop(self.store.drain_dead());
        held
    }

    /// The least recently used slot, or -1 when empty.
    pub fn lru(&mut self) -> f64 {
        self.flush();
        self.store.last_key().map_or(-1.0, |s| f64::from(*s))
    }

    /// Every slot held, most recently used first, stale ones included.
    pub fn order(&mut self) -> Vec<u32> {
        self.flush();
        self.store.keys(0)
    }

    /// Every slot held whose entry is stale at `now`, least recently used first.
    /// (For the tests: no JS calls it, nor `len` and `is_empty`; not exported.)
    #[cfg(test)]
    pub fn stale_slots(&mut self, now: f64) -> Vec<u32> {
        self.flush();
        self.store.entries(0).map(|(s, ..)| *s).filter(|&s| self.age(s).is_stale(now)).collect()
    }

    pub fn clear(&mut self) {
        self.flush();
        self.store.clear();
        drop(self.store.drain_dead());
        // JS drops its view on `fresh` with this (lru-views.js): no slot is covered now.
        self.slots.clear();
    }

    /// The sum of the sizes held.
    pub fn calculated_size(&mut self) -> f64 {
        // (The new slots JS queued hold sizes too.)
        self.flush();
        self.store.bytes() as f64
    }

    #[cfg(test)]
    pub fn len(&self) -> u32 {
        self.store.len() as u32
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

// What the calls share: the replay of the ring, a new slot's write, the ages.
#[path = "lru_replay.rs"]
mod replay;

#[cfg(test)]
#[path = "lru_tests.rs"]
mod tests;
#[cfg(test)]
#[path = "lru_place_tests.rs"]
mod place_tests;

// What JS reads and writes in wasm memory without a call: where the views are.
#[path = "lru_views.rs"]
mod in_place;
