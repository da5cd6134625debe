//! `values="compact"`: JSON-like values kept as a compact encoding of their own instead of
//! a pickle, written in Rust on the way in and rebuilt as fresh Python objects on every
//! read, so the isolation is pickle's (nothing a caller holds is shared with the cache but
//! immutable strings).
//!
//! What it saves over a pickle of the same value: pickle's framing (protocol, frame
//! length, memo opcodes after every container and string), and the text of dict keys,
//! written as an index into the store's table of names (`names.rs`): on the memory
//! bench's ~200-byte rows, ~150 bytes against ~200. A string repeated within one value
//! (a page's rows with the same author or tag) is written once, as pickle's memo does for
//! the same object, but by its text: rows read from a database hold equal strings that are
//! different objects. A reader gets one object for them, as from a pickle. A dict whose
//! keys are all names is written as the store's shape of those keys (`shapes.rs`): a
//! byte for the keys, and a byte for each value that is the one the shape's first row had
//! (read back from a copy of the shape's template dict, whose hash table is cloned in one
//! step where a new dict grows its own key by key).
//! Strings of 65-256 bytes are written in a Huffman code the store learns from its first
//! 1 KB of them (`text_code.rs`), when that saves an eighth. What it takes: the same types as a
//! tree (`tree.rs`: exact `dict`, `list`, `tuple`, `str`, `int`, `float`, `bool`, `None`,
//! `bytes`, DRF's `ReturnList`/`ReturnDict` as a list and a dict), ints of 64 bits, no
//! container reached twice (pickle keeps such aliasing, this would split it), no deeper
//! than `tree::MAX_DEPTH`; anything else is pickled as before.
//!
//! The layout, a tag byte per item (only this file and `compact_read.rs` read it; snapshots carry JSON or a
//! pickle, never this):
//!
//! | tag | item |
//! |---|---|
//! | 0x00 / 0x01 / 0x02 | `None` / `False` / `True` |
//! | 0x03 | `int`, zigzag LEB128 varint |
//! | 0x04 | `float`, 8 bytes little-endian |
//! | 0x05 | `str`, varint length, UTF-8 |
//! | 0x06 | `bytes`, varint length, bytes |
//! | 0x07 / 0x08 / 0x09 | `list` / `tuple` / `dict`, varint count, items (a dict: key, value) |
//! | 0x0A | a name from the store's table, varint index |
//! | 0x0B | the same text as the n-th str of 2-64 bytes written before in this value, varint n |
//! | 0x0C | a dict of the store's shape n (`names.rs`), varint n, then its values in the shape's order |
//! | 0x0E | `str` of 65-256 UTF-8 bytes in the store's code (`text_code.rs`), varint length, the code |
//! | 0x0D | in a shaped dict, the shape's usual value for that key (`shapes.rs`) |
//! | 0x10-0x1F | a dict of the shape at index 0-15, then its values |
//! | 0x20-0x3F | `str` of 0-31 UTF-8 bytes, the bytes follow |
//! | 0x40-0x7F | the name at index 0-63 of the store's table |
//! | 0x80-0xFF | `int` 0-127 |

use std::cell::RefCell;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use pyo3::ffi;
use pyo3::prelude::*;

use crate::capi::{list_item, list_len, tuple_item, tuple_len};
use crate::names::{Fnv, Names, Words, MAX_SHAPE_KEYS};
use crate::text::utf8_raw;
use crate::text_code::CODED;
use crate::tree::{kind, Kind, Seen, MAX_DEPTH};

pub(crate) const NONE: u8 = 0x00;
pub(crate) const FALSE: u8 = 0x01;
pub(crate) const TRUE: u8 = 0x02;
pub(crate) const INT: u8 = 0x03;
pub(crate) const FLOAT: u8 = 0x04;
pub(crate) const STR: u8 = 0x05;
pub(crate) const BYTES: u8 = 0x06;
pub(crate) const LIST: u8 = 0x07;
pub(crate) const TUPLE: u8 = 0x08;
pub(crate) const DICT: u8 = 0x09;
pub(crate) const NAME: u8 = 0x0A;
pub(crate) const AGAIN: u8 = 0x0B;
pub(crate) const SHAPE: u8 = 0x0C;
pub(crate) const USUAL: u8 = 0x0D;
pub(crate) const CODED_STR: u8 = 0x0E;
pub(crate) const SHORT_SHAPE: u8 = 0x10;
pub(crate) const SHORT_STR: u8 = 0x20;
pub(crate) const SHORT_NAME: u8 = 0x40;
pub(crate) const SMALL_INT: u8 = 0x80;

