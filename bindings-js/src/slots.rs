//! `SlotStore`: the core's `Store` on integer slots, driven by the JS `Cache`.
//!
//! The JS side maps each string key to a slot and keeps the value in an array at that
//! index. The store holds `slot -> slot`, so the values it drops (evicted, expired,
//! culled) *are* the slots JS must free. A slot that is dropped and re-inserted in the
//! same call (a replacement) is still held, and is not reported.
//!
//! What snapshots and namespaces use of it (entries, loads, generations) is in
//! slots_persist.rs.

use polycache::{Config, Error, Eviction, Expiry, Slots, Store};
use wasm_bindgen::prelude::*;

use crate::error::{cat, coded, failed, invalid, show, INVALID_ARGUMENT};
use crate::slot_hash::SlotHasher;
use crate::ttl::{now_ms, Ttl, KIND_DEFAULT};
use crate::views::{key_bytes, key_text, read, ring_for, SlotMap, Views, FAILED};

#[wasm_bindgen]
pub struct SlotStore {
    pub(crate) store: SlotMap,
    default_ttl: Ttl,
    /// The default lifetime's expiry from the last `now` it was worked out at: the
    /// `Cache` reads its clock at most once a millisecond, so the writes of a burst
    /// share one (working it out was ~10% of a timed write's call).
    default_expiry: Option<(u64, Expiry)>,
    pub(crate) freed: Vec<u32>,
    pub(crate) error: Option<String>,
    /// The slot `add` last stored, for the `take_dead` that follows it.
    last_written: Option<u32>,
    /// The expiries JS reads and the ring of operations it answered alone (views.rs).
    pub(crate) views: Views,
    /// What JS reads to queue a write of the default lifetime in the ring instead of
    /// calling `set` (slots_write.rs): `[now, expiry, floor]`, the `now` (ms) of the kept
    /// default expiry, that expiry as the views hold it, and the expiry index's floor;
    /// `now` NaN when none holds (every call clears it, `set` writes it); fourth, how
    /// many bytes of the key buffer the texts JS queued since the last replay take (the
    /// replay reads them, then sets it to 0); fifth, how many of the hits JS queued since
    /// then were recycles (cache.js `#recycle`; the replay counts them as such,
    /// then sets it to 0).
    pub(crate) clock: Box<[f64; 5]>,
    /// The key buffer JS writes new keys' text in (views.rs; empty but for the adaptive
    /// policy, which learns them).
    pub(crate) keys: Box<[u8]>,
    /// What `views_at` last wrote (where its answer points).
    places: std::cell::Cell<[u32; 9]>,
    /// Whether the core laid out its links for every slot JS can use, so that they never
    /// move (`views_at`: the `Cache` reads its LRU victims there).
    fixed_links: bool,
    /// A load under way (slots_persist.rs `load_all`): its scratch store, and each
    /// slot's fingerprint where the adaptive policy learns them.
    pub(crate) loading: Option<Box<(SlotMap, Vec<Option<u64>>)>>,
}

/// A JS number as a count: a whole number from 0 to `u32::MAX`.
fn count(x: f64, name: &str) -> Result<usize, String> {
    if x.is_finite() && x.fract() == 0.0 && x >= 0.0 && x <= u32::MAX as f64 {
        Ok(x as usize)
    } else {
        Err(cat(&[name, " must be a whole number of at least 0, got ", &show(x)]))
    }
}

fn config_count(x: f64, name: &str) -> Result<usize, String> {
    count(x, name).map_err(|m| coded(Error::InvalidConfig(m)))
}

/// A cache-wide default lifetime, checked ([`SlotStore::new`] with one). Out of line, and
/// kept so by build.mjs (bindings-js/wasm-outlined.mjs): a runtime compiling wasm on first
/// call (V8's Liftoff) then compiles it only for caches that have one.
#[inline(never)]
fn default_ttl(ttl_kind: u32, ttl_amount: f64) -> Result<Ttl, String> {
    let ttl = Ttl::decode(ttl_kind, ttl_amount).map_err(coded)?;
    ttl.check_default().map_err(coded)?;
    Ok(ttl)
}

