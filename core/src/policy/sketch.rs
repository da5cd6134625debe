//! How often a key was seen lately, for admission: a count-min sketch of 4-bit counters
//! that halves every counter after a sample of additions, so popularity ages (the
//! TinyLFU of Einziger, Friedman & Manes, "TinyLFU: A Highly Efficient Cache Admission
//! Policy", ACM ToS 2017, §3.3 "freshness" by reset).
//!
//! Keys reach it as fingerprints from [`fingerprint`], a fixed hash written out here:
//! every host (x86_64, wasm32) and every run makes the same decisions, which a keyed or
//! platform-dependent hasher could not promise.

use std::hash::{Hash, Hasher};

/// FNV-1a's step taken a little-endian word at a time over the bytes `Hash` writes
/// (integers little-endian, `usize` as 64 bits), then a SplitMix64 finaliser so that
/// nearby keys land far apart. A write's last `len % 8` bytes make one more word, their
/// count in its top byte (so `"a"` and `"a\0"` differ). One multiply per byte made a
/// short key's fingerprint the dearest part of an adaptive write in wasm (session 22:
/// a 10-byte key took 11 dependent multiplies, now 3; a 1 KiB key ~3 us before the
/// session that took words for long keys). Every step is a bijection of the state, so
/// two keys differing in one word still differ.
struct Fixed(u64);

const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

impl Fixed {
    #[inline]
    fn step(&mut self, word: u64) {
        self.0 = (self.0 ^ word).wrapping_mul(FNV_PRIME);
    }
}

