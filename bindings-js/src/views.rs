//! What the JS `Cache` reads and writes in wasm memory without a call per operation.
//!
//! - `expiries`: each slot's expiry as the store holds it (epoch ms, `Infinity` for
//!   never), written by the store's side on every write, so a `get` checks expiry in
//!   JS. JS only trusts it for a slot it holds; a stale reading can only be an earlier
//!   expiry (JS then asks the store, which decides).
//! - `ring`: the operations JS answered on its own, in order, for the store to replay
//!   before anything that depends on them: a hit (recency, the adaptive policy's
//!   counts, the hit counter), a miss (the miss counter), an update of a live key
//!   in a cache where nothing expires and nothing is sized, and, in such a cache while
//!   it holds fewer entries than its bound, a write of a new key (which then can
//!   neither evict nor fail). `ring[0]` is how many are
//!   waiting; JS calls `sync` when the ring is full. Every `SlotStore` method replays
//!   the ring first, so the store's decisions are exactly those of one call per
//!   operation, in the same order.
//!
//! - `keys` (an adaptive store's; slots.rs): where JS writes a new key's text (UTF-8)
//!   for the adaptive policy to learn, so the key crosses without wasm-bindgen's
//!   allocation and free of a string: before a write, for `SlotStore::next_key_at`; or,
//!   for a new key JS queues in the ring below the bound, after the texts queued since
//!   the last replay, each as its length (two bytes) and its text, which the replay reads
//!   in order (`queued_text`), one per queued new key. The store's own, as its ring is: a
//!   text another cache wrote would be read as this one's.
//!
//! A store's wasm memory is given back only when JS has collected its owner and run its
//! finalizer, after the current task: a loop making small caches holds all of theirs till
//! it ends. So a small cache takes little: its ring is as long as its bound (at least
//! `RING_MIN`, at most `RING`), and so is its key buffer (`key_bytes`; none but an
//! adaptive store's).
//!
//! The ring and the key buffer never move (boxed slices). `expiries` moves when it grows, only in a call
//! that writes a slot at or past its length; JS renews its views after such a call, and
//! after any call that may have grown the wasm memory (which detaches every view: their
//! length reads 0).

use polycache::{Expiry, Slots, Store};

use crate::slot_hash::SlotHasher;

/// The core's store on the binding's integer slots, as both JS stores hold it: LRU, cull
/// and the adaptive policy index entries by slot in arrays (`Slots`: a dense LRU, the
/// adaptive policy's `ByKey` table), hashing none.
pub type SlotMap = Store<u32, u32, Slots<SlotHasher>>;

/// Reads `slot` as a use at time `now` (a hit: recency, counts); false when it is not
/// live. One copy of the core's read for every call that makes one (inlined into each,
/// it made the module several KB larger).
#[inline(never)]
pub fn read(store: &mut SlotMap, slot: u32, now: u64) -> bool {
    store.get_with(&slot, now, |_| ()).is_some()
}

/// Operations the longest ring holds before JS must call `sync`.
pub const RING: usize = 512;
/// The shortest ring: replaying a ring costs a call, so a tiny cache's syncs still
/// come at most one per 16 operations.
pub const RING_MIN: usize = 16;
/// Bytes of key text the largest key buffer holds (a key of up to a third as many UTF-16
/// units always fits: its UTF-8 is at most 3 bytes a unit).
pub const KEY_BYTES: usize = 4096;

/// The key buffer's length for a store of `bound` slots (0: unbounded or too many to
/// lay out now): room for its bound's keys at ~24 bytes each, from 256 to `KEY_BYTES`;
/// none where the policy learns no key (all but the adaptive one).
pub fn key_bytes(adaptive: bool, bound: usize) -> usize {
    match (adaptive, bound) {
        (false, _) => 0,
        (true, 0) => KEY_BYTES,
        (true, b) => b.saturating_mul(24).clamp(256, KEY_BYTES),
    }
}

/// The first `len` bytes of a key buffer: a text's UTF-8 as JS wrote it (slot-store.js),
/// fingerprinted as they are (`fingerprint_utf8`: checking them as UTF-8 first was 15%
/// of an adaptive write of a 1 KiB key). None past the buffer.
pub fn key_text(keys: &[u8], len: usize) -> Option<&[u8]> {
    keys.get(..len)
}

/// The text queued at byte `at` of a key buffer (its length in two bytes, little end
/// first, then its UTF-8, as `key_text` reads it): the text and where the next starts;
/// None where there is none.
pub fn queued_text(keys: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let len = usize::from(u16::from_le_bytes([*keys.get(at)?, *keys.get(at + 1)?]));
    Some((keys.get(at + 2..at + 2 + len)?, at + 2 + len))
}

