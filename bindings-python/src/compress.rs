//! Compression of large pickled values (`compress_min_length=`, Django's
//! `COMPRESS_MIN_LENGTH`), as django-redis's compressors do for what it sends to Redis: a
//! pickle at least that long is kept LZ4-compressed (`lz4_flex`, pure Rust) when that
//! makes it smaller, and decompressed into a fresh `bytes` for `pickle.loads` on every
//! read. Only pickles: values kept as they are (`str`, `bytes`, numbers) and JSON-like
//! copies are read without any decoding, which compression would add back.

use std::sync::Arc;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

/// A pickle kept compressed: its length (4 bytes, little-endian) then the LZ4 block, in one
/// shared allocation, so that a `Value` holding it stays two words (as every entry pays for
/// the largest variant).
#[derive(Clone)]
pub struct Packed(Arc<[u8]>);

/// `pickle` compressed, when it is at least `min` bytes long and compression saves at
/// least an eighth of it (less is not worth a decompression on every read).
pub fn pack(pickle: &[u8], min: Option<usize>) -> Option<Packed> {
    let min = min?;
    if pickle.len() < min || u32::try_from(pickle.len()).is_err() {
        return None;
    }
    let block = lz4_flex::block::compress_prepend_size(pickle);
    (block.len() <= pickle.len() - pickle.len() / 8).then(|| Packed(block.into()))
}

impl Packed {
    fn len(&self) -> usize {
        u32::from_le_bytes([self.0[0], self.0[1], self.0[2], self.0[3]]) as usize
    }

    /// The pickle again, as a new `bytes`.
    pub fn unpack<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let len = self.len();
        PyBytes::new_with(py, len, |buf| match lz4_flex::block::decompress_into(&self.0[4..], buf) {
            Ok(n) if n == len => Ok(()),
            // Only this module writes blocks, so this is a bug, reported as one.
            other => Err(PyRuntimeError::new_err(format!(
                "polycache: a compressed value did not decompress to its {len} bytes ({other:?})"
            ))),
        })
    }

    /// What the entry keeps alive: the block and its reference counts.
    pub fn size(&self) -> usize {
        self.0.len() + 2 * std::mem::size_of::<usize>()
    }
}