impl Hasher for Fixed {
    fn finish(&self) -> u64 {
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let words = bytes.chunks_exact(8);
        let rest = words.remainder();
        for word in words {
            self.step(u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]));
        }
        if !rest.is_empty() {
            let mut last = (rest.len() as u64) << 56;
            for (i, &b) in rest.iter().enumerate() {
                last |= u64::from(b) << (8 * i);
            }
            self.step(last);
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
#[inline]
pub fn fingerprint<Q: Hash + ?Sized>(key: &Q) -> u64 {
    let mut h = Fixed(0xcbf2_9ce4_8422_2325);
    key.hash(&mut h);
    h.finish()
}

/// [`fingerprint`] of a text, in one copy for every caller: a host that hands the policy
/// its keys' texts calls it from several places (the npm package's store reads each
/// inlined copy).
#[inline(never)]
pub fn fingerprint_text(text: &str) -> u64 {
    fingerprint_utf8(text.as_bytes())
}

/// [`fingerprint_text`] of the text whose UTF-8 `bytes` are, without checking them (what
/// `str`'s `Hash` writes: the bytes, then 0xff): a host that copies its keys' texts in
/// as bytes it encoded itself (the npm package's key buffer) fingerprints them without
/// reading them twice. Bytes that are no UTF-8 get a fingerprint all the same.
pub fn fingerprint_utf8(bytes: &[u8]) -> u64 {
    let mut h = Fixed(0xcbf2_9ce4_8422_2325);
    h.write(bytes);
    h.write_u8(0xff);
    h.finish()
}

const ROWS: usize = 4;
const MAX_COUNT: u64 = 15;
/// Increments waiting to be applied: a new key or a settled read only appends its
/// fingerprint here, and the counters take the whole batch at once (in order) before
/// anything reads them.
const PENDING: usize = 64;

pub struct Sketch {
    /// Blocks of 8 words of 16 4-bit counters; words `2r` and `2r + 1` of a block are row `r`'s.
    pub(super) words: Vec<u64>,
    /// Blocks, minus one (a power of two minus one).
    mask: u64,
    additions: usize,
    sample: usize,
    pending: [u64; PENDING],
    pending_len: usize,
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
            pending: [0; PENDING],
            pending_len: 0,
        }
    }

    /// A key's 64-byte block (8 words, two per row), chosen by the fingerprint's high
    /// half: a read touches one cache line, not four, which is most of the cost of a hit.
    /// (Spread over the whole table, OLTP gains <0.1 point.)
    #[inline]
    fn block(&mut self, fp: u64) -> &mut [u64; 8] {
        let base = ((fp >> 32) & self.mask) as usize * 8;
        (&mut self.words[base..base + 8]).try_into().expect("8 words")
    }

    /// Row `row`'s counter in the block: its word (0..8) and bit shift. One odd
    /// multiplier per row picks the word and the counter in it.
    #[inline]
    fn counter(row: usize, fp: u64) -> (usize, u32) {
        const SEEDS: [u64; ROWS] =
            [0x9e37_79b9_7f4a_7c15, 0xc2b2_ae3d_27d4_eb4f, 0x1656_67b1_9e37_79f9, 0x27d4_eb2f_1656_67c5];
        let h = fp.wrapping_mul(SEEDS[row]);
        (row * 2 + ((h >> 56) & 1) as usize, ((h >> 60) as u32) * 4)
    }

    /// How often `fp` was seen: every increment recorded so far counts, so the answer
    /// (and the aging before it) is the same as if each had been applied at once.
    pub fn frequency(&mut self, fp: u64) -> u64 {
        if self.pending_len != 0 {
            self.flush();
        }
        let block = self.block(fp);
        (0..ROWS)
            .map(|r| {
                let (w, shift) = Self::counter(r, fp);
                (block[w] >> shift) & 0xf
            })
            .min()
            .unwrap_or(0)
    }

    /// Counts one more sighting of `fp`, applied at the latest before the next read.
    #[inline]
    pub fn record(&mut self, fp: u64) {
        self.pending[self.pending_len] = fp;
        self.pending_len += 1;
        if self.pending_len == PENDING {
            self.flush();
        }
    }

    #[inline(never)]
    fn flush(&mut self) {
        for j in 0..self.pending_len {
            self.increment(self.pending[j]);
        }
        self.pending_len = 0;
    }

    #[inline]
    fn increment(&mut self, fp: u64) {
        let block = self.block(fp);
        let mut added = false;
        for r in 0..ROWS {
            let (w, shift) = Self::counter(r, fp);
            if (block[w] >> shift) & 0xf < MAX_COUNT {
                block[w] += 1 << shift;
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
        // The values tests/vectors/adaptive_reference.py computes: the vectors' oracle
        // and every host fingerprint keys alike.
        for (key, fp) in [
            ("foo123bar", 0xef64_ac5a_0498_5652),
            ("", 0x7353_084a_1685_e95b),
            ("a", 0xbac7_4068_043f_ca2f),
            ("a\0", 0x9d21_a772_24ee_0c52),
            ("\u{e9}:1:x", 0x8ba4_2fc8_6bc8_8862),
        ] {
            assert_eq!(fingerprint(key), fp, "{key:?}");
            assert_eq!(fingerprint_text(key), fp, "{key:?}");
        }
        assert_eq!(fingerprint("k".repeat(1024).as_str()), 0x2515_7d57_35af_7f66);
        assert_eq!(fingerprint_utf8("k".repeat(1024).as_bytes()), 0x2515_7d57_35af_7f66);
        // Keys are taken 8 bytes per step: one changed byte anywhere still tells two keys
        // apart, at every length around a step; so does a length, trailing NULs included.
        for len in (0..=20).chain(60..=140) {
            let base = "k".repeat(len);
            let mut seen = std::collections::HashSet::new();
            assert!(seen.insert(fingerprint(base.as_str())));
            for at in 0..len {
                let mut other = base.clone().into_bytes();
                other[at] = b'j';
                let other = String::from_utf8(other).unwrap();
                assert!(seen.insert(fingerprint(other.as_str())), "len {len}, byte {at}");
            }
        }
    }

    #[test]
    fn a_texts_bytes_fingerprint_as_the_text() {
        // What `str`'s Hash writes, written here as bytes: every length around a step,
        // texts of one to four bytes a character.
        let chars = ['k', '\u{e9}', '\u{20ac}', '\u{1f600}', '\0'];
        for len in 0..=70 {
            let text: String = (0..len).map(|i| chars[(i * 7 + len) % chars.len()]).collect();
            assert_eq!(fingerprint_utf8(text.as_bytes()), fingerprint(text.as_str()), "{text:?}");
            assert_eq!(fingerprint_text(&text), fingerprint(text.as_str()), "{text:?}");
        }
        // Bytes that are no text still have one, apart from their neighbours'.
        assert_ne!(fingerprint_utf8(&[0xc3]), fingerprint_utf8(&[0xc3, 0xa9]));
    }

    #[test]
    fn counts_saturate_and_age() {
        let mut s = Sketch::new(16);
        let fp = fingerprint("hot");
        for _ in 0..20 {
            s.record(fp);
        }
        assert_eq!(s.frequency(fp), 15);
        assert_eq!(s.frequency(fingerprint("cold")), 0);
        for i in 0..400u64 {
            s.record(fingerprint(&i));
        }
        assert!(s.frequency(fp) < 15, "aged: {}", s.frequency(fp));
    }

    #[test]
    fn recorded_increments_read_as_if_applied_at_once() {
        // Reads between batches, and agings inside one, must see what immediate
        // increments would have produced: the adaptive policy's decisions depend on it.
        let (mut batched, mut direct) = (Sketch::new(16), Sketch::new(16));
        for i in 0..2_000u64 {
            let fp = fingerprint(&(i % 37 + i % 5));
            batched.record(fp);
            direct.increment(fp);
            if i % 7 == 3 {
                let probe = fingerprint(&(i % 41));
                assert_eq!(batched.frequency(probe), direct.frequency(probe), "after {i} increments");
            }
        }
        batched.flush();
        assert_eq!((batched.additions, &batched.words), (direct.additions, &direct.words));
    }
}
