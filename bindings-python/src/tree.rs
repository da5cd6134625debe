//! JSON-like values kept as private copies instead of pickles.
//!
//! What Django and DRF cache most is `serializer.data`: lists and dicts of strings and
//! numbers. Pickling such a value on `set` and unpickling it on every `get` rebuilds every
//! string and number each time, although those are immutable and could be shared. A
//! *tree* is a value made only of exact `dict`, `list` and `tuple` containers whose leaves
//! are exact immutable built-ins (`str`, `bytes`, `int`, `float`, `bool`, `None`) and whose
//! dict keys are exact `str`, `int`, `bytes`, `float`, `bool` or `None`. The cache keeps a
//! copy of a tree's containers (`copy_in`, on the way in) and hands every reader a fresh
//! copy of them (`copy_out`); the leaves are shared, which is safe because nothing can
//! change them. So the isolation is the same as with pickle: mutating what was stored, or
//! what was read, never changes what the cache holds.
//!
//! A value is not a tree, and is pickled as before, when any container is of another type
//! (a subclass included: `OrderedDict`, `defaultdict`, a `list` subclass), a leaf or a key
//! is of any other type, it nests deeper than `MAX_DEPTH`, or a mutable container is
//! reachable twice (a cycle, or one list under two keys): pickle keeps such aliasing, a
//! copy would split it. Only exact built-in types are touched, so no user code runs.
//!
//! `copy_in` also gives the bytes the entry keeps alive, as `__sizeof__` counts them, for
//! `MAX_BYTES`: containers exactly (a dict as its `__sizeof__` says), leaves at their own size (a 64-bit `int` at three digits, a non-ASCII `str` at
//! an upper bound that includes the UTF-8 copy CPython may cache inside it).
//!
//! The walks use the C API directly, with borrowed references: a value like
//! `serializer.data` has a hundred items, and pyo3's owned handles (a reference-count call
//! each way on the stable ABI) and checked iterators cost more than the copy itself.
//! Nothing here runs Python code, so nothing can change a container while it is walked.

use std::collections::HashSet;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyFloat, PyList, PyString, PyTuple};

use crate::text::utf8_len;

/// Deeper values are pickled (pickle itself recurses as deep as Python allows).
pub const MAX_DEPTH: usize = 32;

/// A private copy of a JSON-like value and the bytes it keeps alive.
pub struct Tree {
    pub root: Py<PyAny>,
    pub size: usize,
}

/// Copies `value` in if it is a tree (see the module comment); `None` if it is not.
pub fn copy_in(value: &Bound<'_, PyAny>) -> PyResult<Option<Tree>> {
    let py = value.py();
    let mut walk = Walk { h: headers(py)?, seen: Vec::new(), big: None, size: 0 };
    // SAFETY: `value` is a live object and the GIL is held (`py`).
    let copied = unsafe { walk.copy(py, value.as_ptr(), 0)? };
    Ok(copied.map(|root| Tree { root: root.unbind(), size: walk.size }))
}

/// A fresh copy of the containers of a stored tree, sharing its leaves.
pub fn copy_out<'py>(root: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `root` is live, the GIL is held, and a stored tree holds only the types
    // `copy_in` accepted.
    unsafe { out(root.py(), root.as_ptr()) }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Dict,
    List,
    Tuple,
    Leaf,
    Other,
}

unsafe fn kind(o: *mut ffi::PyObject) -> Kind {
    let t = ffi::Py_TYPE(o);
    if t == &raw mut ffi::PyDict_Type {
        Kind::Dict
    } else if t == &raw mut ffi::PyList_Type {
        Kind::List
    } else if t == &raw mut ffi::PyTuple_Type {
        Kind::Tuple
    } else if t == &raw mut ffi::PyUnicode_Type
        || t == &raw mut ffi::PyLong_Type
        || t == &raw mut ffi::PyFloat_Type
        || t == &raw mut ffi::PyBool_Type
        || t == &raw mut ffi::PyBytes_Type
        || o == ffi::Py_None()
    {
        Kind::Leaf
    } else {
        drf_kind(t)
    }
}

