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

#[derive(Default)]
pub struct TextCode {
    frozen: OnceLock<Huffman>,
    samples: Mutex<Vec<u8>>,
}

impl TextCode {
    /// The code, once learned; until then `text` is taken as a sample.
    pub fn learn(&self, text: &[u8]) -> Option<&Huffman> {
        if let Some(h) = self.frozen.get() {
            return Some(h);
        }
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let room = SAMPLE_BYTES.saturating_sub(samples.len());
        samples.extend_from_slice(&text[..text.len().min(room)]);
        if samples.len() >= SAMPLE_BYTES {
            let _ = self.frozen.set(Huffman::learn(&std::mem::take(&mut *samples)));
        }
        None
    }

    /// The code, if learned.
    #[inline]
    pub fn get(&self) -> Option<&Huffman> {
        self.frozen.get()
    }
}
