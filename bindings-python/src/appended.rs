//! A list that only grows, whose items are read without a lock: a store's table of names
//! and of dict shapes (`names.rs`), which every compact read asks for dozens of times.
//!
//! Writers are serialized by their owner's lock; a reader takes the item at an index it
//! learned from an encoding, written under the store's lock after the item was pushed, so
//! an acquire load sees it. Items sit in chunks allocated as the list reaches them, so an
//! empty list (every store that never encodes) costs its array of chunk pointers only.
//! Items are freed with the list.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::OnceLock;

/// Items a chunk holds.
const CHUNK: usize = 64;

pub struct Appended<T, const CHUNKS: usize> {
    chunks: [OnceLock<Box<[AtomicPtr<T>; CHUNK]>>; CHUNKS],
    /// Owns its items (atomic pointers alone would make it `Sync` for any `T`).
    _items: PhantomData<*const T>,
}

// SAFETY: the list hands out `&T` to any thread and drops its items in whichever holds
// it last, as a `Mutex<Vec<T>>` that never removes would.
unsafe impl<T: Send + Sync, const CHUNKS: usize> Send for Appended<T, CHUNKS> {}
unsafe impl<T: Send + Sync, const CHUNKS: usize> Sync for Appended<T, CHUNKS> {}

impl<T, const CHUNKS: usize> Default for Appended<T, CHUNKS> {
    fn default() -> Self {
        Appended { chunks: std::array::from_fn(|_| OnceLock::new()), _items: PhantomData }
    }
}

impl<T, const CHUNKS: usize> Appended<T, CHUNKS> {
    /// Items it can hold.
    pub const CAPACITY: usize = CHUNK * CHUNKS;

    /// Sets item `i`, which must be the next one (the owner counts them under its lock)
    /// and below [`Self::CAPACITY`].
    pub fn push(&self, i: usize, item: T) {
        let chunk = self.chunks[i / CHUNK].get_or_init(|| Box::new(std::array::from_fn(|_| AtomicPtr::default())));
        let old = chunk[i % CHUNK].swap(Box::into_raw(Box::new(item)), Ordering::Release);
        debug_assert!(old.is_null(), "item {i} pushed twice");
    }

    /// Item `i`, if it was pushed.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        let p = self.chunks.get(i / CHUNK)?.get()?[i % CHUNK].load(Ordering::Acquire);
        // SAFETY: a non-null pointer came from `Box::into_raw` in `push` and is freed only
        // when the list is dropped, which `&self` outlives.
        unsafe { p.as_ref() }
    }
}

impl<T, const CHUNKS: usize> Drop for Appended<T, CHUNKS> {
    fn drop(&mut self) {
        for chunk in self.chunks.iter_mut().filter_map(OnceLock::get_mut) {
            for slot in chunk.iter_mut() {
                let p = *slot.get_mut();
                if !p.is_null() {
                    // SAFETY: from `Box::into_raw` in `push`, dropped once.
                    drop(unsafe { Box::from_raw(p) });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_read_back_and_dropped_with_the_list() {
        let dropped = std::rc::Rc::new(());
        let list: Appended<std::rc::Rc<()>, 2> = Appended::default();
        for i in 0..70 {
            list.push(i, dropped.clone());
        }
        assert!(list.get(69).is_some() && list.get(70).is_none() && list.get(1000).is_none());
        assert_eq!(std::rc::Rc::strong_count(&dropped), 71);
        drop(list);
        assert_eq!(std::rc::Rc::strong_count(&dropped), 1);
    }
}
