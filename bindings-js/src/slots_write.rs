//! What `SlotStore`'s calls (slots.rs) share: the replay of the ring, the slots a write
//! freed, when a write expires, and a new slot's write below the bound.

use polycache::{Error, Expiry};

use super::{SlotStore, FREED_MANY, FREED_NONE};
use crate::ttl::{Ttl, KIND_DEFAULT};
use crate::views::Op;

impl SlotStore {
    /// Replays the ring when something waits in it.
    #[inline]
    pub(crate) fn flush(&mut self) {
        let SlotStore { store, views, freed, .. } = self;
        // Writes go in the ring only in a cache where nothing expires and nothing is
        // sized (cache.js): updates of a held slot, and new slots while the store holds
        // fewer entries than its bound, so nothing else is freed. Were anything freed,
        // the next write reports it.
        views.flush::<true>(store, |store, op| {
            let slot = match op {
                // The same value, charge and expiry: a rewrite is a move and a count.
                Op::Update(slot) if store.rewrite(&slot) => return,
                // A new slot below the bound (what JS queues): `set` without its checks.
                Op::Insert(slot) if store.insert_unexpiring_below_bound(slot, slot) => return,
                Op::Update(slot) | Op::Insert(slot) => slot,
                Op::Hit(_) | Op::Miss => return,
            };
            let _ = store.set(slot, slot, 0, Expiry::Never, 0);
            for s in store.drain_dead() {
                if s != slot {
                    freed.push(s);
                }
            }
        });
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

    pub(super) fn freed_code(&mut self, written: u32) -> f64 {
        self.collect_freed(Some(written));
        match self.freed.len() {
            0 => FREED_NONE,
            1 => f64::from(self.freed.pop().expect("one freed slot")),
            _ => FREED_MANY,
        }
    }
}
