//! A store's tables for the compact encoding (`compact.rs`): dict keys, the shapes of
//! dicts (`shapes.rs`), and the code of longer strings (`text_code.rs`).
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
//! each other's values. Its lock is held only to find or add one name or shape, never
//! while Python objects are made (a collection could run a finalizer that reads the
//! cache). Reads take no lock (`appended.rs`): a compact read asks for a name or a shape
//! for every dict and key it makes, and a lock each time cost ~50 instructions a key.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};

use pyo3::prelude::*;
use pyo3::ffi;
use pyo3::types::PyString;

use crate::appended::Appended;
use crate::shapes::Shape;
use crate::text_code::TextCode;

/// Names a store's table holds at most: under ~200 KB a store (the text twice, a `str`
/// and a map entry each), kept for its life and not charged to `MAX_BYTES`.
pub const MAX_NAMES: usize = Appended::<Py<PyString>, 16>::CAPACITY;

/// Longer keys are written as text (field names are short; long keys are data).
pub const MAX_NAME_BYTES: usize = 48;

/// Shapes a store's table holds at most: a few hundred bytes each (a dict of its names,
/// the indexes), kept for the store's life.
pub const MAX_SHAPES: usize = Appended::<Shape, 4>::CAPACITY;

/// Dicts with more keys are written key by key (a row has a few fields).
pub const MAX_SHAPE_KEYS: usize = 32;

#[derive(Default)]
pub struct Names {
    table: Mutex<Table>,
    objects: Appended<Py<PyString>, 16>,
    shapes: Appended<Shape, 4>,
    /// The code of longer strings (`text_code.rs`).
    pub text: TextCode,
}

#[derive(Default)]
struct Table {
    index: HashMap<Box<[u8]>, u32, BuildHasherDefault<Fnv>>,
    shapes: HashMap<Box<[u32]>, u32, BuildHasherDefault<Fnv>>,
}

impl Names {
    fn lock(&self) -> MutexGuard<'_, Table> {
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The index of the name with UTF-8 text `text` (the `str` at `obj`), added if there
    /// is room; None when the table is full or the name too long.
    pub fn index_of(&self, text: &[u8], obj: &Bound<'_, PyString>) -> Option<u32> {
        if text.len() > MAX_NAME_BYTES {
            return None;
        }
        let mut t = self.lock();
        if let Some(&i) = t.index.get(text) {
            return Some(i);
        }
        let i = t.index.len();
        if i >= MAX_NAMES {
            return None;
        }
        // The caller's str object becomes the table's: immutable, and exact (the walk
        // takes only exact `str` keys).
        self.objects.push(i, obj.clone().unbind());
        t.index.insert(text.into(), i as u32);
        Some(i as u32)
    }

    /// The name at `i`, if there is one.
    #[inline]
    pub fn get(&self, i: u32) -> Option<&Py<PyString>> {
        self.objects.get(i as usize)
    }

    /// The shape at `i`, if there is one.
    #[inline]
    pub fn shape(&self, i: u32) -> Option<&Shape> {
        self.shapes.get(i as usize)
    }

    /// The index of the shape of the names at `names` (indexes from [`Names::index_of`],
    /// at most [`MAX_SHAPE_KEYS`]), added if there is room, with `values` (one per name)
    /// as its usual values (`shapes.rs`); None when the table is full.
    ///
    /// # Safety
    /// `values` must be live objects and the GIL held.
    pub unsafe fn shape_of(
        &self,
        py: Python<'_>,
        names: &[u32],
        values: &[*mut ffi::PyObject],
    ) -> PyResult<Option<u32>> {
        {
            let t = self.lock();
            if let Some(&i) = t.shapes.get(names) {
                return Ok(Some(i));
            }
            if t.shapes.len() >= MAX_SHAPES {
                return Ok(None);
            }
        }
        // Python objects are made with the lock released (see the module comment).
        let keys = names.iter().map(|&i| self.get(i).map(|k| k.clone_ref(py))).collect::<Option<Box<[_]>>>();
        let Some(keys) = keys else { return Ok(None) };
        let shape = Shape::new(py, names, keys, values)?;
        let mut t = self.lock();
        let found = t.shapes.get(names).copied();
        let i = t.shapes.len();
        if found.is_none() && i < MAX_SHAPES {
            self.shapes.push(i, shape);
            t.shapes.insert(names.into(), i as u32);
            return Ok(Some(i as u32));
        }
        drop(t);
        // Another thread added it first, or filled the table; dropped unlocked.
        drop(shape);
        Ok(found)
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

/// A hash of a string of `compact::REPEATS` bytes from its first and last 8 (overlapping when
/// shorter than 16): two loads and a multiply, where FNV takes a multiply a byte.
#[derive(Default)]
pub(crate) struct Words(u64);

impl Hasher for Words {
    #[inline]
    fn write(&mut self, b: &[u8]) {
        let word = |s: &[u8]| {
            let mut w = [0u8; 8];
            w[..s.len()].copy_from_slice(s);
            u64::from_le_bytes(w)
        };
        let (head, tail) = if b.len() >= 8 { (word(&b[..8]), word(&b[b.len() - 8..])) } else { (word(b), 0) };
        let x = (self.0 ^ head).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ tail;
        self.0 = x.wrapping_mul(0xD6E8_FEB8_6659_FD93).rotate_left(29);
    }
    #[inline]
    fn write_usize(&mut self, n: usize) {
        self.0 ^= n as u64;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}
