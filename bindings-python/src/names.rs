//! A store's table of dict keys for the compact encoding (`compact.rs`).
//!
//! The rows a cache holds repeat the same few field names (`"id"`, `"title"`, ...) in
//! every entry: pickle writes each name's text again in every value. The compact encoding
//! writes an index into this table instead (one byte for the first 64 names), and a read
//! puts the table's own `str` object back as the key, so every row read shares one key
//! object per name, as the rows DRF builds do.
//!
//! The table only grows, up to [`MAX_NAMES`] names of at most [`MAX_NAME_BYTES`] bytes
//! (dicts keyed by ids or other data would otherwise fill it with names used once); past
//! that, keys are written as text. Every handle on a store shares its table, as they read
//! each other's values. Its lock is held only to find or add one name, never while Python
//! objects are made (a collection could run a finalizer that reads the cache).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};

use pyo3::prelude::*;
use pyo3::types::PyString;

/// Names a store's table holds at most: under ~200 KB a store (the text twice, a `str`
/// and a map entry each), kept for its life and not charged to `MAX_BYTES`.
pub const MAX_NAMES: usize = 1024;

/// Longer keys are written as text (field names are short; long keys are data).
pub const MAX_NAME_BYTES: usize = 48;

#[derive(Default)]
pub struct Names {
    table: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    index: HashMap<Box<[u8]>, u32, BuildHasherDefault<Fnv>>,
    objects: Vec<Py<PyString>>,
}

impl Names {
    /// The index of the name with UTF-8 text `text` (the `str` at `obj`), added if there
    /// is room; None when the table is full or the name too long.
    pub fn index_of(&self, text: &[u8], obj: &Bound<'_, PyString>) -> Option<u32> {
        if text.len() > MAX_NAME_BYTES {
            return None;
        }
        let mut t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(&i) = t.index.get(text) {
            return Some(i);
        }
        if t.objects.len() >= MAX_NAMES {
            return None;
        }
        let i = t.objects.len() as u32;
        // The caller's str object becomes the table's: immutable, and exact (the walk
        // takes only exact `str` keys).
        t.objects.push(obj.clone().unbind());
        t.index.insert(text.into(), i);
        Some(i)
    }

    /// A new reference to the name at `i`, if there is one.
    pub fn get(&self, py: Python<'_>, i: u32) -> Option<Py<PyString>> {
        let t = self.table.lock().unwrap_or_else(PoisonError::into_inner);
        t.objects.get(i as usize).map(|o| o.clone_ref(py))
    }
}

/// FNV-1a: the names are a few bytes long, where SipHash's setup costs more than the hash.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