/// Strings of this many bytes are written once per value ([`AGAIN`]): shorter ones cost
/// no more than a reference, longer ones rarely repeat.
pub(crate) const REPEATS: std::ops::RangeInclusive<usize> = 2..=64;

/// Largest encoding buffer a thread keeps between writes.
const SCRATCH_KEPT: usize = 64 * 1024;

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// What `keep` makes of the compact encoding of `value`, or None when it is not JSON-like
/// (see the module comment). `code_texts`: longer strings in the store's code; off when
/// the whole encoding may be compressed (`compress_min_length`), whose LZ4 finds the
/// repeats between rows in their text and could not in their code (rows 16.3 MiB
/// compressed with plain text, 20.4 with coded text, session 8).
pub fn encode<T>(
    value: &Bound<'_, PyAny>,
    names: &Names,
    code_texts: bool,
    keep: impl FnOnce(&[u8]) -> T,
) -> PyResult<Option<T>> {
    let py = value.py();
    SCRATCH.with_borrow_mut(|out| {
        out.clear();
        let mut w = Writer {
            out,
            names,
            seen: Seen::default(),
            memo: [(0, 0); MEMO_SLOTS],
            shapes: [(0, u32::MAX); SHAPE_SLOTS],
            texts: HashMap::with_capacity_and_hasher(16, BuildHasherDefault::default()),
            n_texts: 0,
            code_texts,
        };
        // SAFETY: `value` is live and the GIL is held.
        let done = unsafe { w.item(py, value.as_ptr(), 0, true)? };
        let kept = done.then(|| keep(w.out));
        if out.capacity() > SCRATCH_KEPT {
            *out = Vec::new();
        }
        Ok(kept)
    })
}

/// Slots of a write's memo of name indexes by key address: a page's rows share their key
/// objects, so most keys skip the table's lock and hash.
const MEMO_SLOTS: usize = 32;

struct Writer<'a> {
    out: &'a mut Vec<u8>,
    /// The strings of [`REPEATS`] bytes written so far, by text, and how many. The text is
    /// borrowed from the value's own `str` objects, alive and unchanged for the whole
    /// write (no Python code runs during it).
    texts: HashMap<&'a [u8], u32, BuildHasherDefault<Words>>,
    n_texts: u32,
    names: &'a Names,
    /// The containers that could be reached twice, met so far (aliasing and cycles are
    /// refused).
    seen: Seen,
    memo: [(usize, u32); MEMO_SLOTS],
    code_texts: bool,
    /// Shapes met in this write, by a hash of their names: the rows of a page share one,
    /// so most dicts skip the table's lock and map.
    shapes: [(u64, u32); SHAPE_SLOTS],
}

/// Slots of a write's memo of shapes (`Writer::shapes`).
const SHAPE_SLOTS: usize = 8;

pub(crate) fn varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

impl<'a> Writer<'a> {
    /// False when the container at `o` was met before. Only containers that may be
    /// reached twice are recorded: one with more references than its parent's slot, or
    /// anything below a tuple that has more (a tuple holds no reference of its own to what
    /// it shares).
    unsafe fn first_visit(&mut self, o: *mut ffi::PyObject, shared: bool) -> bool {
        (!shared && ffi::Py_REFCNT(o) <= 1) || self.seen.first_visit(o)
    }

    fn counted(&mut self, tag: u8, n: ffi::Py_ssize_t) {
        self.out.push(tag);
        varint(self.out, n as u64);
    }

