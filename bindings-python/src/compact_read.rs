//! Rebuilds a value from its compact encoding (`compact.rs`): fresh containers and
//! strings on every read, dict keys that are names shared from the store's table.

use pyo3::exceptions::PyRuntimeError;
use pyo3::ffi;
use pyo3::prelude::*;

use crate::compact::{
    AGAIN, BYTES, DICT, FALSE, FLOAT, INT, LIST, NAME, NONE, SHORT_NAME, SHORT_STR, SMALL_INT, STR, TRUE, TUPLE, REPEATS,
};
use crate::names::Names;

/// The value encoded in `data`.
pub fn decode<'py>(py: Python<'py>, data: &[u8], names: &Names) -> PyResult<Bound<'py, PyAny>> {
    let mut r = Reader { data, at: 0, names, texts: Vec::new() };
    let v = r.item(py)?;
    if r.at != data.len() {
        return Err(corrupt());
    }
    Ok(v)
}

/// Only `compact.rs` writes encodings, so an unreadable one is a bug, reported as one.
fn corrupt() -> PyErr {
    PyRuntimeError::new_err("polycache: a compact value did not decode")
}

struct Reader<'a, 'py> {
    data: &'a [u8],
    at: usize,
    names: &'a Names,
    /// The strings of `REPEATS` bytes read so far, for `AGAIN`.
    texts: Vec<Bound<'py, PyAny>>,
}

impl<'py> Reader<'_, 'py> {
    fn byte(&mut self) -> PyResult<u8> {
        let b = *self.data.get(self.at).ok_or_else(corrupt)?;
        self.at += 1;
        Ok(b)
    }

    fn varint(&mut self) -> PyResult<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(n);
            }
        }
        Err(corrupt())
    }

    fn take(&mut self, n: usize) -> PyResult<&[u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.data.len()).ok_or_else(corrupt)?;
        let s = &self.data[self.at..end];
        self.at = end;
        Ok(s)
    }

    fn count(&mut self) -> PyResult<ffi::Py_ssize_t> {
        let n = self.varint()?;
        // Each item takes a byte at least: a count past what is left is corrupt (and would
        // make a huge container before failing).
        if n > (self.data.len() - self.at) as u64 {
            return Err(corrupt());
        }
        Ok(n as ffi::Py_ssize_t)
    }

    fn str(&mut self, py: Python<'py>, n: usize) -> PyResult<Bound<'py, PyAny>> {
        let text = self.take(n)?;
        // SAFETY: the GIL is held; CPython checks the UTF-8 and copies it.
        let s = unsafe {
            Bound::from_owned_ptr_or_err(
                py,
                ffi::PyUnicode_DecodeUTF8(text.as_ptr().cast(), n as ffi::Py_ssize_t, c"strict".as_ptr()),
            )?
        };
        if REPEATS.contains(&n) {
            self.texts.push(s.clone());
        }
        Ok(s)
    }

    fn name(&mut self, py: Python<'py>, i: u64) -> PyResult<Bound<'py, PyAny>> {
        let i = u32::try_from(i).map_err(|_| corrupt())?;
        Ok(self.names.get(py, i).ok_or_else(corrupt)?.into_bound(py).into_any())
    }

    /// A list or tuple: its count, then its items, each set into the new container with
    /// `set` (which steals the reference it is given).
    fn sequence(
        &mut self,
        py: Python<'py>,
        new: unsafe extern "C" fn(ffi::Py_ssize_t) -> *mut ffi::PyObject,
        set: unsafe extern "C" fn(*mut ffi::PyObject, ffi::Py_ssize_t, *mut ffi::PyObject) -> std::os::raw::c_int,
    ) -> PyResult<Bound<'py, PyAny>> {
        let n = self.count()?;
        // SAFETY: the GIL is held; the new container is owned by `seq`, and `set` is given
        // a new reference to each item, at an index below `n`.
        unsafe {
            let seq = Bound::from_owned_ptr_or_err(py, new(n))?;
            for i in 0..n {
                let v = self.item(py)?;
                if set(seq.as_ptr(), i, v.into_ptr()) != 0 {
                    return Err(PyErr::fetch(py));
                }
            }
            Ok(seq)
        }
    }

    fn item(&mut self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let tag = self.byte()?;
        // SAFETY (every block): the GIL is held; each new reference is owned by the
        // returned `Bound`, and the Set functions that steal one are given a new one.
        unsafe {
            match tag {
                SMALL_INT..=0xff => Ok((tag - SMALL_INT).into_pyobject(py)?.into_any()),
                SHORT_NAME..SMALL_INT => self.name(py, u64::from(tag - SHORT_NAME)),
                SHORT_STR..SHORT_NAME => self.str(py, usize::from(tag - SHORT_STR)),
                NONE => Ok(py.None().into_bound(py)),
                FALSE => Ok(false.into_pyobject(py)?.to_owned().into_any()),
                TRUE => Ok(true.into_pyobject(py)?.to_owned().into_any()),
                INT => {
                    let z = self.varint()?;
                    let n = ((z >> 1) as i64) ^ -((z & 1) as i64);
                    Ok(n.into_pyobject(py)?.into_any())
                }
                FLOAT => {
                    let b: [u8; 8] = self.take(8)?.try_into().map_err(|_| corrupt())?;
                    Ok(f64::from_le_bytes(b).into_pyobject(py)?.into_any())
                }
                STR => {
                    let n = self.count()? as usize;
                    self.str(py, n)
                }
                BYTES => {
                    let n = self.count()? as usize;
                    Ok(pyo3::types::PyBytes::new(py, self.take(n)?).into_any())
                }
                NAME => {
                    let i = self.varint()?;
                    self.name(py, i)
                }
                AGAIN => {
                    let i = usize::try_from(self.varint()?).map_err(|_| corrupt())?;
                    Ok(self.texts.get(i).ok_or_else(corrupt)?.clone())
                }
                LIST => self.sequence(py, ffi::PyList_New, ffi::PyList_SetItem),
                TUPLE => self.sequence(py, ffi::PyTuple_New, ffi::PyTuple_SetItem),
                DICT => {
                    let n = self.count()?;
                    let dict = Bound::from_owned_ptr_or_err(py, ffi::PyDict_New())?;
                    for _ in 0..n {
                        let k = self.item(py)?;
                        let v = self.item(py)?;
                        if ffi::PyDict_SetItem(dict.as_ptr(), k.as_ptr(), v.as_ptr()) != 0 {
                            return Err(PyErr::fetch(py));
                        }
                    }
                    Ok(dict)
                }
                _ => Err(corrupt()),
            }
        }
    }
}
