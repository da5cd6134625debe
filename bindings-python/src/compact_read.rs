//! Rebuilds a value from its compact encoding (`compact.rs`): fresh containers and
//! strings on every read, dict keys that are names shared from the store's table.
//!
//! Written against the C API with raw pointers: a page of rows is a few hundred items,
//! and owned handles and a `PyResult` per item cost as much as making the objects. Each
//! step returns a new reference, or null when it fails (with a Python error set, or none
//! for an encoding that does not read, which only a bug here or in `compact.rs` makes).

use std::cell::Cell;
use std::os::raw::c_long;
use std::ptr::null_mut;

use pyo3::exceptions::PyRuntimeError;
use pyo3::ffi;
use pyo3::prelude::*;

use crate::compact::{
    AGAIN, BYTES, CODED_STR, DICT, FALSE, FLOAT, INT, LIST, NAME, NONE, REPEATS, SHAPE, SHORT_NAME, SHORT_SHAPE, SHORT_STR,
    SMALL_INT, STR, TRUE, TUPLE, USUAL,
};
use crate::names::Names;
use crate::text_code::CODED;
use crate::tree::MAX_DEPTH;

thread_local! {
    /// The strings a read met that may be referred to again ([`AGAIN`]), kept between
    /// reads so a read allocates no list of them. Taken out while a read runs: a
    /// collection during one may run a finalizer that reads the cache again.
    static TEXTS: Cell<Vec<*mut ffi::PyObject>> = const { Cell::new(Vec::new()) };
}

/// The value encoded in `data`.
pub fn decode<'py>(py: Python<'py>, data: &[u8], names: &Names) -> PyResult<Bound<'py, PyAny>> {
    let mut r = Reader { data, at: 0, names, texts: TEXTS.take() };
    // SAFETY: the GIL is held (`py`); `item` returns a new reference or null.
    let v = unsafe { r.item(0) };
    let mut texts = r.texts;
    for s in texts.drain(..) {
        // SAFETY: the references `str` took.
        unsafe { ffi::Py_DecRef(s) };
    }
    TEXTS.set(texts);
    // SAFETY: a non-null `v` is a new reference, owned by the `Bound`.
    let v = unsafe { Bound::from_owned_ptr_or_opt(py, v) };
    match v {
        Some(v) if r.at == data.len() => Ok(v),
        Some(_) => Err(corrupt()),
        None => Err(PyErr::take(py).unwrap_or_else(corrupt)),
    }
}

/// Only `compact.rs` writes encodings, so an unreadable one is a bug, reported as one.
fn corrupt() -> PyErr {
    PyRuntimeError::new_err("polycache: a compact value did not decode")
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
    names: &'a Names,
    /// The strings of `REPEATS` bytes read so far, for `AGAIN`, a reference each.
    texts: Vec<*mut ffi::PyObject>,
}

/// `dict[k] = v`, taking the new reference `v` (null: reading it failed, with its error
/// set); `k` stays the caller's. False when nothing was set.
unsafe fn put(dict: *mut ffi::PyObject, k: *mut ffi::PyObject, v: *mut ffi::PyObject) -> bool {
    if v.is_null() {
        return false;
    }
    let done = ffi::PyDict_SetItem(dict, k, v) == 0;
    ffi::Py_DecRef(v);
    done
}

/// A new reference to `o`.
#[inline]
unsafe fn new_ref(o: *mut ffi::PyObject) -> *mut ffi::PyObject {
    ffi::Py_IncRef(o);
    o
}

