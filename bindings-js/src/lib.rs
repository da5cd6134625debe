//! The core in WebAssembly, for the npm package `polycache`.
//!
//! Conversion and host glue only: every cache rule lives in the `polycache` core.
//! The JS side keeps its string keys and its values; the store here sees integer
//! slots (`Store<u32, u32, SlotHasher>`, the value being the slot itself) so the hot path crosses
//! the boundary with numbers only. Text crosses only where the core must read it:
//! key building, namespaces, snapshots.

// The module every import loads: the `Cache`'s store.
#[cfg(feature = "store")]
mod slots;
#[cfg(feature = "store")]
mod slots_persist;
#[cfg(feature = "store")]
mod ttl;
#[cfg(feature = "store")]
pub use slots::SlotStore;

// The module loaded with `LRUCache`'s code, on its first use: the `LRUCache`'s store.
#[cfg(feature = "lru")]
mod lru;
#[cfg(feature = "lru")]
mod lru_slots;
#[cfg(feature = "lru")]
pub use lru::LruStore;

// What both stores are made of. The `LRUCache`'s store alone reads fewer views than the
// `Cache`'s: a build of it alone leaves the rest unused.
#[cfg(any(feature = "store", feature = "lru"))]
mod slot_hash;
#[cfg(any(feature = "store", feature = "lru"))]
#[cfg_attr(not(feature = "store"), allow(dead_code))]
mod views;

// The module loaded on first use: snapshots (the codec, SHA-256/HMAC) and the key
// functions (the builder shortens long keys with SHA-256).
#[cfg(feature = "codec")]
mod keys;
#[cfg(feature = "codec")]
mod snapshot;
#[cfg(feature = "codec")]
pub use keys::{build_key, key_warnings, make_key, namespaced_key, shorten_key};
#[cfg(feature = "codec")]
pub use snapshot::{open_snapshot, SnapshotReader, SnapshotWriter};

// Every module's errors: the stores' as messages, the snapshots' as JS errors (`to_js`).
#[cfg_attr(not(any(feature = "store", feature = "codec")), allow(dead_code))]
mod error;

// (No `wasm_memory`: the stores' modules import nothing, error.rs. JS reads a module's
// memory from its exports, which the glue's `initSync` answers.)

// Single-threaded wasm (no `atomics`): talc's allocator without a lock (grow.rs).
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
mod grow;
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: grow::Allocator = grow::allocator();
