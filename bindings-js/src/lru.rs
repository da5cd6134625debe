//! `LruStore`: the store behind the JS `LRUCache`, lru-cache 11's rules on the core.
//!
//! The core's `Store` keeps the recency order and the bounds (`max` entries, `maxSize`
//! by caller-given sizes) and picks the victims, exactly as lru-cache does: least
//! recently used first, one for the entry bound, then as many as the size bound needs.
//! Every entry sits in it with no expiry, because lru-cache never drops a stale entry on
//! its own: staleness is the core's [`Age`] rule (age strictly greater than ttl, host
//! clock, fractions kept), asked per slot. The JS side keeps keys (any JS value) and
//! values at slot indices, and runs every callback after the store has answered.

use polycache::{Age, Config, Eviction, Expiry, Store};
use wasm_bindgen::prelude::*;

use crate::error::{cat, coded, invalid_argument, show};
use crate::slot_hash::SlotHasher;

/// Returned by [`LruStore::set`] when no slot was freed.
const FREED_NONE: f64 = -1.0;
/// Returned by [`LruStore::set`] when several slots were freed: call `take_freed`.
const FREED_MANY: f64 = -2.0;

/// [`LruStore::stale`] answers.
const FRESH: u32 = 0;
const STALE: u32 = 1;
const NEEDS_TIME: u32 = 2;

#[wasm_bindgen]
pub struct LruStore {
    store: Store<u32, u32, SlotHasher>,
    ages: Vec<Age>,
    sizes: Vec<f64>,
    freed: Vec<u32>,
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
    /// `max` entries and `max_size` total size, 0 meaning unbounded. `seeds`: 8 u32 for
    /// the namespace hasher the core builds (unused here, but the store needs them).
    #[wasm_bindgen(constructor)]
    pub fn new(max: f64, max_size: f64, seeds: &[u32]) -> Result<LruStore, JsError> {
        let max_entries = bound(max, "max").map_err(invalid_argument)?.unwrap_or(u32::MAX as usize);
        let max_bytes = bound(max_size, "maxSize").map_err(invalid_argument)?;
        let config = Config { max_entries, max_bytes, eviction: Eviction::Lru };
        if seeds.len() != 8 {
            return Err(invalid_argument("seeds must be 8 random u32"));
        }
        let mut s = [0u64; 4];
        for (i, seed) in s.iter_mut().enumerate() {
            *seed = (u64::from(seeds[2 * i]) << 32) | u64::from(seeds[2 * i + 1]);
        }
        let store = Store::with_hasher(config, SlotHasher::default(), s).map_err(|e| JsError::new(&coded(e)))?;
        Ok(LruStore { store, ages: Vec::new(), sizes: Vec::new(), freed: Vec::new() })
    }

    /// Stores `slot` (now the most recently used) with `size`, evicting as the bounds
    /// say. A new slot starts untimed. Returns the one slot evicted, `-1` for none, `-2`
    /// for several (then `take_freed`, least recently used first). JS has checked that
    /// `size` fits the size bound, so the core's "too large" refusal cannot happen.
    pub fn set(&mut self, slot: u32, size: f64) -> Result<f64, JsError> {
        let i = slot as usize;
        if i >= self.ages.len() {
            self.ages.resize(i + 1, Age::default());
            self.sizes.resize(i + 1, 0.0);
        }
        if !self.store.holds(&slot) {
            self.ages[i] = Age::default();
        }
        let charge = if size.is_finite() && size >= 0.0 && size <= f64::from(u32::MAX) { size as usize } else { usize::MAX };
        self.store.set(slot, slot, charge, Expiry::Never, 0).map_err(|e| JsError::new(&coded(e)))?;
        self.sizes[i] = size;
        for dead in self.store.drain_dead() {
            if dead != slot {
                self.freed.push(dead);
            }
        }
        Ok(match self.freed.len() {
            0 => FREED_NONE,
            1 => f64::from(self.freed.pop().expect("one freed slot")),
            _ => FREED_MANY,
        })
    }

    /// The slots the last `set` evicted, least recently used first.
    pub fn take_freed(&mut self) -> Vec<u32> {
        std::mem::take(&mut self.freed)
    }

    /// Gives `slot` a lifetime of `ttl` from `start` (lru-cache's setItemTTL).
    pub fn set_age(&mut self, slot: u32, ttl: f64, start: f64) {
        if let Some(a) = self.ages.get_mut(slot as usize) {
            *a = Age::new(ttl, start);
        }
    }

