//! The shapes of a store's dicts for the compact encoding (`compact.rs`): the keys of a
//! dict that is all names (`names.rs`), in order, as the rows of a query have them.
//!
//! A compact read of such a dict copies the shape's `template` (a dict of those keys: a
//! copy clones its hash table in one step) and sets each value in place, where a dict
//! filled key by key grows its table and hashes every key into it again. Setting a value
//! is still the larger part of a read (~200 instructions), so the template holds for each
//! key the value the first row had when it is an immutable leaf (`None`, a bool, an int of
//! 0-127, a str of up to 64 bytes): a row with the same value there writes one byte
//! ([`crate::compact::USUAL`]) and its read leaves the template's object in place, shared
//! as the default copy (`tree.rs`) shares leaves. Rows repeat such values often (a
//! status, a currency, a flag, a `None`); a field whose first value is not repeated costs
//! a comparison on each write, nothing on reads.

use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

use crate::compact::REPEATS;
use crate::names::MAX_SHAPE_KEYS;
use crate::text::utf8_raw;
use crate::tree::{kind, Kind};

pub struct Shape {
    pub names: Box<[u32]>,
    pub keys: Box<[Py<PyString>]>,
    pub template: Py<PyDict>,
    /// What each key's value in the template is, when it is a leaf a row can repeat.
    usual: Box<[Usual]>,
}

#[derive(PartialEq)]
enum Usual {
    None,
    /// `None`, `True` or `False`: the object itself.
    Const(usize),
    Int(i64),
    Str(Box<[u8]>),
}

impl Shape {
    /// The shape of keys `keys` (the names at `names`), whose template holds `values`
    /// where they are leaves a row can repeat (see the module comment).
    ///
    /// # Safety
    /// `values` must be live objects, as many as `names`, and the GIL held.
    pub unsafe fn new(
        py: Python<'_>,
        names: &[u32],
        keys: Box<[Py<PyString>]>,
        values: &[*mut ffi::PyObject],
    ) -> PyResult<Shape> {
        debug_assert!(names.len() <= MAX_SHAPE_KEYS && values.len() == names.len());
        let template = PyDict::new(py);
        let mut usual = Vec::with_capacity(values.len());
        for (k, &v) in keys.iter().zip(values) {
            let u = usual_of(v);
            let value = if u == Usual::None { py.None().into_bound(py) } else { Bound::from_borrowed_ptr(py, v) };
            template.set_item(k, value)?;
            usual.push(u);
        }
        Ok(Shape { names: names.into(), keys, template: template.unbind(), usual: usual.into() })
    }

    /// True when `value`, for key number `i`, is the template's own value there.
    ///
    /// # Safety
    /// `value` must be live and the GIL held.
    #[inline]
    pub unsafe fn is_usual(&self, i: usize, value: *mut ffi::PyObject) -> bool {
        match &self.usual[i] {
            Usual::None => false,
            Usual::Const(o) => value as usize == *o,
            Usual::Int(n) => kind(value) == Kind::Int && int_of(value) == Some(*n),
            Usual::Str(text) => {
                kind(value) == Kind::Str
                    && utf8_raw(value).is_some_and(|(p, n)| std::slice::from_raw_parts(p as *const u8, n) == &**text)
            }
        }
    }
}

/// The int at `o` if it is 0-127 (a small int: every read shares CPython's own object).
unsafe fn int_of(o: *mut ffi::PyObject) -> Option<i64> {
    let mut overflow = 0;
    let n = ffi::PyLong_AsLongLongAndOverflow(o, &mut overflow);
    (overflow == 0 && (0..128).contains(&n)).then_some(n)
}

unsafe fn usual_of(v: *mut ffi::PyObject) -> Usual {
    match kind(v) {
        Kind::Const => Usual::Const(v as usize),
        Kind::Int => int_of(v).map_or(Usual::None, Usual::Int),
        Kind::Str => match utf8_raw(v) {
            Some((p, n)) if n <= *REPEATS.end() => Usual::Str(std::slice::from_raw_parts(p as *const u8, n).into()),
            _ => Usual::None,
        },
        _ => Usual::None,
    }
}