/// DRF's `ReturnList` and `ReturnDict` (what `serializer.data` is) pickle as a plain list
/// and dict (their `__reduce__` drops the serializer backlink), so a tree holds them as
/// that too. Their addresses are read from `sys.modules` once DRF has been imported; no
/// other subclass is taken.
unsafe fn drf_kind(t: *mut ffi::PyTypeObject) -> Kind {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static LIST: AtomicUsize = AtomicUsize::new(0);
    static DICT: AtomicUsize = AtomicUsize::new(0);
    let t = t as usize;
    if LIST.load(Ordering::Relaxed) == 0 {
        let py = Python::assume_attached();
        let found = (|| -> PyResult<Option<(usize, usize)>> {
            let modules = py.import("sys")?.getattr("modules")?;
            let Some(m) = modules.call_method1("get", ("rest_framework.utils.serializer_helpers",)).ok().filter(|m| !m.is_none()) else {
                return Ok(None);
            };
            let list = m.getattr("ReturnList")?;
            let dict = m.getattr("ReturnDict")?;
            Ok(Some((list.as_ptr() as usize, dict.as_ptr() as usize)))
        })();
        match found {
            Ok(Some((list, dict))) => {
                // The module keeps both classes alive for the life of the process.
                DICT.store(dict, Ordering::Relaxed);
                LIST.store(list, Ordering::Relaxed);
            }
            Ok(None) => return Kind::Other,
            Err(e) => {
                drop(e);
                return Kind::Other;
            }
        }
    }
    if t == LIST.load(Ordering::Relaxed) {
        Kind::List
    } else if t == DICT.load(Ordering::Relaxed) {
        Kind::Dict
    } else {
        Kind::Other
    }
}

/// A new reference to the copy of the stored tree `o`.
unsafe fn out<'py>(py: Python<'py>, o: *mut ffi::PyObject) -> PyResult<Bound<'py, PyAny>> {
    match kind(o) {
        Kind::Dict => {
            let copy = Bound::from_owned_ptr_or_err(py, ffi::PyDict_Copy(o))?;
            let (mut pos, mut k, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
            while ffi::PyDict_Next(o, &mut pos, &mut k, &mut v) != 0 {
                if matches!(kind(v), Kind::Dict | Kind::List | Kind::Tuple) {
                    let c = out(py, v)?;
                    // Replacing the value of a key present in `copy` never resizes it.
                    if ffi::PyDict_SetItem(copy.as_ptr(), k, c.as_ptr()) != 0 {
                        return Err(PyErr::fetch(py));
                    }
                }
            }
            Ok(copy)
        }
        Kind::List => {
            let n = ffi::PyList_Size(o);
            let copy = Bound::from_owned_ptr_or_err(py, ffi::PyList_GetSlice(o, 0, n))?;
            for i in 0..n {
                let v = ffi::PyList_GetItem(o, i);
                if matches!(kind(v), Kind::Dict | Kind::List | Kind::Tuple) {
                    // PyList_SetItem steals the new reference.
                    if ffi::PyList_SetItem(copy.as_ptr(), i, out(py, v)?.into_ptr()) != 0 {
                        return Err(PyErr::fetch(py));
                    }
                }
            }
            Ok(copy)
        }
        Kind::Tuple => {
            // A tuple with no list or dict anywhere below it was shared on the way in and is
            // shared on the way out (the same object everywhere it appears, as pickle
            // gives it); one that holds one is rebuilt around the copies.
            let n = ffi::PyTuple_Size(o);
            let mut items = Vec::with_capacity(n as usize);
            let mut rebuilt = false;
            for i in 0..n {
                let v = ffi::PyTuple_GetItem(o, i);
                let item = out(py, v)?;
                rebuilt |= item.as_ptr() != v;
                items.push(item);
            }
            if !rebuilt {
                return Ok(Bound::from_borrowed_ptr(py, o));
            }
            Ok(PyTuple::new(py, items)?.into_any())
        }
        Kind::Leaf | Kind::Other => Ok(Bound::from_borrowed_ptr(py, o)),
    }
}

struct Walk {
    h: &'static Headers,
    /// Addresses of the mutable containers met so far (to refuse aliasing and cycles).
    seen: Vec<usize>,
    big: Option<HashSet<usize>>,
    size: usize,
}