/// The ring's length (operations it holds) for a store of `bound` slots (0: unbounded or
/// too many to lay out now). JS reads it as its view's length less one.
pub fn ring_for(bound: usize) -> usize {
    if bound == 0 {
        RING
    } else {
        bound.clamp(RING_MIN, RING)
    }
}
/// A ring entry for a miss. A hit is the slot (>= 0); an update is `-(2 * slot + 2)`, a
/// write of a new key `-(2 * slot + 3)`.
pub const OP_MISS: i32 = -1;

/// One operation read back from the ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Hit(u32),
    Miss,
    Update(u32),
    Insert(u32),
}

/// The slot of the `n`th of the new keys at the start of `ops` (a ring's); None from the
/// first other op on.
pub fn new_key(ops: &[i32], n: usize) -> Option<u32> {
    match decode(*ops.get(n)?) {
        Op::Insert(slot) => Some(slot),
        _ => None,
    }
}

pub fn decode(op: i32) -> Op {
    if op >= 0 {
        Op::Hit(op as u32)
    } else if op == OP_MISS {
        Op::Miss
    } else {
        let x = -(op + 2) as u32;
        if x % 2 == 0 {
            Op::Update(x / 2)
        } else {
            Op::Insert(x / 2)
        }
    }
}

/// What the stores' writes answer JS (slot-store.js and lru-entries.js must match): no
/// slot freed; several, taken with a call (`take_dead`, `take_freed`); the write refused
/// (then `take_error`). One slot freed is answered as the slot, and `k` of them that fit
/// in the ring as `-(2 + k)` (`Views::hand_over`). (A `Result` or an array would come
/// back to JS through memory or as a fresh object on every write.)
pub const FREED_NONE: f64 = -1.0;
pub const FREED_MANY: f64 = -2.0;
pub const FAILED: f64 = -3.0;

pub struct Views {
    ring: Box<[i32]>,
    expiries: Vec<f64>,
}

/// An expiry as JS compares it with its clock (`expiry > now` is live, as in the core).
pub fn expiry_ms(e: Expiry) -> f64 {
    e.as_epoch_ms().map_or(f64::INFINITY, |at| at as f64)
}

impl Views {
    /// `slots`: how many slots to lay out now (JS's own arrays are that long); `ring`:
    /// how many operations the ring holds (`ring_for`).
    pub fn new(slots: usize, ring: usize) -> Views {
        // The count, the places, and after them how many replays there have been.
        Views { ring: vec![0; ring + 2].into_boxed_slice(), expiries: vec![0.0; slots] }
    }

    /// How many operations the ring holds.
    fn capacity(&self) -> usize {
        self.ring.len() - 2
    }

    /// True when operations wait in the ring.
    #[inline]
    pub fn pending(&self) -> bool {
        self.ring[0] != 0
    }

    /// Empties the ring: how many operations it held, which `op(1..=n)` still reads,
    /// oldest first (emptied first, so a call made while replaying them cannot see them
    /// again).
    fn take(&mut self) -> usize {
        let n = (self.ring[0].max(0) as usize).min(self.capacity());
        self.ring[0] = 0;
        let replays = self.ring.len() - 1;
        self.ring[replays] = self.ring[replays].wrapping_add(1);
        n
    }

    fn op(&self, i: usize) -> Op {
        decode(self.ring[i])
    }

    /// Replays the waiting operations on `store`, oldest first, if there are any: a hit
    /// reads its slot (recency, the adaptive policy's counts, the hit counter), a miss
    /// reads a slot no entry has (the miss counter), an update or a new key's write goes
    /// to `write` (a new key's expiry is then never). A new key may start a run the owner
    /// stores at once (a fill below the bound): `inserts` gets the ring's ops from that
    /// key's on and answers how many of them, from the first, it has stored (new keys all,
    /// `new_key` reads them; 0 leaves the key to `write`).
    /// `EXPIRIES`: whether the owner keeps its expiries here (the `Cache`'s store; the
    /// `LRUCache`'s keeps ages of its own).
    #[inline]
    pub fn flush<const EXPIRIES: bool>(
        &mut self,
        store: &mut SlotMap,
        write: impl FnMut(&mut SlotMap, Op),
        inserts: impl FnMut(&mut SlotMap, &[i32]) -> usize,
    ) {
        if self.pending() {
            self.replay::<EXPIRIES>(store, write, inserts);
        }
    }