pub(crate) fn to_charge(x: f64) -> Result<usize, String> {
    count(x, "size").map_err(|m| invalid(&m))
}

#[wasm_bindgen]
impl SlotStore {
    /// `max_bytes`: `None` for no byte bound. `cull_frequency`: `None` for LRU eviction,
    /// `Some(n)` for Django's batch cull. `adaptive`: the adaptive policy (with
    /// `cull_frequency` `None`). Namespace names are hashed unkeyed until [`SlotStore::seed`].
    #[allow(clippy::too_many_arguments)]
    pub fn make(
        max_entries: f64,
        max_bytes: Option<f64>,
        cull_frequency: Option<f64>,
        ttl_kind: u32,
        ttl_amount: f64,
        adaptive: Option<bool>,
        slots: u32,
    ) -> Option<SlotStore> {
        // (The work in a closure: its errors are `?`'s, the answer one place's.)
        let made = || -> Result<SlotStore, String> {
            let config = Config {
                max_entries: config_count(max_entries, "max")?,
                max_bytes: max_bytes.map(|b| config_count(b, "maxSize")).transpose()?,
                eviction: match cull_frequency {
                    None if adaptive == Some(true) => Eviction::Adaptive,
                    None => Eviction::Lru,
                    Some(f) => Eviction::Cull { frequency: config_count(f, "cullFrequency")? },
                },
            };
            // Most caches set no default lifetime; reading one is out of line (default_ttl).
            let default_ttl = if ttl_kind == KIND_DEFAULT { Ttl::Default } else { default_ttl(ttl_kind, ttl_amount)? };
            let learns = config.eviction == Eviction::Adaptive;
            let store = Store::with_hasher(config, Slots(SlotHasher::default()), [0; 4]).map_err(coded)?;
            Ok(SlotStore {
                store,
                default_ttl,
                default_expiry: None,
                freed: Vec::new(),
                error: None,
                last_written: None,
                views: Views::new(slots as usize, ring_for(slots as usize)),
                clock: Box::new([f64::NAN, f64::NAN, f64::NAN, 0.0, 0.0]),
                keys: vec![0; key_bytes(learns, slots as usize)].into_boxed_slice(),
                places: std::cell::Cell::new([0; 9]),
                fixed_links: slots > 0,
                loading: None,
            })
        };
        made().map_or_else(failed, Some)
    }

    /// Keys the hash of namespace names with 8 random u32, drawn by JS when a first name
    /// comes (reading them costs a first cache more than making its store). False, and
    /// nothing changed, once a name is held.
    #[allow(clippy::too_many_arguments)]
    pub fn seed(&mut self, a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32) -> bool {
        let word = |hi: u32, lo: u32| (u64::from(hi) << 32) | u64::from(lo);
        self.store.seed_namespaces([word(a, b), word(c, d), word(e, f), word(g, h)])
    }

    /// Replays the operations JS answered alone (views.rs), in order. Every other method
    /// does it first; JS calls it when the ring is full.
    pub fn sync(&mut self) {
        self.flush();
    }

    /// Where JS opens its views, as nine u32 at the byte offset returned (written by this
    /// call): the ring (it never moves) and its length (its count, then the operations it
    /// holds: fewer in a small cache, views.rs `ring_for`), the expiries (they move when
    /// they grow) and how many slots they cover, the key buffer and its length (it never
    /// moves), `[now, expiry, floor, queued text, queued recycles]` (`clock`; it never
    /// moves), and the core's recency links and how many u32 they are (as the
    /// `LRUCache`'s store gives them, lru_views.rs `links_ptr`; 0 and 0 where they may
    /// move or the policy has none). One call: a call a place cost a first `Cache` a wasm function
    /// compiled on its first call each (docs/js-speed.md, session 20).
    pub fn views_at(&self) -> u32 {
        let v = &self.views;
        let keys = (self.keys.as_ptr() as usize as u32, self.keys.len() as u32);
        let links = match self.store.recency_links() {
            Some((at, n)) if self.fixed_links => (at as usize as u32, 2 * n as u32),
            _ => (0, 0),
        };
        let clock = self.clock.as_ptr() as usize as u32;
        self.places.set([v.ring_ptr(), v.ring_len(), v.expiries_ptr(), v.expiries_len(), keys.0, keys.1, clock, links.0, links.1]);
        self.places.as_ptr() as usize as u32
    }

