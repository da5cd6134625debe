//! What `SlotStore`'s calls (slots.rs) share: the replay of the ring, the slots a write
//! freed, when a write expires, and a new slot's write below the bound.

use polycache::{Error, Expiry};

use super::SlotStore;
use crate::ttl::{Ttl, KIND_DEFAULT};
use crate::views::{expiry_ms, new_key, queued_text, Op, SlotMap, FAILED};

impl SlotStore {
    /// Replays the ring when something waits in it, and clears the clock JS queues
    /// timed writes by (`SlotStore::clock`): after any call, until `set` writes it again.
    #[inline]
    pub(crate) fn flush(&mut self) {
        self.clock[0] = f64::NAN;
        if self.views.pending() {
            self.replay();
        }
    }

    /// Whether the adaptive policy learns the keys (the store has a key buffer).
    pub(crate) fn learns(&self) -> bool {
        !self.keys.is_empty()
    }

    #[inline(never)]
    fn replay(&mut self) {
        let learns = self.learns();
        let SlotStore { store, views, freed, default_expiry, keys, clock, .. } = self;
        let queued = *default_expiry;
        // Where the next queued new key's text starts in the key buffer (views.rs).
        let mut text_at = 0;
        // Writes go in the ring only in a cache where nothing is sized (cache.js). Where
        // nothing expires: updates of a held slot (the adaptive policy's too: `rewrite`
        // counts its read), and new slots while the store holds fewer entries than its
        // bound (the adaptive policy's with their text, queued in the key buffer in the
        // same order, which it learns first). Where entries expire (LRU only): a write of the default lifetime
        // at the clock's `now` of a slot held with an expiry, or of a new one below the
        // bound, while no entry expires at that `now`;
        // their expiry is the kept default one for that `now`, as `set`'s would be. So
        // nothing else is freed; were anything freed, the next write reports it.
        // A default lifetime that expires is a timed cache's (cache.js never queues an
        // untimed update there): its updates are writes of that lifetime.
        let timed = queued.filter(|&(_, expiry)| expiry != Expiry::Never);
        // A run of new keys (a fill below the bound) at once, where the store takes it.
        let inserts = |store: &mut SlotMap, ops: &[i32]| store.insert_all_below_bound(|n| new_key(ops, n).map(|slot| (slot, slot, 0)));
        views.flush::<true>(store, |store, op| {
            // What `set` writes where the quicker writes below decline.
            let (slot, expiry, now) = match op {
                Op::Update(slot) if timed.is_some() => {
                    let (now, expiry) = timed.expect("checked");
                    if write_queued(store, slot, expiry, now) {
                        return;
                    }
                    (slot, expiry, now)
                }
                // The same value, charge and expiry: a rewrite is a move and a count
                // (where the default lifetime never expires, as in every untimed cache).
                Op::Update(slot) if store.rewrite(&slot) => return,
                Op::Update(slot) => match queued {
                    Some((now, expiry)) if write_queued(store, slot, expiry, now) => return,
                    _ => (slot, Expiry::Never, 0),
                },
                // The adaptive policy's: the key learnt from its text, then `set`'s write
                // (below the bound: it evicts nothing).
                Op::Insert(slot) if learns => {
                    if let Some((text, next)) = queued_text(keys, text_at) {
                        store.next_key_fingerprint(polycache::fingerprint_utf8(text));
                        text_at = next;
                    }
                    (slot, Expiry::Never, 0)
                }
                // A new slot below the bound (what JS queues): `set` without its checks.
                Op::Insert(slot) if store.insert_unexpiring_below_bound(slot, slot) => return,
                Op::Insert(slot) => (slot, Expiry::Never, 0),
                Op::Hit(_) | Op::Miss => return,
            };
            let _ = store.set(slot, slot, 0, expiry, now);
            for s in store.drain_dead() {
                if s != slot {
                    freed.push(s);
                }
            }
        }, inserts);
        clock[3] = 0.0;
        if clock[4] != 0.0 {
            store.count_recycles(clock[4] as u64);
            clock[4] = 0.0;
        }
    }