    /// Writes the item at `o`; false when it is not JSON-like. `shared`: `o` is the root
    /// or below a tuple that may be reached twice (see `first_visit`).
    ///
    /// # Safety
    /// `o` must be live and the GIL held.
    unsafe fn item(&mut self, py: Python<'_>, o: *mut ffi::PyObject, depth: usize, shared: bool) -> PyResult<bool> {
        match kind(o) {
            Kind::Str => Ok(self.str(o)),
            Kind::Int => self.int(py, o),
            Kind::Const => {
                self.out.push(if o == ffi::Py_None() {
                    NONE
                } else if o == ffi::Py_True() {
                    TRUE
                } else {
                    FALSE
                });
                Ok(true)
            }
            Kind::Float => {
                let f = ffi::PyFloat_AsDouble(o);
                self.out.push(FLOAT);
                self.out.extend_from_slice(&f.to_le_bytes());
                Ok(true)
            }
            Kind::Bytes => {
                let n = ffi::PyBytes_Size(o);
                let p = ffi::PyBytes_AsString(o) as *const u8;
                self.counted(BYTES, n);
                self.out.extend_from_slice(std::slice::from_raw_parts(p, n as usize));
                Ok(true)
            }
            Kind::List | Kind::Dict | Kind::Tuple if depth >= MAX_DEPTH => Ok(false),
            // A tuple reached twice comes back from a pickle as one object: refused too, so
            // what a reader gets has pickle's shape or is a pickle.
            Kind::List | Kind::Tuple if !self.first_visit(o, shared) => Ok(false),
            Kind::List => self.items(py, LIST, o, list_len(o), list_item, depth, false),
            Kind::Tuple => {
                let below = shared || ffi::Py_REFCNT(o) > 1;
                self.items(py, TUPLE, o, tuple_len(o), tuple_item, depth, below)
            }
            Kind::Dict => {
                if !self.first_visit(o, shared) {
                    return Ok(false);
                }
                let n = ffi::PyDict_Size(o);
                let mut values = [std::ptr::null_mut(); MAX_SHAPE_KEYS];
                if let Some(shape) = self.shape(py, o, n, &mut values)? {
                    if shape < 16 {
                        self.out.push(SHORT_SHAPE + shape as u8);
                    } else {
                        self.counted(SHAPE, shape as ffi::Py_ssize_t);
                    }
                    let Some(s) = self.names.shape(shape) else { return Ok(false) };
                    for (i, &v) in values[..n as usize].iter().enumerate() {
                        if s.is_usual(i, v) {
                            self.out.push(USUAL);
                        } else if !self.item(py, v, depth + 1, false)? {
                            return Ok(false);
                        }
                    }
                    return Ok(true);
                }
                self.counted(DICT, n);
                let (mut pos, mut k, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
                while ffi::PyDict_Next(o, &mut pos, &mut k, &mut v) != 0 {
                    let key_ok = match kind(k) {
                        Kind::Str => self.name(py, k),
                        Kind::List | Kind::Dict | Kind::Tuple | Kind::Other => false,
                        _ => self.item(py, k, depth + 1, false)?,
                    };
                    if !key_ok || !self.item(py, v, depth + 1, false)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Kind::Other => Ok(false),
        }
    }

    /// The `n` items of the list or tuple `o` (read with `get`) after their tag and count.
    #[allow(clippy::too_many_arguments)]
    unsafe fn items(
        &mut self,
        py: Python<'_>,
        tag: u8,
        o: *mut ffi::PyObject,
        n: ffi::Py_ssize_t,
        get: unsafe fn(*mut ffi::PyObject, ffi::Py_ssize_t) -> *mut ffi::PyObject,
        depth: usize,
        shared: bool,
    ) -> PyResult<bool> {
        self.counted(tag, n);
        for i in 0..n {
            if !self.item(py, get(o, i), depth + 1, shared)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    unsafe fn str(&mut self, o: *mut ffi::PyObject) -> bool {
        let Some((p, n)) = utf8_raw(o) else { return false };
        let text: &'a [u8] = std::slice::from_raw_parts(p as *const u8, n);
        if REPEATS.contains(&n) {
            match self.texts.entry(text) {
                Entry::Occupied(e) => {
                    self.out.push(AGAIN);
                    varint(self.out, u64::from(*e.get()));
                    return true;
                }
                Entry::Vacant(e) => {
                    e.insert(self.n_texts);
                    self.n_texts += 1;
                }
            }
        }
        if self.code_texts && CODED.contains(&n) {
            if let Some(code) = self.names.text.learn(text) {
                let start = self.out.len();
                self.counted(CODED_STR, n as ffi::Py_ssize_t);
                code.encode(text, self.out);
                if self.out.len() - start < n - n / 8 {
                    return true;
                }
                self.out.truncate(start);
            }
        }
        if n < 32 {
            self.out.push(SHORT_STR + n as u8);
        } else {
            self.counted(STR, n as ffi::Py_ssize_t);
        }
        self.out.extend_from_slice(text);
        true
    }

    /// The shape of the dict at `o` (`n` items) when its keys are all names and the
    /// store's table has it or room for it; its values (borrowed) in `values`.
    unsafe fn shape(
        &mut self,
        py: Python<'_>,
        o: *mut ffi::PyObject,
        n: ffi::Py_ssize_t,
        values: &mut [*mut ffi::PyObject; MAX_SHAPE_KEYS],
    ) -> PyResult<Option<u32>> {
        if n == 0 || n as usize > MAX_SHAPE_KEYS {
            return Ok(None);
        }
        let mut ids = [0u32; MAX_SHAPE_KEYS];
        let mut hash = Fnv::default();
        let (mut pos, mut k, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
        let mut i = 0;
        while ffi::PyDict_Next(o, &mut pos, &mut k, &mut v) != 0 {
            if i == MAX_SHAPE_KEYS || kind(k) != Kind::Str {
                return Ok(None);
            }
            let Some(id) = self.name_index(py, k) else { return Ok(None) };
            ids[i] = id;
            values[i] = v;
            hash.write_u32(id);
            i += 1;
        }
        if i != n as usize {
            return Ok(None);
        }
        let ids = &ids[..i];
        let h = hash.finish();
        let slot = (h as usize) % SHAPE_SLOTS;
        let (seen, shape) = self.shapes[slot];
        if seen == h && self.names.shape(shape).is_some_and(|s| &*s.names == ids) {
            return Ok(Some(shape));
        }
        let found = self.names.shape_of(py, ids, &values[..i])?;
        if let Some(shape) = found {
            self.shapes[slot] = (h, shape);
        }
        Ok(found)
    }

    /// The index of the `str` at `o` in the store's names, added if there is room.
    unsafe fn name_index(&mut self, py: Python<'_>, o: *mut ffi::PyObject) -> Option<u32> {
        let slot = ((o as usize >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59) % MEMO_SLOTS;
        if self.memo[slot].0 == o as usize {
            return Some(self.memo[slot].1);
        }
        let (p, n) = utf8_raw(o)?;
        let text = std::slice::from_raw_parts(p as *const u8, n);
        let obj = Bound::from_borrowed_ptr(py, o).cast_into_unchecked();
        let found = self.names.index_of(text, &obj);
        if let Some(i) = found {
            self.memo[slot] = (o as usize, i);
        }
        found
    }

    /// A dict key that is a `str`: its index in the store's names, else its text.
    unsafe fn name(&mut self, py: Python<'_>, o: *mut ffi::PyObject) -> bool {
        match self.name_index(py, o) {
            Some(i) if i < 64 => self.out.push(SHORT_NAME + i as u8),
            Some(i) => {
                self.out.push(NAME);
                varint(self.out, u64::from(i));
            }
            None => return self.str(o),
        }
        true
    }

    unsafe fn int(&mut self, py: Python<'_>, o: *mut ffi::PyObject) -> PyResult<bool> {
        let mut overflow = 0;
        let n = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
        if overflow != 0 {
            return Ok(false);
        }
        if n == -1 && !ffi::PyErr_Occurred().is_null() {
            return Err(PyErr::fetch(py));
        }
        if (0..128).contains(&n) {
            self.out.push(SMALL_INT + n as u8);
        } else {
            self.out.push(INT);
            varint(self.out, ((n << 1) ^ (n >> 63)) as u64);
        }
        Ok(true)
    }
}
