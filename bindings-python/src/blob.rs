//! Bytes behind one pointer, in CPython's small-object allocator: how a compact encoding
//! is kept (`compact.rs`, `compress.rs`).
//!
//! A `bytes` object costs 33 bytes of header (reference count, type, length, cached hash,
//! a trailing zero). This is the length as a varint (1 byte under 128, 2 under 16 KB)
//! then the bytes, in a block of `PyObject_Malloc`: pymalloc keeps blocks of up to 512
//! bytes in pools of one size class each, 16-byte steps with no header, where glibc's
//! malloc adds a word to every block and rounds to 16 past it (16 bytes an entry more on
//! the memory bench's rows, session 8). Pools of one size also leave no holes between
//! blocks of other sizes, which glibc's heap did for blocks freed among long-lived ones
//! (session 5). A block has one owner: a read copies it under the store's lock (a
//! `memcpy` of a row, cheaper than a shared count kept in every block) and decodes the
//! copy after the lock is released.
//!
//! pymalloc needs the GIL: blocks are made and copied by code that holds it, and freed
//! through `Python::try_attach`, which takes it if this thread does not hold it (a store
//! dropped after the interpreter has finalized leaks its blocks instead).

use std::ptr::NonNull;

use pyo3::ffi;
use pyo3::prelude::*;

pub struct Blob(NonNull<u8>);

// SAFETY: the bytes never change after `new`, and the one owner frees them under the GIL.
unsafe impl Send for Blob {}
unsafe impl Sync for Blob {}

/// Bytes of the varint before `len` bytes.
fn prefix_len(len: usize) -> usize {
    (usize::BITS - (len | 1).leading_zeros()).div_ceil(7) as usize
}

impl Blob {
    /// A copy of `data` (at most `u32::MAX` bytes).
    pub fn new(_py: Python<'_>, data: &[u8]) -> Option<Blob> {
        u32::try_from(data.len()).ok()?;
        let prefix = prefix_len(data.len());
        // SAFETY: the GIL is held (`_py`); the block is `prefix + data.len()` bytes, all
        // written below.
        unsafe {
            let p = ffi::PyObject_Malloc(prefix + data.len()).cast::<u8>();
            let p = NonNull::new(p).unwrap_or_else(|| {
                std::alloc::handle_alloc_error(std::alloc::Layout::array::<u8>(prefix + data.len()).expect("small"))
            });
            let (mut n, mut at) = (data.len(), p.as_ptr());
            while n >= 0x80 {
                at.write((n as u8) | 0x80);
                n >>= 7;
                at = at.add(1);
            }
            at.write(n as u8);
            std::ptr::copy_nonoverlapping(data.as_ptr(), at.add(1), data.len());
            Some(Blob(p))
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `new` wrote a varint of at most 5 bytes, then that many bytes.
        unsafe {
            let (mut n, mut shift, mut at) = (0usize, 0, self.0.as_ptr());
            loop {
                let b = at.read();
                at = at.add(1);
                n |= usize::from(b & 0x7f) << shift;
                shift += 7;
                if b < 0x80 {
                    break;
                }
            }
            std::slice::from_raw_parts(at, n)
        }
    }

    /// What it takes in memory: pymalloc's size class (16-byte steps) up to 512 bytes,
    /// past that glibc's block (a word more, in 16-byte steps).
    pub fn size(&self) -> usize {
        let n = self.as_bytes().len();
        let block = prefix_len(n) + n;
        if block <= 512 {
            block.next_multiple_of(16).max(16)
        } else {
            (block + 8).next_multiple_of(16)
        }
    }

    /// A copy, owned by the caller: what a read takes under the store's lock.
    pub fn copy(&self, py: Python<'_>) -> Blob {
        Blob::new(py, self.as_bytes()).expect("a blob's own length fits")
    }
}

impl Drop for Blob {
    fn drop(&mut self) {
        let p = self.0.as_ptr();
        // SAFETY: allocated by `PyObject_Malloc` in `new`, freed once, with the GIL.
        Python::try_attach(|_| unsafe { ffi::PyObject_Free(p.cast()) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_take_a_varint() {
        assert_eq!([0, 1, 127, 128, 16383, 16384].map(prefix_len), [1, 1, 1, 2, 2, 3]);
    }
}