    /// Reads `slot` as a use. False means the slot's entry had expired and is gone.
    pub fn get(&mut self, slot: u32, now: f64) -> bool {
        self.flush();
        let hit = read(&mut self.store, slot, now_ms(now));
        if !hit {
            drop(self.store.drain_dead());
        }
        hit
    }

    /// Counts a read of a key the JS side does not hold. (No JS calls it: not exported.)
    #[cfg(test)]
    pub fn miss(&mut self) {
        self.flush();
        read(&mut self.store, u32::MAX, 0);
    }

    /// True when `slot` is live (no recency change, no read counted).
    pub fn has(&mut self, slot: u32, now: f64) -> bool {
        self.flush();
        self.store.contains(&slot, now_ms(now))
    }

    /// Milliseconds left for a live slot; `Infinity` when it never expires, 0 when it
    /// is not live.
    pub fn remaining(&mut self, slot: u32, now: f64) -> f64 {
        self.flush();
        let now = now_ms(now);
        match self.store.expiry(&slot, now) {
            None => 0.0,
            Some(e) => e.remaining_ms(now).map_or(f64::INFINITY, |ms| ms as f64),
        }
    }

    /// Stores `slot` charged `charge`, expiring as `(ttl_kind, ttl_amount)` says.
    /// Returns the one slot freed by this write, `-1` for none, `-2` for several
    /// (then call `take_dead`), `-3` when it failed and changed nothing (then call
    /// `take_error`).
    pub fn set(&mut self, slot: u32, charge: f64, ttl_kind: u32, ttl_amount: f64, now: f64) -> f64 {
        self.flush();
        let now = now_ms(now);
        let outcome = match (self.expiry(ttl_kind, ttl_amount, now), count(charge, "size")) {
            (Err(e), _) => Err(coded(e)),
            (_, Err(m)) => Err(cat(&[INVALID_ARGUMENT, &m])),
            // A held key written again (JS keeps the value, so only its expiry changes),
            // or a new one below the bound: the entry made where it is stored.
            (Ok(expiry), Ok(charge))
                if self.store.retime(&slot, charge, expiry, now)
                    || (self.store.config().eviction != Eviction::Adaptive && self.insert_below_bound(slot, charge, expiry, now)) =>
            {
                self.views.set_expiry(slot, expiry);
                Ok(())
            }
            (Ok(expiry), Ok(charge)) => {
                let done = self.store.set(slot, slot, charge, expiry, now).map_err(coded);
                // Only once stored: a refused write keeps the old entry and its expiry.
                if done.is_ok() {
                    self.views.set_expiry(slot, expiry);
                }
                done
            }
        };
        self.publish_clock();
        match outcome {
            Ok(()) => self.freed_code(slot),
            Err(msg) => {
                self.error = Some(msg);
                FAILED
            }
        }
    }

    /// A new key's write into a full LRU store where nothing expires or is sized, made in
    /// the place of the entry it evicts (the core's `recycle_lru`): the slot the new key
    /// takes, whose old key JS releases; -1, and nothing done, in any other store (JS
    /// then writes as usual).
    pub fn recycle(&mut self) -> f64 {
        self.flush();
        self.store.recycle_lru().map_or(-1.0, f64::from)
    }

    /// `recycle` in a store where entries may expire: the new key's write with the
    /// lifetime `(ttl_kind, ttl_amount)` from `now` (the core's `recycle_lru_until`);
    /// -1, and nothing done, in any other case (JS then writes as usual).
    pub fn recycle_until(&mut self, ttl_kind: u32, ttl_amount: f64, now: f64) -> f64 {
        self.flush();
        let now = now_ms(now);
        let Ok(expiry) = self.expiry(ttl_kind, ttl_amount, now) else {
            return -1.0;
        };
        match self.store.recycle_lru_until(expiry, now) {
            Some(slot) => {
                self.views.set_expiry(slot, expiry);
                f64::from(slot)
            }
            None => -1.0,
        }
    }

