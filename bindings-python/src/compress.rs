//! Compression of large pickled values (`compress_min_length=`, Django's
//! `COMPRESS_MIN_LENGTH`), as django-redis's compressors do for what it sends to Redis: a
//! pickle at least that long is kept LZ4-compressed (`lz4_flex`, pure Rust) when that
//! makes it smaller, and decompressed into a fresh `bytes` for `pickle.loads` on every
//! read. Only pickles: values kept as they are (`str`, `bytes`, numbers) and JSON-like
//! copies are read without any decoding, which compression would add back.
//!
//! Each store learns a dictionary: the first [`DICTIONARY_BYTES`] of the pickles it is
//! given to compress, kept as they came and never changed after. LZ4 alone finds repeats
//! only inside one value, and a pickle of a few hundred bytes has few: the field names, the
//! pickle's own framing and the words its rows share are repeated from one value to the
//! next instead, and a block compressed against the dictionary refers to them there (the
//! idea of zstd's dictionaries, for the same case of many small similar records). On the
//! memory bench's ~190-byte rows a block falls from ~160 to ~40 bytes; on rows of random
//! words, ~200 to ~165 (docs/benchmarks.md, "Memory"). Its cost: a compression hashes the
//! dictionary again (~0.5 us), a decompression only copies from it.

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;
use std::sync::{Mutex, OnceLock, PoisonError};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// How much of the first pickles a store's dictionary keeps. Every compression hashes it
/// again (~10k instructions for 1 KB); twice as long found 1% more on rows of random
/// words, and nothing more on rows that share their text.
pub const DICTIONARY_BYTES: usize = 1024;

/// The header's top bit: the block was compressed against the store's dictionary.
const WITH_DICTIONARY: u32 = 1 << 31;

/// A store's dictionary: samples until it holds [`DICTIONARY_BYTES`], then frozen for the
/// store's life (every block compressed against it needs it to be read). Shared by every
/// handle on the store, as they read each other's values.
#[derive(Default)]
pub struct Dictionary {
    frozen: OnceLock<Box<[u8]>>,
    samples: Mutex<Vec<u8>>,
}

impl Dictionary {
    /// The dictionary, once it is complete; until then, `pickle` is taken as a sample and
    /// compressed alone (against its own bytes it would seem to compress when it does not).
    fn learn(&self, pickle: &[u8]) -> Option<&[u8]> {
        if let Some(d) = self.frozen.get() {
            return Some(d);
        }
        let mut samples = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let room = DICTIONARY_BYTES.saturating_sub(samples.len());
        samples.extend_from_slice(&pickle[..pickle.len().min(room)]);
        if samples.len() >= DICTIONARY_BYTES {
            let full = std::mem::take(&mut *samples).into_boxed_slice();
            let _ = self.frozen.set(full);
        }
        None
    }
}

/// A pickle kept compressed: a header (the pickle's length, 4 bytes little-endian, its top
/// bit set when the block needs the dictionary) then the LZ4 block, in one allocation of
/// exactly that size ([`Thin`]).
#[derive(Clone)]
pub struct Packed(Thin);

/// `pickle` compressed, when it is at least `min` bytes long and compression saves at
/// least an eighth of it (less is not worth a decompression on every read).
pub fn pack(pickle: &[u8], min: Option<usize>, dictionary: &Dictionary) -> Option<Packed> {
    let min = min?;
    let len = u32::try_from(pickle.len())
        .ok()
        .filter(|n| n & WITH_DICTIONARY == 0)?;
    if pickle.len() < min {
        return None;
    }
    let dict = dictionary.learn(pickle);
    SCRATCH.with_borrow_mut(|block| {
        // One buffer per thread, kept: a buffer allocated and freed on every write would
        // leave holes between the blocks kept (glibc then held ~50 more bytes per entry
        // of the varied rows in the memory bench).
        block.clear();
        block.resize(4 + lz4_flex::block::get_maximum_output_size(pickle.len()), 0);
        let written = match dict {
            Some(d) => lz4_flex::block::compress_into_with_dict(pickle, &mut block[4..], d),
            None => lz4_flex::block::compress_into(pickle, &mut block[4..]),
        }
        .ok()?;
        let header = if dict.is_some() {
            len | WITH_DICTIONARY
        } else {
            len
        };
        block[..4].copy_from_slice(&header.to_le_bytes());
        let size = 4 + written;
        let packed = (size <= pickle.len() - pickle.len() / 8).then(|| Packed(Thin::new(&block[..size])));
        if block.capacity() > SCRATCH_KEPT {
            *block = Vec::new();
        }
        packed
    })
}

