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
//! `copy_in` also gives the bytes the entry keeps alive, for `MAX_BYTES` (`tree_size.rs`).
//! DRF's `ReturnList` / `ReturnDict` count as a plain list and dict (`drf_types.rs`).
//!
//! The copies a store keeps are taken off the cycle collector's lists (`untracked`): they
//! hold only leaves and other such copies, and nobody else holds them, so they can never be
//! part of a cycle; tracked, every collection of the oldest generation walked each of them
//! (tens of containers an entry, millions in a large cache), and the young collections
//! that a set's new containers trigger walked them too. A reader's copy is tracked again as
//! CPython decides for any new dict and list (`PyDict_Copy` keeps the source's state;
//! setting a container into it, as `copy_out` does for nested ones, tracks it).
//!
//! The walks use the C API directly, with borrowed references: a value like
//! `serializer.data` has a hundred items, and pyo3's owned handles (a reference-count call
//! each way on the stable ABI) and checked iterators cost more than the copy itself.
//! Nothing here runs Python code, so nothing can change a container while it is walked.

use std::collections::HashSet;

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::capi::{ascii_len, list_item, list_len, tuple_item, tuple_len};
use crate::tree_size::{headers, leaf_size, str_size, Headers};

/// Deeper values are pickled (pickle itself recurses as deep as Python allows).
pub const MAX_DEPTH: usize = 32;

/// Slots of a walk's memo of str sizes (`Walk::strs`).
const STR_SLOTS: usize = 64;

/// A private copy of a JSON-like value and the bytes it keeps alive.
pub struct Tree {
    pub root: Py<PyAny>,
    pub size: usize,
}

/// Copies `value` in if it is a tree (see the module comment); `None` if it is not.
pub fn copy_in(value: &Bound<'_, PyAny>) -> PyResult<Option<Tree>> {
    let py = value.py();
    let mut walk = Walk { h: headers(py)?, strs: [(0, 0); STR_SLOTS], seen: Seen::default(), size: 0 };
    // SAFETY: `value` is a live object and the GIL is held (`py`).
    // The caller's reference is the one the walk knows of (`Walk::copy`).
    let copied = unsafe { walk.copy(py, value.as_ptr(), 0, 1)? };
    Ok(copied.map(|root| Tree { root: root.unbind(), size: walk.size }))
}

/// A fresh copy of the containers of a stored tree, sharing its leaves.
pub fn copy_out<'py>(root: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    // SAFETY: `root` is live, the GIL is held, and a stored tree holds only the types
    // `copy_in` accepted.
    unsafe { out(root.py(), root.as_ptr()) }
}

/// What an object is to a tree; one pass over its type.
#[derive(Clone, Copy, PartialEq)]
pub enum Kind {
    Str,
    Int,
    Dict,
    List,
    Float,
    /// `None`, `True`, `False`.
    Const,
    Tuple,
    Bytes,
    Other,
}

impl Kind {
    fn is_container(self) -> bool {
        matches!(self, Kind::Dict | Kind::List | Kind::Tuple)
    }
}

/// # Safety
/// `o` must be a live object and the GIL held.
#[inline]
pub unsafe fn kind(o: *mut ffi::PyObject) -> Kind {
    let t = ffi::Py_TYPE(o);
    if t == &raw mut ffi::PyUnicode_Type {
        Kind::Str
    } else if t == &raw mut ffi::PyLong_Type {
        Kind::Int
    } else if t == &raw mut ffi::PyDict_Type {
        Kind::Dict
    } else if t == &raw mut ffi::PyList_Type {
        Kind::List
    } else if t == &raw mut ffi::PyFloat_Type {
        Kind::Float
    } else if t == &raw mut ffi::PyBool_Type || o == ffi::Py_None() {
        Kind::Const
    } else if t == &raw mut ffi::PyTuple_Type {
        Kind::Tuple
    } else if t == &raw mut ffi::PyBytes_Type {
        Kind::Bytes
    } else {
        crate::drf_types::kind_of(t)
    }
}