    /// Publishes the kept default expiry for JS to queue timed writes by (`clock`).
    pub(crate) fn publish_clock(&mut self) {
        if let Some((now, expiry)) = self.default_expiry {
            self.clock[1] = expiry_ms(expiry);
            self.clock[2] = self.store.expiry_floor() as f64;
            self.clock[0] = now as f64;
        }
    }

    /// Moves the slots whose entries left the store into `freed`. `written` is the slot
    /// the call stored (if any): it may show up among the dropped values as the value it
    /// replaced, so it alone needs a look at the map. Every other dropped slot is gone,
    /// since a call stores one slot at most.
    pub(super) fn collect_freed(&mut self, written: Option<u32>) {
        let SlotStore { store, freed, .. } = self;
        let mut own = false;
        for slot in store.drain_dead() {
            if Some(slot) == written {
                own = true;
            } else {
                freed.push(slot);
            }
        }
        if let Some(slot) = written.filter(|s| own && !store.holds(s)) {
            freed.push(slot);
        }
    }

    /// The core's `insert_below_bound` (a new slot below the bound, the entry made in
    /// place), which `set` asks only of an LRU-family store: out of line, and kept so by build.mjs
    /// (bindings-js/wasm-outlined.mjs), so that a runtime compiling wasm on first call
    /// (V8's Liftoff) compiles it only for a store that can use it.
    #[inline(never)]
    pub(super) fn insert_below_bound(&mut self, slot: u32, charge: usize, expiry: Expiry, now: u64) -> bool {
        self.store.insert_below_bound(slot, slot, charge, expiry, now)
    }

    /// When a write at `now` with the lifetime `(ttl_kind, ttl_amount)` expires. The
    /// default lifetime's expiry kept for the last `now` is read in the caller; the rest
    /// (a `Result` that goes through memory) is a call of its own.
    #[inline(always)]
    pub(super) fn expiry(&mut self, ttl_kind: u32, ttl_amount: f64, now: u64) -> Result<Expiry, Error> {
        match self.default_expiry {
            Some((at, expiry)) if at == now && ttl_kind == KIND_DEFAULT => Ok(expiry),
            _ => self.work_out_expiry(ttl_kind, ttl_amount, now),
        }
    }

    #[inline(never)]
    fn work_out_expiry(&mut self, ttl_kind: u32, ttl_amount: f64, now: u64) -> Result<Expiry, Error> {
        if ttl_kind != KIND_DEFAULT {
            return Ttl::decode(ttl_kind, ttl_amount).and_then(|t| t.expiry(now, self.default_ttl));
        }
        let expiry = Ttl::Default.expiry(now, self.default_ttl)?;
        self.default_expiry = Some((now, expiry));
        Ok(expiry)
    }

    /// A yes-or-no call's answer (`add`, `touch`): 1 or 0, or `FAILED` with its message
    /// kept for `take_error`.
    pub(super) fn answer(&mut self, outcome: Result<bool, String>) -> f64 {
        match outcome {
            Ok(yes) => f64::from(u8::from(yes)),
            Err(message) => {
                self.error = Some(message);
                FAILED
            }
        }
    }

    /// `set`'s answer: the slots it freed, as `Views::hand_over` gives them to JS.
    pub(crate) fn freed_code(&mut self, written: u32) -> f64 {
        self.collect_freed(Some(written));
        self.views.hand_over(&mut self.freed)
    }
}

/// A queued write of `slot` with the default lifetime's `expiry` at `now`, while no entry
/// expires at `now`: a held slot's is `retime`, a new one's `insert_below_bound`, as in
/// `SlotStore::set`. False, and nothing done, where they decline (a held entry charged
/// a size given with an earlier write, say: `set` then replaces it). Out of line: the
/// replay of an untimed cache compiles without it.
#[inline(never)]
fn write_queued(store: &mut SlotMap, slot: u32, expiry: Expiry, now: u64) -> bool {
    if store.holds(&slot) {
        store.retime(&slot, 0, expiry, now)
    } else {
        store.insert_below_bound(slot, slot, 0, expiry, now)
    }
}