    #[inline(never)]
    fn replay<const EXPIRIES: bool>(
        &mut self,
        store: &mut SlotMap,
        mut write: impl FnMut(&mut SlotMap, Op),
        mut inserts: impl FnMut(&mut SlotMap, &[i32]) -> usize,
    ) {
        let n = self.take();
        let mut i = 1;
        while i <= n {
            // A run of hits, read at once: JS found each entry live when it answered,
            // so it still is at its own time (the store's order and counters of a read).
            if self.ring[i] >= 0 {
                let run = self.ring[i..=n].iter().take_while(|&&op| op >= 0).count();
                store.read_held_all(self.ring[i..i + run].iter().map(|&slot| slot as u32));
                i += run;
                continue;
            }
            let op = self.op(i);
            if let Op::Insert(_) = op {
                let run = inserts(store, &self.ring[i..=n]);
                if run > 0 {
                    if EXPIRIES {
                        for j in i..i + run {
                            if let Op::Insert(slot) = self.op(j) {
                                self.set_expiry(slot, Expiry::Never);
                            }
                        }
                    }
                    i += run;
                    continue;
                }
            }
            i += 1;
            match op {
                // (Hits went above, in runs.)
                Op::Hit(slot) => store.read_held_all(std::iter::once(slot)),
                Op::Miss => {
                    read(store, u32::MAX, 0);
                }
                op @ Op::Update(_) => write(store, op),
                op @ Op::Insert(slot) => {
                    write(store, op);
                    // JS queues a slot the array covers (cache.js), so it does not move.
                    // (A const, not a test of the array's length: each store's replay
                    // compiles as fast as it did without queued writes; with the test,
                    // the adaptive policy's replayed hits read ~25% slower.)
                    if EXPIRIES {
                        self.set_expiry(slot, Expiry::Never);
                    }
                }
            }
        }
    }

    /// The answer to a write that freed the slots in `freed` (see `FREED_NONE`), which it
    /// empties unless they are too many for the ring: then `FREED_MANY`, and JS takes
    /// them with a call. Several slots go into the ring's places `1..=k`, which are free
    /// after any call (its replay comes first): JS reads them before it records
    /// anything, with no array made and no call.
    pub fn hand_over(&mut self, freed: &mut Vec<u32>) -> f64 {
        match freed.len() {
            0 => FREED_NONE,
            1 => f64::from(freed.pop().expect("one freed slot")),
            k if k <= self.capacity() && self.ring[0] == 0 => {
                let places = &mut self.ring[1..=k];
                // SAFETY: `places` and `freed` are `k` 4-byte integers each, apart (the ring
                // is not the Vec), and every u32 bit pattern is an i32: slots are below
                // 2^31, so JS reads them as they are. One `memory.copy` (a loop of casts
                // unrolled into 300 bytes of the module every import loads).
                unsafe { std::ptr::copy_nonoverlapping(freed.as_ptr().cast::<i32>(), places.as_mut_ptr(), k) };
                freed.clear();
                -(2.0 + k as f64)
            }
            _ => FREED_MANY,
        }
    }

    #[inline]
    pub fn set_expiry(&mut self, slot: u32, e: Expiry) {
        let i = slot as usize;
        if i >= self.expiries.len() {
            self.grow(i);
        }
        self.expiries[i] = expiry_ms(e);
    }

    // Doubling, so a growing cache moves the array O(log n) times.
    #[cold]
    fn grow(&mut self, i: usize) {
        let len = (i + 1).max(self.expiries.len() * 2).max(64);
        self.expiries.resize(len, 0.0);
    }

    pub fn ring_ptr(&self) -> u32 {
        self.ring.as_ptr() as usize as u32
    }

    /// The ring's length as JS views it: its count and `capacity` places.
    pub fn ring_len(&self) -> u32 {
        self.ring.len() as u32 - 1
    }

    /// Where the count of replays is (an i32 after the ring's places, wrapping): JS reads
    /// it to tell that nothing it queued was replayed since it last looked (the
    /// `LRUCache`'s victims read in place, lru-views.js `recycle`).
    #[cfg_attr(not(feature = "lru"), allow(dead_code))]
    pub fn replays_ptr(&self) -> u32 {
        (self.ring.as_ptr() as usize + 4 * (self.ring.len() - 1)) as u32
    }

    /// The count `replays_ptr` locates.
    #[cfg(test)]
    pub(crate) fn replays(&self) -> i32 {
        self.ring[self.ring.len() - 1]
    }

    pub fn expiries_ptr(&self) -> u32 {
        self.expiries.as_ptr() as usize as u32
    }

    pub fn expiries_len(&self) -> u32 {
        self.expiries.len() as u32
    }

    /// The slots `hand_over` put in the ring for its answer `answer` (as JS reads them).
    #[cfg(test)]
    pub(crate) fn handed_over(&self, answer: f64) -> Vec<u32> {
        let k = (-answer - 2.0) as usize;
        self.ring[1..=k].iter().map(|&s| s as u32).collect()
    }

    #[cfg(test)]
    pub(crate) fn push(&mut self, op: i32) {
        let n = self.ring[0] as usize + 1;
        self.ring[n] = op;
        self.ring[0] = n as i32;
    }
}

#[cfg(test)]
#[path = "views_tests.rs"]
mod tests;