/// Largest compression buffer a thread keeps between writes.
const SCRATCH_KEPT: usize = 64 * 1024;

thread_local! {
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Packed {
    fn header(&self) -> u32 {
        let b = self.0.bytes();
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The pickle again, as a new `bytes`.
    pub fn unpack<'py>(
        &self,
        py: Python<'py>,
        dictionary: &Dictionary,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let header = self.header();
        let len = (header & !WITH_DICTIONARY) as usize;
        let dict = if header & WITH_DICTIONARY != 0 {
            // Set before any block that needs it was written, and never unset.
            dictionary.frozen.get().map(|d| &**d)
        } else {
            Some(&[][..])
        };
        PyBytes::new_with(py, len, |buf| {
            let out =
                dict.map(|d| lz4_flex::block::decompress_into_with_dict(&self.0.bytes()[4..], buf, d));
            match out {
                Some(Ok(n)) if n == len => Ok(()),
                // Only this module writes blocks, so this is a bug, reported as one.
                other => Err(PyRuntimeError::new_err(format!(
                    "polycache: a compressed value did not decompress to its {len} bytes ({other:?})"
                ))),
            }
        })
    }

    /// What the entry keeps alive: the header and the block, and the thin box's length.
    pub fn size(&self) -> usize {
        self.0.bytes().len() + 4
    }
}

/// Bytes behind one pointer: their length (4 bytes) then the bytes, in one allocation.
/// A `Box<[u8]>` is a pointer and a length, which would make every `Value`, so every
/// entry of the store, a word larger.
pub struct Thin(NonNull<u8>);

// SAFETY: `Thin` owns its allocation, as a `Box<[u8]>` does, and is never mutated.
unsafe impl Send for Thin {}
unsafe impl Sync for Thin {}

impl Thin {
    fn layout(len: usize) -> Layout {
        Layout::from_size_align(4 + len, 4).expect("a block under 2 GiB")
    }

    /// A copy of `bytes` (under 4 GiB: a pickle's length is checked before).
    pub fn new(bytes: &[u8]) -> Self {
        let len = u32::try_from(bytes.len()).expect("a block under 4 GiB");
        let layout = Self::layout(bytes.len());
        // SAFETY: the layout is at least 4 bytes; the allocation is checked, then fully
        // written (the length, then every byte) before it is read.
        unsafe {
            let Some(p) = NonNull::new(alloc(layout)) else { handle_alloc_error(layout) };
            p.as_ptr().cast::<u32>().write(len);
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), p.as_ptr().add(4), bytes.len());
            Thin(p)
        }
    }

    pub fn bytes(&self) -> &[u8] {
        // SAFETY: written in full by `new`, aligned for the u32, alive until `drop`.
        unsafe {
            let len = self.0.as_ptr().cast::<u32>().read() as usize;
            std::slice::from_raw_parts(self.0.as_ptr().add(4), len)
        }
    }
}

impl Clone for Thin {
    fn clone(&self) -> Self {
        Thin::new(self.bytes())
    }
}

impl Drop for Thin {
    fn drop(&mut self) {
        // SAFETY: allocated by `new` with this same layout, and dropped once.
        unsafe { dealloc(self.0.as_ptr(), Self::layout(self.bytes().len())) }
    }
}

#[cfg(test)]
mod tests {
    use super::Thin;

    #[test]
    fn thin_keeps_its_bytes_and_is_one_word() {
        assert_eq!(std::mem::size_of::<Option<Thin>>(), std::mem::size_of::<usize>());
        for len in [0usize, 1, 3, 4, 5, 200, 70_000] {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let t = Thin::new(&bytes);
            let copy = t.clone();
            drop(t);
            assert_eq!(copy.bytes(), &bytes[..]);
        }
    }
}
