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


use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::entropy::Huffman;
use crate::text_code::Sampled;

/// How much of the first pickles a store's dictionary keeps. Every compression hashes it
/// again (~10k instructions for 1 KB); twice as long found 1% more on rows of random
/// words, and nothing more on rows that share their text.
pub const DICTIONARY_BYTES: usize = 1024;

/// The header's top bit: the block was compressed against the store's dictionary.
const WITH_DICTIONARY: u32 = 1 << 31;

/// The header's next bit: the block holds a compact encoding (`compact.rs`), not a pickle.
const COMPACT: u32 = 1 << 30;

/// The next: the block is Huffman-coded with the store's code (`entropy.rs`), not LZ4.
const HUFFMAN: u32 = 1 << 29;

const FLAGS: u32 = WITH_DICTIONARY | COMPACT | HUFFMAN;

/// A store's dictionary: samples until it holds [`DICTIONARY_BYTES`], then frozen for the
/// store's life (every block compressed against it needs it to be read). Shared by every
/// handle on the store, as they read each other's values.
#[derive(Default)]
pub struct Dictionary(Sampled<Learned>);

/// What a store learned from its first [`DICTIONARY_BYTES`]: the LZ4 dictionary (those
/// bytes) and a Huffman code for bytes distributed as they are (`entropy.rs`).
struct Learned {
    dictionary: Box<[u8]>,
    huffman: Huffman,
}

impl Dictionary {
    /// What the store learned, once it is complete; until then, `pickle` is taken as a
    /// sample and compressed alone (against its own bytes it would seem to compress when
    /// it does not).
    fn learn(&self, pickle: &[u8]) -> Option<&Learned> {
        self.0.learn(pickle, DICTIONARY_BYTES, |full| {
            let huffman = Huffman::learn(&full);
            Learned { dictionary: full, huffman }
        })
    }
}

/// A pickle kept compressed: a header (the pickle's length, 4 bytes little-endian, its top
/// bits saying how it was compressed and what it holds) then the block, in a `bytes` of
/// exactly that size (a compact encoding's block is kept in a `Blob`: `blob.rs`). A `bytes` rather than a Rust allocation: CPython keeps small objects in pools
/// of one size each, so the pickles freed once compressed, which `pickle.dumps` shrank in
/// place out of a 4 KB buffer, leave no holes between the blocks kept. In glibc's heap they
/// did: ~40 bytes an entry on the memory bench's varied rows, more than the `bytes`
/// header costs (docs/benchmarks.md, "Memory"). And a read takes a reference, not a copy.
pub struct Packed(Py<PyBytes>);

/// `pickle` compressed, when it is at least `min` bytes long and compression saves at
/// least an eighth of it (less is not worth a decompression on every read).
/// `compact`: `pickle` is a compact encoding instead (`compact.rs`), compressed the same way.
/// `keep` makes what is kept of the block (header and all): a `Packed` for a pickle, a
/// `Blob` for a compact encoding (`value.rs`).
pub fn pack<T>(
    pickle: &[u8],
    min: Option<usize>,
    dictionary: &Dictionary,
    compact: bool,
    keep: impl FnOnce(&[u8]) -> Option<T>,
) -> Option<T> {
    let min = min?;
    let len = u32::try_from(pickle.len()).ok().filter(|n| n & FLAGS == 0)?;
    let len = if compact { len | COMPACT } else { len };
    if pickle.len() < min {
        return None;
    }
    let learned = dictionary.learn(pickle);
    SCRATCH.with_borrow_mut(|block| {
        // One buffer per thread, kept: one allocated and freed on every write would be
        // work for nothing, and a hole between the allocations that outlive the write.
        block.clear();
        block.resize(4 + lz4_flex::block::get_maximum_output_size(pickle.len()), 0);
        let written = match learned {
            Some(d) => lz4_flex::block::compress_into_with_dict(pickle, &mut block[4..], &d.dictionary),
            None => lz4_flex::block::compress_into(pickle, &mut block[4..]),
        }
        .ok()?;
        let mut header = if learned.is_some() {
            len | WITH_DICTIONARY
        } else {
            len
        };
        let mut size = 4 + written;
        // Text that repeats nothing the dictionary holds: the Huffman code may do better.
        // Not asked when LZ4 halved the block: a code of one byte at a time rarely does.
        let worth_asking = |h: &&Huffman| size > pickle.len() / 2 && h.coded_len(pickle) + 4 < size;
        if let Some(h) = learned.map(|d| &d.huffman).filter(worth_asking) {
            block.truncate(4);
            h.encode(pickle, block);
            header = len | HUFFMAN;
            size = block.len();
        }
        block[..4].copy_from_slice(&header.to_le_bytes());
        let packed = if size <= pickle.len() - pickle.len() / 8 { keep(&block[..size]) } else { None };
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
    /// A packed pickle (`pack`'s block) kept in a `bytes`.
    pub fn new(py: Python<'_>, block: &[u8]) -> Packed {
        Packed(PyBytes::new(py, block).unbind())
    }

    pub fn clone_ref(&self, py: Python<'_>) -> Packed {
        Packed(self.0.clone_ref(py))
    }

    /// The `bytes` holding the header and the block.
    pub fn bytes<'py>(&self, py: Python<'py>) -> &Bound<'py, PyBytes> {
        self.0.bind(py)
    }

    /// The pickle (or compact encoding) again, as a new `bytes`.
    pub fn unpack<'py>(
        &self,
        py: Python<'py>,
        dictionary: &Dictionary,
    ) -> PyResult<Bound<'py, PyBytes>> {
        unpack(py, self.0.as_bytes(py), dictionary)
    }
}

/// The pickle (or compact encoding) of the packed block `b` (header and all), as a new
/// `bytes`.
pub fn unpack<'py>(py: Python<'py>, b: &[u8], dictionary: &Dictionary) -> PyResult<Bound<'py, PyBytes>> {
    let header = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let len = (header & !FLAGS) as usize;
    // Set before any block that needs it was written, and never unset.
    let learned = dictionary.0.get();
    let block = &b[4..];
    PyBytes::new_with(py, len, |buf| {
        let out = if header & HUFFMAN != 0 {
            learned.map(|d| if d.huffman.decode(block, len, buf) { Ok(len) } else { Err(None) })
        } else if header & WITH_DICTIONARY != 0 {
            learned.map(|d| lz4_flex::block::decompress_into_with_dict(block, buf, &d.dictionary).map_err(Some))
        } else {
            Some(lz4_flex::block::decompress_into(block, buf).map_err(Some))
        };
        match out {
            Some(Ok(n)) if n == len => Ok(()),
            // Only this module writes blocks, so this is a bug, reported as one.
            other => Err(PyRuntimeError::new_err(format!(
                "polycache: a compressed value did not decompress to its {len} bytes ({other:?})"
            ))),
        }
    })
}
