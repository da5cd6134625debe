//! Where the `LruStore` keeps what JS reads and writes in wasm memory without a call
//! (lru-views.js): the per-slot fresh-until times, ages and sizes (lru_slots.rs), the
//! ring and its count of replays (views.rs), and the core's byte sum and recency links.
//! Each place is an address (a byte offset) or a length; they change only as each says.
//! JS reads them all with one call, `views_at`.

use wasm_bindgen::prelude::*;

use super::LruStore;

#[wasm_bindgen]
impl LruStore {
    /// Where JS opens its views, as twelve u32 at the byte offset returned (written by
    /// this call): `ring_ptr`, `ring_len`, `fresh_ptr`, `fresh_len`, `ages_ptr`,
    /// `sizes_ptr`, `sizes_len`, `covered_len`, `links_ptr`, `links_len`, `replays_ptr`,
    /// `bytes_ptr` (below). One call: a call a place cost a first `LRUCache`'s first set a
    /// JS and a wasm function compiled on their first call each, twelve times
    /// (docs/js-speed.md, session 26), as it had cost a first `Cache` (session 20).
    pub fn views_at(&self) -> u32 {
        self.places.set([
            self.ring_ptr(),
            self.ring_len(),
            self.fresh_ptr(),
            self.fresh_len(),
            self.ages_ptr(),
            self.sizes_ptr(),
            self.sizes_len(),
            self.covered_len(),
            self.links_ptr(),
            self.links_len(),
            self.replays_ptr(),
            self.bytes_ptr(),
        ]);
        self.places.as_ptr() as usize as u32
    }

    /// Lays out the ages and fresh-until times (each slot's the default: untimed) if they
    /// are not yet: JS calls it when the cache's first lifetime is tracked, before it
    /// writes ages through its view (lru-lifetimes.js `start`).
    pub fn time_slots(&mut self) {
        self.slots.time_slots();
    }

    /// Lays out the sizes (each slot's 0) if they are not yet: JS calls it when it makes a
    /// cache that sizes its entries, so that its view of them covers every slot from the
    /// first write on (lru-views.js `rewrite`).
    pub fn size_slots(&mut self) {
        self.slots.size_slots();
    }
}

impl LruStore {
    /// Where the per-slot fresh-until times are in wasm memory (a byte offset; they move
    /// only in a write of a slot at or past `covered_len`, or when laid out at the first
    /// lifetime).
    pub fn fresh_ptr(&self) -> u32 {
        self.slots.fresh.as_ptr() as usize as u32
    }

    /// How many fresh-until times (and ages) there are: `covered_len`, or 0 before the
    /// cache's first lifetime.
    pub fn fresh_len(&self) -> u32 {
        self.slots.fresh.len() as u32
    }

    /// How many slots the per-slot arrays cover, and the core's links stay put for: a
    /// write of a slot below it moves neither (slot `n` is the links' index `n + 1`).
    pub fn covered_len(&self) -> u32 {
        let links = self.store.recency_links_stay().map_or(usize::MAX, |(below, _)| below.saturating_sub(1));
        self.slots.cap().min(links) as u32
    }

    /// Where the per-slot sizes are in wasm memory (`sizes_len` of them; they move with
    /// `fresh`). JS reads a held slot's there: a write of the size it has is a move.
    pub fn sizes_ptr(&self) -> u32 {
        self.slots.sizes.as_ptr() as usize as u32
    }

    /// How many sizes there are: `covered_len`, or 0 before `size_slots` or the first
    /// size other than 0.
    pub fn sizes_len(&self) -> u32 {
        self.slots.sizes.len() as u32
    }

    /// Where the sum of the entries' sizes is in wasm memory (the core's `bytes_ptr`: a u64,
    /// read by JS as two u32, low first; it never moves, as the store is boxed for JS).
    /// With the sizes of the new slots queued since the ring's last replay, JS knows
    /// whether a new entry fits below `maxSize` (lru-views.js `insertSized`).
    pub fn bytes_ptr(&self) -> u32 {
        self.store.bytes_ptr() as usize as u32
    }

    /// Where the per-slot ages are in wasm memory (`fresh_len` of them, each a ttl then a
    /// start: `Age` is `repr(C)`; they move with `fresh`). JS writes a held slot's age
    /// there, and its fresh-until time, with a move queued in the ring (lru-views.js).
    pub fn ages_ptr(&self) -> u32 {
        self.slots.ages.as_ptr() as usize as u32
    }

    /// Where the ring is in wasm memory (a byte offset; it never moves).
    pub fn ring_ptr(&self) -> u32 {
        self.views.ring_ptr()
    }

    /// The ring's length: its count, then the operations it holds (fewer in a small
    /// cache: views.rs, `ring_for`).
    pub fn ring_len(&self) -> u32 {
        self.views.ring_len()
    }

    /// Where the count of the ring's replays is (views.rs).
    pub fn replays_ptr(&self) -> u32 {
        self.views.replays_ptr()
    }

    /// Where the core's recency links are (the core's `Recency::links`: two u32 per
    /// index, index 0 the head, whose first is the least recently used index, slot `n` at
    /// index `n + 1`): JS reads its next victims there while the ring holds nothing but
    /// its own moves of them (lru-views.js `recycle`). They move only in a write of a slot
    /// at or past `covered_len` (as the per-slot arrays), after which JS opens its views
    /// again; where they are laid out for every slot JS can use (a bound of moderate
    /// size), never.
    pub fn links_ptr(&self) -> u32 {
        self.store.recency_links().map_or(0, |(at, _)| at as usize as u32)
    }

    /// How many u32 `links_ptr` covers: the allocation's, so that indexes the store lays
    /// out later in it (pushes of slots below `covered_len`) are in JS's view too. JS
    /// reads only held indexes' links, which are written.
    pub fn links_len(&self) -> u32 {
        self.store.recency_links_stay().map_or(0, |(_, room)| 2 * room as u32)
    }
}
