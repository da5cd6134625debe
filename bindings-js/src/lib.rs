//! The core in WebAssembly, for the npm package `polycache`.
//!
//! Conversion and host glue only: every cache rule lives in the `polycache` core.
//! The JS side keeps its string keys and its values; the store here sees integer
//! slots (`Store<u32, u32, SlotHasher>`, the value being the slot itself) so the hot path crosses
//! the boundary with numbers only. Text crosses only where the core must read it:
//! key building, namespaces, snapshots.

mod error;
mod keys;
mod lru;
mod slot_hash;
mod slots;
mod snapshot;
mod ttl;
mod views;

pub use keys::{build_key, key_warnings, make_key, namespaced_key, shorten_key};
pub use lru::LruStore;
pub use slots::SlotStore;
pub use snapshot::{open_snapshot, SnapshotReader, SnapshotWriter};

use wasm_bindgen::prelude::*;

/// The module's memory, for the views JS keeps on a store's expiries and ring.
#[wasm_bindgen]
pub fn wasm_memory() -> JsValue {
    wasm_bindgen::memory()
}