impl Reader<'_> {
    #[inline]
    fn byte(&mut self) -> Option<u8> {
        let b = *self.data.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    #[inline]
    fn varint(&mut self) -> Option<u64> {
        let b = self.byte()?;
        if b < 0x80 {
            return Some(u64::from(b));
        }
        let mut n = u64::from(b & 0x7f);
        for shift in (7..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Some(n);
            }
        }
        None
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len())?;
        let s = &self.data[self.at..end];
        self.at = end;
        Some(s)
    }

    /// A length or count: each item takes a byte at least, so one past what is left is
    /// corrupt (and would make a huge container before failing).
    fn count(&mut self) -> Option<usize> {
        let n = self.varint()?;
        (n <= (self.data.len() - self.at) as u64).then_some(n as usize)
    }

    unsafe fn str(&mut self, n: usize) -> *mut ffi::PyObject {
        let Some(text) = self.take(n) else { return null_mut() };
        // CPython checks the UTF-8 and copies it.
        let s = ffi::PyUnicode_DecodeUTF8(text.as_ptr().cast(), n as ffi::Py_ssize_t, c"strict".as_ptr());
        if !s.is_null() && REPEATS.contains(&n) {
            self.texts.push(new_ref(s));
        }
        s
    }

    /// A string in the store's code (`text_code.rs`) of `n` bytes of UTF-8.
    unsafe fn coded(&mut self, n: Option<u64>) -> *mut ffi::PyObject {
        let mut text = [0u8; *CODED.end()];
        let (Some(n), Some(code)) = (n, self.names.text.get()) else { return null_mut() };
        let Some(n) = usize::try_from(n).ok().filter(|n| CODED.contains(n)) else { return null_mut() };
        let Some(used) = code.decode_prefix(&self.data[self.at..], n, &mut text) else { return null_mut() };
        self.at += used;
        ffi::PyUnicode_DecodeUTF8(text.as_ptr().cast(), n as ffi::Py_ssize_t, c"strict".as_ptr())
    }

    unsafe fn name(&mut self, i: Option<u64>) -> *mut ffi::PyObject {
        match i.and_then(|i| self.names.get(u32::try_from(i).ok()?)) {
            Some(name) => new_ref(name.as_ptr()),
            None => null_mut(),
        }
    }

    /// A list or tuple of `n` items, each set into the new container with `set` (which
    /// steals the reference it is given).
    unsafe fn sequence(
        &mut self,
        n: Option<usize>,
        depth: usize,
        new: unsafe extern "C" fn(ffi::Py_ssize_t) -> *mut ffi::PyObject,
        set: unsafe extern "C" fn(*mut ffi::PyObject, ffi::Py_ssize_t, *mut ffi::PyObject) -> std::os::raw::c_int,
    ) -> *mut ffi::PyObject {
        let Some(n) = n else { return null_mut() };
        let seq = new(n as ffi::Py_ssize_t);
        if seq.is_null() {
            return seq;
        }
        for i in 0..n {
            let v = self.item(depth + 1);
            if v.is_null() || set(seq, i as ffi::Py_ssize_t, v) != 0 {
                ffi::Py_DecRef(seq);
                return null_mut();
            }
        }
        seq
    }

    /// A dict of the store's shape `i`: a copy of its template, each value set in place
    /// but the usual ones, already there (`shapes.rs`).
    unsafe fn shaped(&mut self, i: Option<u64>, depth: usize) -> *mut ffi::PyObject {
        let names = self.names;
        let Some(shape) = i.and_then(|i| names.shape(u32::try_from(i).ok()?)) else { return null_mut() };
        let dict = ffi::PyDict_Copy(shape.template.as_ptr());
        if dict.is_null() {
            return dict;
        }
        for key in shape.keys.iter() {
            if self.data.get(self.at) == Some(&USUAL) {
                self.at += 1;
                continue;
            }
            if !put(dict, key.as_ptr(), self.item(depth + 1)) {
                ffi::Py_DecRef(dict);
                return null_mut();
            }
        }
        dict
    }

    unsafe fn dict(&mut self, n: Option<usize>, depth: usize) -> *mut ffi::PyObject {
        let Some(n) = n else { return null_mut() };
        let dict = ffi::PyDict_New();
        if dict.is_null() {
            return dict;
        }
        for _ in 0..n {
            let k = self.item(depth + 1);
            let v = if k.is_null() { null_mut() } else { self.item(depth + 1) };
            let done = put(dict, k, v);
            if !k.is_null() {
                ffi::Py_DecRef(k);
            }
            if !done {
                ffi::Py_DecRef(dict);
                return null_mut();
            }
        }
        dict
    }

    /// The next item: a new reference, or null (see the module comment).
    ///
    /// # Safety
    /// The GIL must be held.
    unsafe fn item(&mut self, depth: usize) -> *mut ffi::PyObject {
        let Some(tag) = self.byte() else { return null_mut() };
        match tag {
            SMALL_INT..=0xff => ffi::PyLong_FromLong(c_long::from(tag - SMALL_INT)),
            SHORT_NAME..SMALL_INT => self.name(Some(u64::from(tag - SHORT_NAME))),
            SHORT_STR..SHORT_NAME => self.str(usize::from(tag - SHORT_STR)),
            _ if depth > MAX_DEPTH => null_mut(),
            SHORT_SHAPE..SHORT_STR => self.shaped(Some(u64::from(tag - SHORT_SHAPE)), depth),
            NONE => new_ref(ffi::Py_None()),
            FALSE => new_ref(ffi::Py_False()),
            TRUE => new_ref(ffi::Py_True()),
            INT => match self.varint() {
                Some(z) => ffi::PyLong_FromLongLong(((z >> 1) as i64) ^ -((z & 1) as i64)),
                None => null_mut(),
            },
            FLOAT => match self.take(8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
                Some(b) => ffi::PyFloat_FromDouble(f64::from_le_bytes(b)),
                None => null_mut(),
            },
            STR => match self.count() {
                Some(n) => self.str(n),
                None => null_mut(),
            },
            CODED_STR => {
                let n = self.varint();
                self.coded(n)
            }
            BYTES => match self.count().and_then(|n| self.take(n)) {
                Some(b) => ffi::PyBytes_FromStringAndSize(b.as_ptr().cast(), b.len() as ffi::Py_ssize_t),
                None => null_mut(),
            },
            NAME => {
                let i = self.varint();
                self.name(i)
            }
            AGAIN => match self.varint().and_then(|i| self.texts.get(usize::try_from(i).ok()?)) {
                Some(&s) => new_ref(s),
                None => null_mut(),
            },
            SHAPE => {
                let i = self.varint();
                self.shaped(i, depth)
            }
            LIST => {
                let n = self.count();
                self.sequence(n, depth, ffi::PyList_New, ffi::PyList_SetItem)
            }
            TUPLE => {
                let n = self.count();
                self.sequence(n, depth, ffi::PyTuple_New, ffi::PyTuple_SetItem)
            }
            DICT => {
                let n = self.count();
                self.dict(n, depth)
            }
            _ => null_mut(),
        }
    }
}