impl Walk {
    /// False when the container at `ptr` was met before. A linear scan: the values this
    /// is for hold tens of containers; past 64 it switches to a set.
    fn first_visit(&mut self, ptr: *mut ffi::PyObject) -> bool {
        let ptr = ptr as usize;
        if let Some(set) = &mut self.big {
            return set.insert(ptr);
        }
        if self.seen.contains(&ptr) {
            return false;
        }
        self.seen.push(ptr);
        if self.seen.len() == 64 {
            self.big = Some(self.seen.drain(..).collect());
        }
        true
    }

    /// Counts the leaf `o`; false if it is not a leaf a tree may hold.
    unsafe fn leaf(&mut self, py: Python<'_>, o: *mut ffi::PyObject) -> PyResult<bool> {
        match leaf_size(py, self.h, o)? {
            Some(size) => {
                self.size += size;
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// A new reference to the copy of `o` (to `o` itself for a leaf or an immutable tuple),
    /// or `None` if `o` is not a tree.
    unsafe fn copy<'py>(&mut self, py: Python<'py>, o: *mut ffi::PyObject, depth: usize) -> PyResult<Option<Bound<'py, PyAny>>> {
        let k = kind(o);
        if k == Kind::Leaf {
            return Ok(self.leaf(py, o)?.then(|| Bound::from_borrowed_ptr(py, o)));
        }
        if k == Kind::Other || depth >= MAX_DEPTH {
            return Ok(None);
        }
        if k != Kind::Tuple && !self.first_visit(o) {
            return Ok(None);
        }
        match k {
            Kind::Dict => {
                // Merged into an empty dict: a copy of a source whose table grew and shrank
                // gets a smaller table than `PyDict_Copy` would give it.
                let copy = Bound::from_owned_ptr_or_err(py, ffi::PyDict_New())?;
                if ffi::PyDict_Merge(copy.as_ptr(), o, 1) != 0 {
                    return Err(PyErr::fetch(py));
                }
                let (mut pos, mut key, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
                while ffi::PyDict_Next(o, &mut pos, &mut key, &mut v) != 0 {
                    if kind(key) != Kind::Leaf || !self.leaf(py, key)? {
                        return Ok(None);
                    }
                    match kind(v) {
                        Kind::Leaf if self.leaf(py, v)? => {}
                        Kind::Dict | Kind::List | Kind::Tuple => match self.copy(py, v, depth + 1)? {
                            Some(c) if c.as_ptr() == v => {}
                            Some(c) => {
                                if ffi::PyDict_SetItem(copy.as_ptr(), key, c.as_ptr()) != 0 {
                                    return Err(PyErr::fetch(py));
                                }
                            }
                            None => return Ok(None),
                        },
                        _ => return Ok(None),
                    }
                }
                self.size += dict_size(&copy)?;
                Ok(Some(copy))
            }
            Kind::List => {
                let n = ffi::PyList_Size(o);
                let copy = Bound::from_owned_ptr_or_err(py, ffi::PyList_GetSlice(o, 0, n))?;
                for i in 0..n {
                    let v = ffi::PyList_GetItem(o, i);
                    match kind(v) {
                        Kind::Leaf if self.leaf(py, v)? => {}
                        Kind::Dict | Kind::List | Kind::Tuple => match self.copy(py, v, depth + 1)? {
                            Some(c) if c.as_ptr() == v => {}
                            Some(c) => {
                                if ffi::PyList_SetItem(copy.as_ptr(), i, c.into_ptr()) != 0 {
                                    return Err(PyErr::fetch(py));
                                }
                            }
                            None => return Ok(None),
                        },
                        _ => return Ok(None),
                    }
                }
                self.size += self.h.list + 8 * n as usize;
                Ok(Some(copy))
            }
            _ => {
                let n = ffi::PyTuple_Size(o);
                let mut items = Vec::with_capacity(n as usize);
                let mut rebuilt = false;
                for i in 0..n {
                    let v = ffi::PyTuple_GetItem(o, i);
                    match kind(v) {
                        Kind::Leaf if self.leaf(py, v)? => items.push(Bound::from_borrowed_ptr(py, v)),
                        Kind::Dict | Kind::List | Kind::Tuple => match self.copy(py, v, depth + 1)? {
                            Some(c) => {
                                rebuilt |= c.as_ptr() != v;
                                items.push(c);
                            }
                            None => return Ok(None),
                        },
                        _ => return Ok(None),
                    }
                }
                self.size += self.h.tuple + 8 * n as usize;
                if !rebuilt {
                    return Ok(Some(Bound::from_borrowed_ptr(py, o)));
                }
                Ok(Some(PyTuple::new(py, items)?.into_any()))
            }
        }
    }
}

/// The bytes the leaf `o` takes, `None` if it is not one a tree may hold (a `str` with a
/// lone surrogate is left to pickle).
unsafe fn leaf_size(py: Python<'_>, h: &Headers, o: *mut ffi::PyObject) -> PyResult<Option<usize>> {
    let t = ffi::Py_TYPE(o);
    if t == &raw mut ffi::PyUnicode_Type {
        let s = Bound::from_borrowed_ptr(py, o);
        let s = s.cast_unchecked::<PyString>();
        let chars = ffi::PyUnicode_GetLength(o) as usize;
        let Some(utf8) = utf8_len(s) else { return Ok(None) };
        return Ok(Some(if utf8 == chars {
            h.ascii + chars + 1
        } else {
            // At most 4 bytes a character held, plus the cached UTF-8 copy.
            h.wide + 4 * (chars + 1) + utf8 + 1
        }));
    }
    if t == &raw mut ffi::PyLong_Type {
        let mut overflow = 0;
        ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
        if overflow == 0 {
            // Up to three 30-bit digits.
            return Ok(Some(h.int + 12));
        }
        let big = Bound::from_borrowed_ptr(py, o);
        return Ok(Some(big.call_method0(pyo3::intern!(py, "__sizeof__"))?.extract()?));
    }
    if t == &raw mut ffi::PyFloat_Type {
        return Ok(Some(h.float));
    }
    if t == &raw mut ffi::PyBytes_Type {
        return Ok(Some(h.bytes + ffi::PyBytes_Size(o) as usize));
    }
    if t == &raw mut ffi::PyBool_Type || o == ffi::Py_None() {
        return Ok(Some(8));
    }
    Ok(None)
}

/// Object headers of this Python, measured once with `__sizeof__`.
struct Headers {
    ascii: usize,
    wide: usize,
    int: usize,
    float: usize,
    bytes: usize,
    list: usize,
    tuple: usize,
}

fn headers(py: Python<'_>) -> PyResult<&'static Headers> {
    static HEADERS: PyOnceLock<Headers> = PyOnceLock::new();
    HEADERS.get_or_try_init(py, || {
        let size = |o: Bound<'_, PyAny>| -> PyResult<usize> { o.call_method0("__sizeof__")?.extract() };
        let wide = PyString::new(py, "a").call_method1("replace", ("a", "\u{e9}"))?;
        Ok(Headers {
            ascii: size(PyString::new(py, "").into_any())? - 1,
            wide: size(wide)? - 2,
            int: size(0i64.into_pyobject(py)?.into_any())?,
            float: size(PyFloat::new(py, 0.5).into_any())?,
            bytes: size(PyBytes::new(py, b"").into_any())?,
            list: size(PyList::empty(py).into_any())?,
            tuple: size(PyTuple::new(py, [0])?.into_any())? - 8,
        })
    })
}

/// What the dict `copy` takes, as `dict.__sizeof__` says. A copy's table depends on its
/// source's history (a dict that shrank keeps a wide table), so every copy is asked, through
/// the method descriptor looked up once.
fn dict_size(copy: &Bound<'_, PyAny>) -> PyResult<usize> {
    static SIZEOF: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let py = copy.py();
    let method = SIZEOF.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.get_type::<pyo3::types::PyDict>().getattr("__sizeof__")?.unbind())
    })?;
    // SAFETY: `method` and `copy` are live and the GIL is held; the argument list ends
    // with NULL as the function requires; the result is a new reference (or NULL with an
    // exception set), owned by the `Bound`.
    let size = unsafe {
        Bound::from_owned_ptr_or_err(
            py,
            ffi::PyObject_CallFunctionObjArgs(method.as_ptr(), copy.as_ptr(), std::ptr::null_mut::<ffi::PyObject>()),
        )?
    };
    size.extract()
}
