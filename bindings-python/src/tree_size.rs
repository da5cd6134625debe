//! What a tree (`tree.rs`) keeps alive, for `MAX_BYTES`, as `__sizeof__` counts it: each
//! container exactly (a dict as its own `__sizeof__` says: a copy's table depends on its
//! source's history), each leaf at its own size (a 64-bit `int` at three digits, a
//! non-ASCII `str` at an upper bound that includes the UTF-8 copy CPython may cache inside
//! it).

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyFloat, PyList, PyString, PyTuple};


use crate::capi::ascii_len;
use crate::text::utf8_raw;
use crate::tree::Kind;

/// The bytes the leaf `o` takes; 0 if it is not one a tree may hold (a `str` with a lone
/// surrogate, and anything whose size cannot be had, is left to pickle). The common
/// cases are inlined into the walk; the rest are calls (`str_size`, `int_size`).
///
/// # Safety
/// `o` must be a live object of kind `k` and the GIL held.
#[inline(always)]
pub unsafe fn leaf_size(py: Python<'_>, h: &Headers, o: *mut ffi::PyObject, k: Kind) -> usize {
    match k {
        Kind::Str => match ascii_len(o) {
            Some(len) => h.ascii_size(len),
            None => str_size(h, o),
        },
        Kind::Int => int_size(py, h, o),
        Kind::Float => h.float,
        Kind::Bytes => h.bytes + ffi::PyBytes_Size(o) as usize,
        Kind::Const => 8,
        _ => 0,
    }
}

/// What the `str` at `o` takes, asked for its UTF-8 (see `leaf_size`).
///
/// # Safety
/// `o` must be a live exact `str` and the GIL held.
#[inline(never)]
pub unsafe fn str_size(h: &Headers, o: *mut ffi::PyObject) -> usize {
    let Some((data, utf8)) = utf8_raw(o) else { return 0 };
    // A compact ASCII str keeps its text right after its header, and that text is its
    // UTF-8; any other str is charged an upper bound (4 bytes a character held, plus the
    // UTF-8 copy now cached inside it).
    if data as usize == o as usize + h.ascii {
        h.ascii + utf8 + 1
    } else {
        let chars = ffi::PyUnicode_GetLength(o) as usize;
        h.wide + 4 * (chars + 1) + utf8 + 1
    }
}

#[inline(never)]
unsafe fn int_size(py: Python<'_>, h: &Headers, o: *mut ffi::PyObject) -> usize {
    let mut overflow = 0;
    ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
    if overflow == 0 {
        return h.int + 12; // up to three 30-bit digits
    }
    let big = Bound::from_borrowed_ptr(py, o);
    big.call_method0(pyo3::intern!(py, "__sizeof__")).and_then(|s| s.extract()).unwrap_or(0)
}

/// Object headers of this Python, measured once with `__sizeof__`, and how to ask a dict
/// its size.
pub struct Headers {
    ascii: usize,
    wide: usize,
    int: usize,
    float: usize,
    bytes: usize,
    pub list: usize,
    pub tuple: usize,
    dict_method: Py<PyAny>,
    dict_direct: Option<ffi::PyCFunction>,
}

impl Headers {
    /// What a compact ASCII `str` of `len` characters takes.
    #[inline(always)]
    pub fn ascii_size(&self, len: usize) -> usize {
        self.ascii + len + 1
    }
}

pub fn headers(py: Python<'_>) -> PyResult<&'static Headers> {
    static HEADERS: PyOnceLock<Headers> = PyOnceLock::new();
    HEADERS.get_or_try_init(py, || {
        let size = |o: Bound<'_, PyAny>| -> PyResult<usize> { o.call_method0("__sizeof__")?.extract() };
        let wide = PyString::new(py, "a").call_method1("replace", ("a", "\u{e9}"))?;
        let (dict_method, dict_direct) = dict_sizeof(py)?;
        Ok(Headers {
            ascii: size(PyString::new(py, "").into_any())? - 1,
            wide: size(wide)? - 2,
            int: size(0i64.into_pyobject(py)?.into_any())?,
            float: size(PyFloat::new(py, 0.5).into_any())?,
            bytes: size(PyBytes::new(py, b"").into_any())?,
            list: size(PyList::empty(py).into_any())?,
            tuple: size(PyTuple::new(py, [0])?.into_any())? - 8,
            dict_method,
            dict_direct,
        })
    })
}

/// `dict.__sizeof__`, to ask a dict copy its size (a copy's table depends on its
/// source's history: `bench/misses.md`): the method's C function, taken from a bound
/// `{}.__sizeof__` and called directly as CPython calls a no-argument method (no argument
/// tuple, no descriptor, no vectorcall dispatch); the method itself should it not be a
/// plain no-argument C function (another Python).
fn dict_sizeof(py: Python<'_>) -> PyResult<(Py<PyAny>, Option<ffi::PyCFunction>)> {
    let bound = PyDict::new(py).getattr("__sizeof__")?;
    // SAFETY: `bound` is live and the GIL is held; it is checked to be a builtin method
    // before its flags and function are read.
    let direct = unsafe {
        let b = bound.as_ptr();
        let plain = ffi::PyCFunction_Check(b) != 0
            && ffi::PyCFunction_GetFlags(b) & !ffi::METH_COEXIST == ffi::METH_NOARGS;
        if plain { ffi::PyCFunction_GetFunction(b) } else { None }
    };
    Ok((py.get_type::<PyDict>().getattr("__sizeof__")?.unbind(), direct))
}

impl Headers {
    /// What the dict `copy` takes, as `dict.__sizeof__` says.
    ///
    /// # Safety
    /// `copy` must be a live exact dict and the GIL held.
    pub unsafe fn dict_size(&self, py: Python<'_>, copy: *mut ffi::PyObject) -> PyResult<usize> {
        // `direct` is dict's own METH_NOARGS function, called as CPython calls it (self,
        // NULL); the method is called with a NULL-terminated argument list. Either result
        // is a new reference, or NULL with an exception set.
        let raw = match self.dict_direct {
            Some(f) => f(copy, std::ptr::null_mut()),
            None => ffi::PyObject_CallFunctionObjArgs(self.dict_method.as_ptr(), copy, std::ptr::null_mut::<ffi::PyObject>()),
        };
        if raw.is_null() {
            return Err(PyErr::fetch(py));
        }
        let size = ffi::PyLong_AsSsize_t(raw);
        ffi::Py_DECREF(raw);
        if size < 0 {
            return Err(PyErr::fetch(py));
        }
        Ok(size as usize)
    }
}