    /// The adaptive policy learns `key` as the key of the slot the next `set`/`add`
    /// stores (slots are reused by other keys; the key's fingerprint is what every host
    /// shares).
    pub fn next_key(&mut self, key: &str) {
        self.flush();
        self.store.next_key_fingerprint(polycache::fingerprint_text(key));
    }

    /// `next_key` for the text JS wrote in the key buffer (`views_at`): its first `len`
    /// bytes, its UTF-8. False, and nothing learnt, when they pass the buffer. (JS
    /// writes it there only when no queued text waits in it: slot-store.js `learnKey`.)
    pub fn next_key_at(&mut self, len: u32) -> bool {
        self.flush();
        match key_text(&self.keys, len as usize) {
            Some(text) => {
                self.store.next_key_fingerprint(polycache::fingerprint_utf8(text));
                true
            }
            None => false,
        }
    }

    /// The message of the last failed `set`, as `polycache:<Code>:<message>`.
    pub fn take_error(&mut self) -> String {
        self.error.take().unwrap_or_default()
    }

    /// Django's `add`: stores only when `slot` is not live; 1 when it stored, 0 when not,
    /// `-3` when it failed and changed nothing (then `take_error`). Freed slots are then
    /// read with `take_dead`.
    pub fn add(&mut self, slot: u32, charge: f64, ttl_kind: u32, ttl_amount: f64, now: f64) -> f64 {
        self.flush();
        let now = now_ms(now);
        let stored = self.expiry(ttl_kind, ttl_amount, now).map_err(coded).and_then(|expiry| {
            self.last_written = Some(slot);
            let stored = self.store.add(slot, slot, to_charge(charge)?, expiry, now).map_err(coded)?;
            if stored {
                self.views.set_expiry(slot, expiry);
            }
            Ok(stored)
        });
        self.answer(stored)
    }

    /// Gives a live slot a new expiry; 1 when it was live, 0 when not, `-3` when it
    /// failed and changed nothing (then `take_error`). Freed slots (a past expiry
    /// removes it) are then read with `take_dead`.
    pub fn touch(&mut self, slot: u32, ttl_kind: u32, ttl_amount: f64, now: f64) -> f64 {
        self.flush();
        let now = now_ms(now);
        let live = self.expiry(ttl_kind, ttl_amount, now).map_err(coded).map(|expiry| {
            let live = self.store.touch(&slot, expiry, now);
            if live {
                self.views.set_expiry(slot, expiry);
            }
            live
        });
        self.answer(live)
    }

    /// Removes `slot`; true when it was live. The slot is gone either way.
    pub fn delete(&mut self, slot: u32, now: f64) -> bool {
        self.flush();
        let live = self.store.delete(&slot, now_ms(now));
        drop(self.store.drain_dead());
        live
    }

    /// Reclaims every expired entry; their slots are then read with `take_dead`.
    pub fn purge(&mut self, now: f64) -> u32 {
        self.flush();
        self.store.purge_expired(now_ms(now)) as u32
    }

    /// Removes every entry (namespace generations stay).
    pub fn clear(&mut self) {
        self.flush();
        self.store.clear();
        drop(self.store.drain_dead());
        self.freed.clear();
    }

    /// Slots freed since the last call, for the JS side to release.
    pub fn take_dead(&mut self) -> Vec<u32> {
        let written = self.last_written.take();
        self.collect_freed(written);
        std::mem::take(&mut self.freed)
    }

    /// Live slots, most recently used first.
    pub fn keys(&mut self, now: f64) -> Vec<u32> {
        self.flush();
        self.store.keys(now_ms(now))
    }

    /// Entries held, expired ones not yet reclaimed included.
    pub fn len(&mut self) -> u32 {
        self.flush();
        self.store.len() as u32
    }

    /// `[hits, misses, sets, deletes, evictions, expirations, entries, bytes, namespaces]`.
    pub fn stats(&mut self) -> Vec<f64> {
        self.flush();
        let s = self.store.stats();
        [s.hits, s.misses, s.sets, s.deletes, s.evictions, s.expirations, s.entries, s.bytes, s.namespaces]
            .iter()
            .map(|&n| n as f64)
            .collect()
    }

}

// What the calls above share: the replay, freed slots, a write's expiry.
#[path = "slots_write.rs"]
mod write;
