//! The hasher type of the store's slot keys. Slots are numbers this binding hands out
//! (0, 1, 2, ... and reused ones), never text a user or an attacker picks, so they need
//! no keyed hasher. Wrapped in `polycache::Slots` (views.rs), the store hashes none of
//! them: LRU, cull and the adaptive policy index them in arrays. A store type still
//! names a hasher, and this one is the cheapest to carry: a Fibonacci multiply, where
//! the keyed default costs ~12 ns per hash on wasm32 (its 64-bit multiplies and byte
//! swaps are emulated there).

use std::hash::{BuildHasherDefault, Hasher};

/// Builds [`SlotHash`] hashers.
pub type SlotHasher = BuildHasherDefault<SlotHash>;

#[derive(Default)]
pub struct SlotHash(u64);

const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

impl Hasher for SlotHash {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(GOLDEN);
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.0 = (self.0 ^ u64::from(n)).wrapping_mul(GOLDEN);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    #[test]
    fn dense_slots_get_distinct_hashes_and_spread_over_buckets() {
        let h = SlotHasher::default();
        let hashes: Vec<u64> = (0..10_000u32).map(|s| h.hash_one(s)).collect();
        assert_eq!(hashes.iter().collect::<HashSet<_>>().len(), 10_000);
        // hashbrown takes the bucket from the low bits and a tag from the top 7 bits.
        let buckets: HashSet<u64> = hashes.iter().map(|x| x & 16_383).collect();
        assert!(buckets.len() > 9_000, "{} buckets", buckets.len());
        let tags: HashSet<u64> = hashes.iter().map(|x| x >> 57).collect();
        assert_eq!(tags.len(), 128);
    }
}