/// A new reference to the copy of the stored tree `o` (`o` itself when nothing below it
/// can change: a leaf, or a tuple of such).
unsafe fn out<'py>(py: Python<'py>, o: *mut ffi::PyObject) -> PyResult<Bound<'py, PyAny>> {
    match kind(o) {
        Kind::Dict => {
            let copy = Bound::from_owned_ptr_or_err(py, ffi::PyDict_Copy(o))?;
            let (mut pos, mut k, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
            while ffi::PyDict_Next(o, &mut pos, &mut k, &mut v) != 0 {
                if kind(v).is_container() {
                    let c = out(py, v)?;
                    // Replacing the value of a key present in `copy` never resizes it.
                    if c.as_ptr() != v && ffi::PyDict_SetItem(copy.as_ptr(), k, c.as_ptr()) != 0 {
                        return Err(PyErr::fetch(py));
                    }
                }
            }
            Ok(copy)
        }
        Kind::List => {
            let n = list_len(o);
            let copy = Bound::from_owned_ptr_or_err(py, ffi::PyList_GetSlice(o, 0, n))?;
            for i in 0..n {
                let v = list_item(o, i);
                if kind(v).is_container() {
                    let c = out(py, v)?;
                    // PyList_SetItem steals the new reference.
                    if c.as_ptr() != v && ffi::PyList_SetItem(copy.as_ptr(), i, c.into_ptr()) != 0 {
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
            let n = tuple_len(o);
            let mut items = Vec::with_capacity(n as usize);
            let mut rebuilt = false;
            for i in 0..n {
                let v = tuple_item(o, i);
                let item = out(py, v)?;
                rebuilt |= item.as_ptr() != v;
                items.push(item);
            }
            if !rebuilt {
                return Ok(Bound::from_borrowed_ptr(py, o));
            }
            Ok(PyTuple::new(py, items)?.into_any())
        }
        _ => Ok(Bound::from_borrowed_ptr(py, o)),
    }
}

enum Item<'py> {
    /// Not JSON-like: the whole value is pickled.
    Refused,
    /// Kept as it is in the copy (immutable all the way down).
    Same,
    /// Replaced by this copy.
    Copied(Bound<'py, PyAny>),
}

struct Walk {
    h: &'static Headers,
    /// Sizes of the str met in this walk that had to be asked for (all of them in the abi3
    /// build, the non-ASCII ones in a native one), by address, direct-mapped: the rows of
    /// a page hold the same key objects. Nothing runs Python code during a walk, so an
    /// address names one str from start to end; the memo dies with the walk.
    strs: [(usize, usize); STR_SLOTS],
    /// The mutable containers met so far (to refuse aliasing and cycles).
    seen: Seen,
    size: usize,
}

/// Addresses of the containers a walk has met.
#[derive(Default)]
pub struct Seen {
    few: Vec<usize>,
    many: Option<HashSet<usize>>,
}

impl Seen {
    /// False when the container at `ptr` was met before. A linear scan: the values this
    /// is for hold tens of containers; past 64 it switches to a set.
    pub fn first_visit(&mut self, ptr: *mut ffi::PyObject) -> bool {
        let ptr = ptr as usize;
        if let Some(set) = &mut self.many {
            return set.insert(ptr);
        }
        if self.few.contains(&ptr) {
            return false;
        }
        self.few.push(ptr);
        if self.few.len() == 64 {
            self.many = Some(self.few.drain(..).collect());
        }
        true
    }
}

impl Walk {
    /// Counts the leaf `o` of kind `k`; false if it is not one a tree may hold.
    #[inline(always)]
    unsafe fn leaf(&mut self, py: Python<'_>, o: *mut ffi::PyObject, k: Kind) -> bool {
        let size = if k != Kind::Str {
            leaf_size(py, self.h, o, k)
        } else if let Some(len) = ascii_len(o) {
            self.h.ascii_size(len)
        } else {
            self.str(o)
        };
        self.size += size;
        size != 0
    }

    #[inline(always)]
    unsafe fn str(&mut self, o: *mut ffi::PyObject) -> usize {
        let slot = &mut self.strs[((o as usize >> 4).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) % STR_SLOTS];
        if slot.0 != o as usize {
            *slot = (o as usize, str_size(self.h, o));
        }
        slot.1
    }

    /// What becomes of the item `v` of a dict or list at `depth`: a leaf is counted and
    /// kept as it is (no handle, no reference-count call), a container is replaced by its
    /// copy, kept (a tuple of leaves) or refused. Always inlined: the loops then take the
    /// leaf path without moving a result.
    ///
    /// The container holding `v` has been copied already: `v` has a reference from it
    /// and one from its copy.
    #[inline(always)]
    unsafe fn item<'py>(&mut self, py: Python<'py>, v: *mut ffi::PyObject, depth: usize) -> PyResult<Item<'py>> {
        let k = kind(v);
        if !k.is_container() {
            return Ok(if self.leaf(py, v, k) { Item::Same } else { Item::Refused });
        }
        Ok(match self.copy(py, v, depth + 1, 2)? {
            None => Item::Refused,
            Some(c) if c.as_ptr() == v => Item::Same,
            Some(c) => Item::Copied(c),
        })
    }

    /// A new reference to the copy of `o` (to `o` itself for a leaf or a tuple of leaves),
    /// or `None` if `o` is not a tree.
    ///
    /// `refs` is how many references to `o` the walk accounts for on this path (0: it
    /// cannot tell). A container with no more than those is reached only this once: it is
    /// neither recorded nor looked up in `seen` (a page's rows and their nested dicts and
    /// lists, usually; the scan and the set were ~1.4k instructions of a DRF-like set).
    /// Anything reachable twice has a reference for each way in, so it is recorded on its
    /// first visit. The exception is under a tuple, which is shared without a trace when
    /// reached twice (tuples are not recorded): below a tuple that is not alone, nothing is.
    unsafe fn copy<'py>(&mut self, py: Python<'py>, o: *mut ffi::PyObject, depth: usize, refs: isize) -> PyResult<Option<Bound<'py, PyAny>>> {
        let k = kind(o);
        if !k.is_container() {
            return Ok(self.leaf(py, o, k).then(|| Bound::from_borrowed_ptr(py, o)));
        }
        let alone = ffi::Py_REFCNT(o) <= refs;
        if depth >= MAX_DEPTH || (k != Kind::Tuple && !alone && !self.seen.first_visit(o)) {
            return Ok(None);
        }
        match k {
            Kind::Dict => self.dict(py, o, depth),
            Kind::List => self.list(py, o, depth),
            _ => self.tuple(py, o, depth, if alone { 1 } else { 0 }),
        }
    }

    unsafe fn dict<'py>(&mut self, py: Python<'py>, o: *mut ffi::PyObject, depth: usize) -> PyResult<Option<Bound<'py, PyAny>>> {
        // CPython clones the source's table when at most a third of its entries were
        // deleted (holes and all), and builds a fresh one otherwise; a split table (an
        // instance's `__dict__`) gives a split copy. Each is charged as it is (`Headers::dict_size`).
        // Merging into a new dict would drop the holes too, for ~50 more instructions a dict.
        let copy = Bound::from_owned_ptr_or_err(py, ffi::PyDict_Copy(o))?;
        let (mut pos, mut key, mut v) = (0, std::ptr::null_mut(), std::ptr::null_mut());
        while ffi::PyDict_Next(o, &mut pos, &mut key, &mut v) != 0 {
            let kk = kind(key);
            if kk.is_container() || !self.leaf(py, key, kk) {
                return Ok(None);
            }
            match self.item(py, v, depth)? {
                Item::Refused => return Ok(None),
                Item::Same => {}
                Item::Copied(c) => {
                    if ffi::PyDict_SetItem(copy.as_ptr(), key, c.as_ptr()) != 0 {
                        return Err(PyErr::fetch(py));
                    }
                }
            }
        }
        self.size += self.h.dict_size(py, copy.as_ptr())?;
        Ok(Some(untracked(copy)))
    }

    unsafe fn list<'py>(&mut self, py: Python<'py>, o: *mut ffi::PyObject, depth: usize) -> PyResult<Option<Bound<'py, PyAny>>> {
        let n = list_len(o);
        let copy = Bound::from_owned_ptr_or_err(py, ffi::PyList_GetSlice(o, 0, n))?;
        for i in 0..n {
            match self.item(py, list_item(o, i), depth)? {
                Item::Refused => return Ok(None),
                Item::Same => {}
                // PyList_SetItem steals the new reference.
                Item::Copied(c) => {
                    if ffi::PyList_SetItem(copy.as_ptr(), i, c.into_ptr()) != 0 {
                        return Err(PyErr::fetch(py));
                    }
                }
            }
        }
        self.size += self.h.list + 8 * n as usize;
        Ok(Some(untracked(copy)))
    }

    /// `refs`: what `copy` should assume of each item (1 when the tuple is reached only
    /// once, the item's slot in it; 0 otherwise).
    unsafe fn tuple<'py>(&mut self, py: Python<'py>, o: *mut ffi::PyObject, depth: usize, refs: isize) -> PyResult<Option<Bound<'py, PyAny>>> {
        let n = tuple_len(o);
        let mut items = Vec::with_capacity(n as usize);
        let mut rebuilt = false;
        for i in 0..n {
            let v = tuple_item(o, i);
            match self.copy(py, v, depth + 1, refs)? {
                Some(c) => {
                    rebuilt |= c.as_ptr() != v;
                    items.push(c);
                }
                None => return Ok(None),
            }
        }
        self.size += self.h.tuple + 8 * n as usize;
        if !rebuilt {
            return Ok(Some(Bound::from_borrowed_ptr(py, o)));
        }
        Ok(Some(untracked(PyTuple::new(py, items)?.into_any())))
    }
}

/// `copy`, off the cycle collector's lists (see the module comment): a container this walk
/// made, which holds only leaves and copies made by the walk.
fn untracked(copy: Bound<'_, PyAny>) -> Bound<'_, PyAny> {
    // SAFETY: `copy` is live, the GIL is held, and untracking an object that is not
    // tracked is a no-op.
    unsafe { ffi::PyObject_GC_UnTrack(copy.as_ptr().cast()) };
    copy
}