    /// Restarts `slot`'s lifetime at `now`, keeping its ttl.
    pub fn restart(&mut self, slot: u32, now: f64) {
        if let Some(a) = self.ages.get_mut(slot as usize) {
            *a = a.restarted(now);
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
        self.sizes.get(slot as usize).copied().unwrap_or(0.0)
    }

    /// Makes `slot` the most recently used.
    pub fn promote(&mut self, slot: u32) {
        self.store.get_with(&slot, 0, |_| ());
    }

    /// Removes `slot`; true when it was held.
    pub fn delete(&mut self, slot: u32) -> bool {
        let held = self.store.holds(&slot);
        self.store.delete(&slot, 0);
        drop(self.store.drain_dead());
        held
    }

    /// The least recently used slot, or -1 when empty.
    pub fn lru(&self) -> f64 {
        self.store.entries(0).next().map_or(-1.0, |(s, ..)| f64::from(*s))
    }

    /// Every slot held, most recently used first, stale ones included.
    pub fn order(&self) -> Vec<u32> {
        self.store.keys(0)
    }

    /// Every slot held whose entry is stale at `now`, least recently used first.
    pub fn stale_slots(&self, now: f64) -> Vec<u32> {
        self.store.entries(0).map(|(s, ..)| *s).filter(|&s| self.age(s).is_stale(now)).collect()
    }

    pub fn clear(&mut self) {
        self.store.clear();
        drop(self.store.drain_dead());
        self.ages.clear();
        self.sizes.clear();
    }

    /// The sum of the sizes held.
    pub fn calculated_size(&self) -> f64 {
        self.store.bytes() as f64
    }

    pub fn len(&self) -> u32 {
        self.store.len() as u32
    }

    pub fn is_empty(&self) -> bool {
        self.store.is_empty()
    }
}

impl LruStore {
    fn age(&self, slot: u32) -> Age {
        self.ages.get(slot as usize).copied().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max: f64, max_size: f64) -> LruStore {
        LruStore::new(max, max_size, &[1, 2, 3, 4, 5, 6, 7, 8]).unwrap()
    }

    #[test]
    fn entry_bound_evicts_least_recently_used() {
        let mut s = store(2.0, 0.0);
        assert_eq!(s.set(0, 0.0).unwrap(), FREED_NONE);
        assert_eq!(s.set(1, 0.0).unwrap(), FREED_NONE);
        s.promote(0);
        assert_eq!(s.set(2, 0.0).unwrap(), 1.0);
        assert_eq!(s.order(), vec![2, 0]);
        assert_eq!(s.lru(), 0.0);
    }

    #[test]
    fn size_bound_evicts_as_many_as_needed_oldest_first() {
        let mut s = store(0.0, 10.0);
        for slot in 0..4 {
            s.set(slot, 3.0).unwrap();
        }
        // 9 held after one eviction; an entry of 8 leaves room only for itself.
        assert_eq!(s.calculated_size(), 9.0);
        assert_eq!(s.set(9, 8.0).unwrap(), FREED_MANY);
        assert_eq!(s.take_freed(), vec![1, 2, 3]);
        assert_eq!(s.calculated_size(), 8.0);
        // Replacing a slot's size in place frees nothing but the others it must.
        assert_eq!(s.set(9, 10.0).unwrap(), FREED_NONE);
        assert_eq!(s.size(9), 10.0);
    }

    #[test]
    fn stale_is_strictly_older_than_ttl_and_asks_for_the_time_only_when_timed() {
        let mut s = store(5.0, 0.0);
        s.set(0, 0.0).unwrap();
        assert_eq!(s.stale(0, None), FRESH);
        s.set_age(0, 10.0, 100.0);
        assert_eq!(s.stale(0, None), NEEDS_TIME);
        assert_eq!(s.stale(0, Some(110.0)), FRESH);
        assert_eq!(s.stale(0, Some(110.5)), STALE);
        assert_eq!(s.remaining(0, 111.0), -1.0);
        assert_eq!(s.stale_slots(111.0), vec![0]);
        s.restart(0, 111.0);
        assert_eq!(s.stale(0, Some(121.0)), FRESH);
    }

    #[test]
    fn a_reused_slot_starts_untimed_and_stale_entries_stay_until_removed() {
        let mut s = store(1.0, 0.0);
        s.set(0, 0.0).unwrap();
        s.set_age(0, 1.0, 1.0);
        assert_eq!(s.stale(0, Some(50.0)), STALE);
        assert_eq!(s.len(), 1);
        assert!(s.delete(0));
        assert!(!s.delete(0));
        s.set(0, 0.0).unwrap();
        assert!(!s.timed(0));
    }

    #[test]
    fn bounds_out_of_range_are_refused() {
        for x in [-1.0, 1.5, f64::NAN, f64::INFINITY, 5e9] {
            assert!(bound(x, "max").is_err(), "{x}");
        }
        assert_eq!(bound(0.0, "max"), Ok(None));
        assert_eq!(bound(7.0, "max"), Ok(Some(7)));
    }
}
