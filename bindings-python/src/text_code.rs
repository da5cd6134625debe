//! A store's Huffman code for the longer strings of its compact encodings (`compact.rs`).
//!
//! On the memory bench's rows the text is most of an entry (a 120-character title in a
//! ~150-byte encoding), and rows of words that differ from row to row keep it whole under
//! anything but an entropy coder. Strings of [`CODED`] bytes are written with a code
//! learned from the first [`SAMPLE_BYTES`] of such strings the store is given (`entropy.rs`:
//! ~4.5 bits a letter), when that saves an eighth. Not shorter ones (a name, a price:
//! nothing to gain), not longer ones: a read decodes ~15 instructions a byte where a plain
//! string is copied, so a long text (a description, a page of HTML) stays plain and fast.
//! The code is frozen once learned, as the compression dictionary's (`compress.rs`) is,
//! and shared by every handle on the store.

use std::sync::{Mutex, OnceLock, PoisonError};

use crate::entropy::Huffman;

/// Lengths of the strings coded, in UTF-8 bytes: past the strings written once per value
/// (`compact::REPEATS`), up to what a read decodes into a buffer on its stack.
pub const CODED: std::ops::RangeInclusive<usize> = 65..=256;

/// Text a store learns its code from.
pub const SAMPLE_BYTES: usize = 1024;

/// What a store learns once from the first `n` bytes it is given (its compression
/// dictionary, `compress.rs`; its code of strings, here), then keeps for its life: every
/// block made with it needs it to be read.
pub struct Sampled<T> {
    frozen: OnceLock<T>,
    samples: Mutex<Vec<u8>>,
}

impl<T> Default for Sampled<T> {
    fn default() -> Self {
        Sampled { frozen: OnceLock::new(), samples: Mutex::new(Vec::new()) }
    }
}

impl<T> Sampled<T> {
    /// What was learned, once `n` bytes were given; until then `data` is taken as a
    /// sample, and `make` learns from all `n` once they are there.
    pub fn learn(&self, data: &[u8], n: usize, make: impl FnOnce(Box<[u8]>) -> T) -> Option<&T> {
        if let Some(t) = self.frozen.get() {
            return Some(t);
        }
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let room = n.saturating_sub(samples.len());
        samples.extend_from_slice(&data[..data.len().min(room)]);
        if samples.len() >= n {
            let _ = self.frozen.set(make(std::mem::take(&mut *samples).into_boxed_slice()));
        }
        None
    }

    /// What was learned, if it was.
    #[inline]
    pub fn get(&self) -> Option<&T> {
        self.frozen.get()
    }
}

/// The code of a store's longer strings: learned from the first [`SAMPLE_BYTES`].
#[derive(Default)]
pub struct TextCode(Sampled<Huffman>);

impl TextCode {
    /// The code, once learned; until then `text` is taken as a sample.
    pub fn learn(&self, text: &[u8]) -> Option<&Huffman> {
        self.0.learn(text, SAMPLE_BYTES, |sample| Huffman::learn(&sample))
    }

    /// The code, if learned.
    #[inline]
    pub fn get(&self) -> Option<&Huffman> {
        self.0.get()
    }
}
