//! The CPython reads the walk of a JSON-like value makes for each item (`tree.rs`,
//! `tree_size.rs`), in the two builds of the extension.
//!
//! The abi3 wheel (the default build) may use only the limited API, where a list's length,
//! an item of a list or tuple and the UTF-8 of a str are function calls. A `native` build
//! (cargo feature `native` without the default `abi3`; `Py_LIMITED_API` is then unset)
//! targets one interpreter and may read them as CPython's own headers do, with the public
//! non-limited macros: no call at all. Both give the same results; the walk charges the same
//! bytes either way.

use pyo3::ffi;

#[cfg(all(feature = "native", Py_LIMITED_API))]
compile_error!("the `native` feature is a build without the stable ABI: add --no-default-features");

/// # Safety (every function here)
/// `o` must be a live object of the type the function names, `i` in range, the GIL held.
#[inline]
pub unsafe fn list_len(o: *mut ffi::PyObject) -> ffi::Py_ssize_t {
    #[cfg(Py_LIMITED_API)]
    return ffi::PyList_Size(o);
    #[cfg(not(Py_LIMITED_API))]
    return ffi::PyList_GET_SIZE(o);
}

#[inline]
pub unsafe fn list_item(o: *mut ffi::PyObject, i: ffi::Py_ssize_t) -> *mut ffi::PyObject {
    #[cfg(Py_LIMITED_API)]
    return ffi::PyList_GetItem(o, i);
    #[cfg(not(Py_LIMITED_API))]
    return ffi::PyList_GET_ITEM(o, i);
}

#[inline]
pub unsafe fn tuple_len(o: *mut ffi::PyObject) -> ffi::Py_ssize_t {
    #[cfg(Py_LIMITED_API)]
    return ffi::PyTuple_Size(o);
    #[cfg(not(Py_LIMITED_API))]
    return ffi::PyTuple_GET_SIZE(o);
}

#[inline]
pub unsafe fn tuple_item(o: *mut ffi::PyObject, i: ffi::Py_ssize_t) -> *mut ffi::PyObject {
    #[cfg(Py_LIMITED_API)]
    return ffi::PyTuple_GetItem(o, i);
    #[cfg(not(Py_LIMITED_API))]
    return ffi::PyTuple_GET_ITEM(o, i);
}

/// The length of the exact `str` at `o` when it is compact ASCII (its text, which is its
/// UTF-8, right after its header), read from the object; None for any other str, and
/// always in the abi3 build (which asks `text::utf8_raw` instead), and on 3.14+, whose
/// string state pyo3 does not read.
#[inline]
pub unsafe fn ascii_len(o: *mut ffi::PyObject) -> Option<usize> {
    #[cfg(not(any(Py_LIMITED_API, Py_3_14)))]
    if ffi::PyUnicode_IS_COMPACT_ASCII(o) != 0 {
        return Some(ffi::PyUnicode_GET_LENGTH(o) as usize);
    }
    let _ = o;
    None
}
