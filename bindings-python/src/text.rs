//! Zero-copy access to the UTF-8 text of a Python `str`.
//!
//! The wheel targets the stable ABI from Python 3.9, whose limited API lacks
//! `PyUnicode_AsUTF8AndSize` (it joined the stable ABI in 3.10), so pyo3 would copy every
//! key through a new `bytes` object. The function has been exported by every CPython 3.x,
//! so it is declared here and used directly: the UTF-8 buffer it returns is cached inside
//! the string object and lives exactly as long as the object.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyString;
use std::os::raw::c_char;

extern "C" {
    fn PyUnicode_AsUTF8AndSize(
        unicode: *mut ffi::PyObject,
        size: *mut ffi::Py_ssize_t,
    ) -> *const c_char;
}

/// The UTF-8 text of `s`, borrowed from the string object itself.
pub fn as_str<'a>(s: &'a Bound<'_, PyString>) -> PyResult<&'a str> {
    let mut size: ffi::Py_ssize_t = 0;
    // SAFETY: `s` is a live `str` (its type was checked by the cast that produced it) and
    // the GIL is held. On success CPython returns a pointer to `size` bytes of valid UTF-8
    // cached in the object, freed only with the object, which `'a` keeps alive.
    unsafe {
        let data = PyUnicode_AsUTF8AndSize(s.as_ptr(), &mut size);
        if data.is_null() {
            return Err(PyErr::fetch(s.py()));
        }
        let bytes = std::slice::from_raw_parts(data as *const u8, size as usize);
        Ok(std::str::from_utf8_unchecked(bytes))
    }
}

/// True when `s` is text (it holds no lone surrogate), without leaving a UTF-8 copy
/// cached inside it: a stored value that grew such a copy would take more memory than it
/// was charged for.
pub fn is_text(s: &Bound<'_, PyString>) -> PyResult<bool> {
    if s.call_method0(pyo3::intern!(s.py(), "isascii"))?.is_truthy()? {
        return Ok(true);
    }
    // SAFETY: `s` is a live `str` and the GIL is held; the new reference (a fresh
    // `bytes`, not a cache) is owned by the returned `Bound`.
    let encoded = unsafe { Bound::from_owned_ptr_or_err(s.py(), ffi::PyUnicode_AsUTF8String(s.as_ptr())) };
    Ok(encoded.is_ok())
}

/// The UTF-8 buffer of the `str` at `o` (its address and length), or `None` when it holds
/// a lone surrogate (the error is cleared). For an ASCII string this is the string's own
/// text; for another one CPython caches a UTF-8 copy inside it (what pickling does too),
/// which callers charge for.
///
/// # Safety
/// `o` must be a live exact `str` and the GIL held.
pub unsafe fn utf8_raw(o: *mut ffi::PyObject) -> Option<(*const c_char, usize)> {
    let mut size: ffi::Py_ssize_t = 0;
    let data = PyUnicode_AsUTF8AndSize(o, &mut size);
    if data.is_null() {
        ffi::PyErr_Clear();
        return None;
    }
    Some((data, size as usize))
}
