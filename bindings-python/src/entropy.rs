//! A store's Huffman code for the bytes of its values (`compress.rs`).
//!
//! LZ4 finds repeats; a value whose text repeats nothing the store's dictionary holds (rows
//! of words that differ from row to row) barely shrinks under it. Such text still uses
//! few of the 256 byte values, most of them often: lower-case letters and spaces take ~4.5
//! bits a character when coded by their frequency, as zstd and deflate code their literals.
//! The code is learned once per store, from the same first bytes as its LZ4 dictionary,
//! and frozen: every block coded with it needs it to be read. Each byte value gets a code
//! (a byte never seen costs up to [`MAX_BITS`] bits), so any block can be coded.

/// The longest code: a read looks a code up in a table of 2^MAX_BITS entries.
pub const MAX_BITS: u32 = 12;

pub struct Huffman {
    /// Code length and code (its bits in the low `len` bits) of each byte value.
    codes: [(u8, u16); 256],
    /// For each MAX_BITS-bit window: the byte value whose code starts it, and its length.
    table: Box<[(u8, u8)]>,
}

impl Huffman {
    /// The code for bytes distributed as `sample` is.
    pub fn learn(sample: &[u8]) -> Huffman {
        let mut freq = [0u64; 256];
        for &b in sample {
            freq[b as usize] += 16;
        }
        for f in &mut freq {
            *f += 1;
        }
        let lens = loop {
            let lens = lengths(&freq);
            if lens.iter().all(|&l| u32::from(l) <= MAX_BITS) {
                break lens;
            }
            // Flatter frequencies give shorter long codes; halve until they fit.
            for f in &mut freq {
                *f = (*f >> 1).max(1);
            }
        };
        // Canonical codes: by length, then by byte value.
        let mut order: Vec<usize> = (0..256).collect();
        order.sort_by_key(|&b| (lens[b], b));
        let mut codes = [(0u8, 0u16); 256];
        let (mut code, mut len) = (0u32, 0u8);
        for &b in &order {
            code <<= lens[b] - len;
            len = lens[b];
            codes[b] = (len, code as u16);
            code += 1;
        }
        let mut table = vec![(0u8, 0u8); 1 << MAX_BITS].into_boxed_slice();
        for (b, &(len, code)) in codes.iter().enumerate() {
            let shift = MAX_BITS - u32::from(len);
            let start = (code as usize) << shift;
            for e in &mut table[start..start + (1 << shift)] {
                *e = (b as u8, len);
            }
        }
        Huffman { codes, table }
    }

    /// Bytes `data` takes coded.
    pub fn coded_len(&self, data: &[u8]) -> usize {
        let bits: usize = data.iter().map(|&b| usize::from(self.codes[b as usize].0)).sum();
        bits.div_ceil(8)
    }

    /// Appends `data` coded to `out`, most significant bit first.
    pub fn encode(&self, data: &[u8], out: &mut Vec<u8>) {
        let (mut acc, mut n) = (0u64, 0u32);
        for &b in data {
            let (len, code) = self.codes[b as usize];
            acc = (acc << len) | u64::from(code);
            n += u32::from(len);
            while n >= 8 {
                n -= 8;
                out.push((acc >> n) as u8);
            }
        }
        if n > 0 {
            out.push((acc << (8 - n)) as u8);
        }
    }

    /// Decodes `len` bytes from `bits` into `out`; false if `bits` runs out first.
    pub fn decode(&self, bits: &[u8], len: usize, out: &mut [u8]) -> bool {
        self.decode_prefix(bits, len, out).is_some()
    }

    /// Decodes `len` bytes from the start of `bits` into `out`; the bytes of `bits` their
    /// codes took (the last one padded), or None if `bits` runs out first.
    pub fn decode_prefix(&self, bits: &[u8], len: usize, out: &mut [u8]) -> Option<usize> {
        let (mut acc, mut n, mut next) = (0u64, 0u32, 0usize);
        let mut used = 0usize;
        for slot in out.iter_mut().take(len) {
            if n < MAX_BITS {
                if let Some(w) = bits.get(next..next + 8) {
                    // As many whole bytes as the accumulator has room for, in one load.
                    let k = (63 - n) / 8;
                    let w = u64::from_be_bytes(w.try_into().expect("8 bytes"));
                    acc = (acc << (k * 8)) | (w >> (64 - k * 8));
                    n += k * 8;
                    next += k as usize;
                } else {
                    while n < MAX_BITS {
                        // Past the end, zeros: the last code's padding; `used` catches a
                        // short input.
                        let byte = bits.get(next).copied().unwrap_or(0);
                        next += 1;
                        acc = (acc << 8) | u64::from(byte);
                        n += 8;
                    }
                }
            }
            let window = ((acc >> (n - MAX_BITS)) as usize) & ((1 << MAX_BITS) - 1);
            let (b, l) = self.table[window];
            n -= u32::from(l);
            used += usize::from(l);
            *slot = b;
        }
        (used <= bits.len() * 8).then(|| used.div_ceil(8))
    }
}

/// Huffman code lengths for `freq` (every entry at least 1), unbounded.
fn lengths(freq: &[u64; 256]) -> [u8; 256] {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    // Nodes 0..256 are the byte values; each merge adds one, its children's parent.
    let mut parent = vec![usize::MAX; 511];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = freq.iter().enumerate().map(|(b, &f)| Reverse((f, b))).collect();
    let mut next = 256;
    while heap.len() > 1 {
        let Reverse((fa, a)) = heap.pop().expect("two nodes");
        let Reverse((fb, b)) = heap.pop().expect("two nodes");
        parent[a] = next;
        parent[b] = next;
        heap.push(Reverse((fa + fb, next)));
        next += 1;
    }
    let mut lens = [0u8; 256];
    for (b, len) in lens.iter_mut().enumerate() {
        let (mut node, mut depth) = (b, 0u8);
        while parent[node] != usize::MAX {
            node = parent[node];
            depth = depth.saturating_add(1);
        }
        *len = depth;
    }
    lens
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips_and_shrinks_and_any_byte_is_coded() {
        let sample = b"the quick brown fox jumps over a lazy dog while seven tired wizards brew".repeat(10);
        let h = Huffman::learn(&sample);
        let text = b"seven lazy wizards jump over the brown dog";
        let mut out = Vec::new();
        h.encode(text, &mut out);
        assert_eq!(out.len(), h.coded_len(text));
        assert!(out.len() * 10 < text.len() * 7, "{} of {}", out.len(), text.len());
        let mut back = vec![0; text.len()];
        assert!(h.decode(&out, text.len(), &mut back));
        assert_eq!(&back[..], &text[..]);
        let mut followed = out.clone();
        followed.extend_from_slice(b"next");
        assert_eq!(h.decode_prefix(&followed, text.len(), &mut back), Some(out.len()));
        let every: Vec<u8> = (0..=255).collect();
        let mut out = Vec::new();
        h.encode(&every, &mut out);
        let mut back = vec![0; 256];
        assert!(h.decode(&out, 256, &mut back));
        assert_eq!(back, every);
        assert!(!h.decode(&out[..out.len() / 2], 256, &mut back), "a short input is refused");
    }
}
