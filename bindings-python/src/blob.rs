//! Bytes in one Rust allocation behind one pointer, shared by count: how a compact
//! encoding is kept (`compact.rs`, `compress.rs`).
//!
//! A `bytes` object costs 33 bytes of header (reference count, type, length, cached hash,
//! a trailing zero); this costs 8 (a count and a length) beside the allocator's own word.
//! It is one pointer wide, so a `Value` stays one word and a tag. Reads take a second
//! reference under the store's lock and decode after it is released, as with a `bytes`.
//! Only compact encodings are kept this way: they are written from a buffer each thread
//! keeps, so nothing short-lived is allocated and freed between them in the heap (session
//! 5 saw pickles, whose buffers `pickle.dumps` frees, leave holes between such blocks).

use std::alloc::{alloc, dealloc, handle_alloc_error, Layout};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU32, Ordering};

/// Where the count and the length sit, before the bytes.
const HEADER: usize = 8;

pub struct Blob(NonNull<u8>);

// SAFETY: the bytes never change after `new`, and the count is atomic.
unsafe impl Send for Blob {}
unsafe impl Sync for Blob {}

impl Blob {
    /// A copy of `data` (at most `u32::MAX` bytes), counted once.
    pub fn new(data: &[u8]) -> Option<Blob> {
        let len = u32::try_from(data.len()).ok()?;
        let layout = layout(data.len());
        // SAFETY: the layout is not zero-sized; the header and `data` are written within it.
        unsafe {
            let p = NonNull::new(alloc(layout)).unwrap_or_else(|| handle_alloc_error(layout));
            p.as_ptr().cast::<AtomicU32>().write(AtomicU32::new(1));
            p.as_ptr().add(4).cast::<u32>().write(len);
            std::ptr::copy_nonoverlapping(data.as_ptr(), p.as_ptr().add(HEADER), data.len());
            Some(Blob(p))
        }
    }

    fn count(&self) -> &AtomicU32 {
        // SAFETY: written by `new`, aligned (the allocation is aligned to 4), alive while
        // `self` is.
        unsafe { &*self.0.as_ptr().cast::<AtomicU32>() }
    }

    pub fn as_bytes(&self) -> &[u8] {
        // SAFETY: `new` wrote the length and that many bytes after the header.
        unsafe {
            let len = self.0.as_ptr().add(4).cast::<u32>().read() as usize;
            std::slice::from_raw_parts(self.0.as_ptr().add(HEADER), len)
        }
    }

    /// What it takes in memory: the allocation and glibc's word before it, in its 16-byte
    /// steps.
    pub fn size(&self) -> usize {
        (HEADER + self.as_bytes().len() + 8).next_multiple_of(16).max(32)
    }

    /// A second reference to the same bytes.
    pub fn share(&self) -> Blob {
        self.count().fetch_add(1, Ordering::Relaxed);
        Blob(self.0)
    }
}

impl Drop for Blob {
    fn drop(&mut self) {
        if self.count().fetch_sub(1, Ordering::Release) == 1 {
            std::sync::atomic::fence(Ordering::Acquire);
            let len = self.as_bytes().len();
            // SAFETY: the last reference; allocated by `new` with this layout.
            unsafe { dealloc(self.0.as_ptr(), layout(len)) };
        }
    }
}

fn layout(len: usize) -> Layout {
    Layout::from_size_align(HEADER + len, 4).expect("a length that fits in u32")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_and_are_freed_with_the_last_reference() {
        let a = Blob::new(b"compact").expect("small");
        let b = a.share();
        drop(a);
        assert_eq!(b.as_bytes(), b"compact");
        assert_eq!(b.size(), 32);
        assert_eq!(Blob::new(&[7; 100]).expect("small").size(), 128);
        assert_eq!(Blob::new(b"").expect("empty").as_bytes(), b"");
    }
}
