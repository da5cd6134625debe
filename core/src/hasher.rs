//! The map's hasher. Keys come from URLs and query strings, so an attacker chooses them:
//! the hasher is keyed with random seeds so that colliding keys cannot be precomputed.

use std::hash::{BuildHasher, Hasher};

/// Keyed hasher builder used by every store.
pub type KeyHasher = ahash::RandomState;

/// A hasher seeded with `seeds`. Hosts without an OS random source
/// (wasm32-unknown-unknown) pass seeds from their own (`crypto.getRandomValues`).
pub fn seeded_hasher(seeds: [u64; 4]) -> KeyHasher {
    ahash::RandomState::with_seeds(seeds[0], seeds[1], seeds[2], seeds[3])
}

/// Four random seeds from the platform: std's SipHash keys, which the OS seeds on
/// every native platform. On wasm32-unknown-unknown std has no randomness, so
/// bindings there must call [`seeded_hasher`] with seeds of their own.
pub fn random_seeds() -> [u64; 4] {
    let mut seeds = [0u64; 4];
    for (i, seed) in seeds.iter_mut().enumerate() {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        *seed = h.finish();
    }
    seeds
}
