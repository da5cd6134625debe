//! How Python values live in the store.
//!
//! Values of the immutable built-in types (`str`, `bytes`, `int`, `float`, `bool`,
//! `None`; exact types only, never subclasses) are kept as they are: nobody can mutate
//! them, so sharing the object is as isolated as a copy and costs nothing. Small `int`s
//! are kept as Rust integers so `incr` runs in the core. Every other value is pickled on
//! the way in and unpickled on the way out, as Django's LocMemCache does, so mutating it
//! after `set` or after `get` never changes what the cache holds. JSON-like values
//! (`tree.rs`: dicts, lists and tuples of such leaves) are kept in an encoding of their
//! own (`values="compact"`, the default: `compact.rs`), under half their pickle and
//! rebuilt in Rust on every read; or, with `values="copy"`, as a private copy of their
//! containers, each reader getting a fresh copy that shares the leaves.

use std::sync::Arc;

use polycache::Counter;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::intern;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyString};

use crate::blob::Blob;
use crate::compress::{pack, unpack, Dictionary, Packed};
use crate::names::Names;

/// What a cache does with JSON-like values (`values=`).
#[derive(Clone, Copy, PartialEq)]
pub enum Trees {
    /// `"copy"`: kept as private copies of their containers (`tree.rs`).
    Copy,
    /// `"pickle"`: pickled, as everything else.
    Pickle,
    /// `"compact"`: kept in the compact encoding (`compact.rs`).
    Compact,
}

/// How a cache takes values in: `values=` (see [`Trees`]), and `compress_min_length`
/// (pickles and compact encodings from that length kept compressed), with the dictionary
/// and the names of the store the handle writes to (`compress.rs`, `names.rs`).
#[derive(Clone)]
pub struct ValueRules {
    pub trees: Trees,
    pub compress_from: Option<usize>,
    pub dictionary: Arc<Dictionary>,
    pub names: Arc<Names>,
}

pub enum Value {
    /// An exact `int` that fits in 64 bits.
    Int(i64),
    /// An exact immutable built-in value, shared as is.
    Shared(Py<PyAny>),
    /// A JSON-like value: a private copy of its containers.
    Tree(Py<PyAny>),
    /// Anything else, as its pickle.
    Pickled(Py<PyBytes>),
    /// A JSON-like value in the compact encoding (`compact.rs`).
    Compact(Blob),
    /// A compact encoding of at least `compress_min_length` bytes, compressed.
    CompactPacked(Blob),
    /// A pickle of at least `compress_min_length` bytes, compressed (`compress.rs`).
    Packed(Packed),
}

// Every entry pays for the largest variant: keep it at one word and a tag (the store's
// entry is then 40 bytes, and an LRU node fits a 96-byte allocation).
const _: () = assert!(std::mem::size_of::<Value>() <= 16);

impl Counter for Value {
    fn as_counter(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }
    fn from_counter(n: i64) -> Self {
        Value::Int(n)
    }
}

struct Pickle {
    dumps: Py<PyAny>,
    loads: Py<PyAny>,
    protocol: i64,
}

static PICKLE: PyOnceLock<Pickle> = PyOnceLock::new();

fn pickle(py: Python<'_>) -> PyResult<&Pickle> {
    PICKLE.get_or_try_init(py, || {
        let m = py.import("pickle")?;
        Ok(Pickle {
            dumps: m.getattr("dumps")?.unbind(),
            loads: m.getattr("loads")?.unbind(),
            protocol: m.getattr("HIGHEST_PROTOCOL")?.extract()?,
        })
    })
}

impl Value {
    /// Takes a Python value in: shared when immutable, pickled otherwise, and the bytes it
    /// counts for against `MAX_BYTES` (see [`Value::size`]). A value that cannot be
    /// pickled raises the pickling error (before the store is touched). With `values="copy"`
    /// off (`values="pickle"`), JSON-like values are pickled too; with `values="compact"`
    /// they are encoded compactly.
    pub fn encode(value: &Bound<'_, PyAny>, rules: &ValueRules) -> PyResult<(Value, usize)> {
        let py = value.py();
        let v = if value.is_exact_instance_of::<PyInt>() {
            match value.extract::<i64>() {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Shared(value.clone().unbind()),
            }
        } else if value.is_exact_instance_of::<PyString>()
            || value.is_exact_instance_of::<PyBytes>()
            || value.is_exact_instance_of::<PyFloat>()
            || value.is_exact_instance_of::<PyBool>()
            || value.is_none()
        {
            Value::Shared(value.clone().unbind())
        } else if let Some(tree) = (rules.trees == Trees::Copy).then(|| crate::tree::copy_in(value)).transpose()?.flatten() {
            return Ok((Value::Tree(tree.root), tree.size));
        } else if let Some(v) = (rules.trees == Trees::Compact)
            .then(|| crate::compact::encode(value, &rules.names, rules.compress_from.is_none(), |data| compact_value(py, data, rules)))
            .transpose()?
            .flatten()
            .flatten()
        {
            v
        } else {
            let p = pickle(py)?;
            let bytes = p.dumps.bind(py).call1((value, p.protocol))?.cast_into::<PyBytes>()?;
            match pack(bytes.as_bytes(), rules.compress_from, &rules.dictionary, false, |b| Some(Packed::new(py, b))) {
                Some(packed) => Value::Packed(packed),
                None => Value::Pickled(bytes.unbind()),
            }
        };
        let size = v.size(py)?;
        Ok((v, size))
    }

    /// The Python value: the shared object itself, a fresh copy of a tree's containers, or
    /// a fresh unpickled copy (a compressed one read with the store's dictionary).
    pub fn decode(self, py: Python<'_>, rules: &ValueRules) -> PyResult<Py<PyAny>> {
        match self {
            Value::Int(n) => Ok(n.into_pyobject(py)?.into_any().unbind()),
            Value::Shared(obj) => Ok(obj),
            Value::Tree(root) => Ok(crate::tree::copy_out(root.bind(py))?.unbind()),
            Value::Pickled(bytes) => Ok(pickle(py)?.loads.bind(py).call1((bytes,))?.unbind()),
            Value::Compact(blob) => Ok(crate::compact_read::decode(py, blob.as_bytes(), &rules.names)?.unbind()),
            Value::CompactPacked(blob) => {
                let data = unpack(py, blob.as_bytes(), &rules.dictionary)?;
                Ok(crate::compact_read::decode(py, data.as_bytes(), &rules.names)?.unbind())
            }
            Value::Packed(packed) => {
                Ok(pickle(py)?.loads.bind(py).call1((packed.unpack(py, &rules.dictionary)?,))?.unbind())
            }
        }
    }

    /// A second reference to the same stored value (no unpickling; a compact encoding's
    /// bytes are copied, `blob.rs`).
    pub fn clone_ref(&self, py: Python<'_>) -> Value {
        match self {
            Value::Int(n) => Value::Int(*n),
            Value::Shared(obj) => Value::Shared(obj.clone_ref(py)),
            Value::Tree(root) => Value::Tree(root.clone_ref(py)),
            Value::Pickled(bytes) => Value::Pickled(bytes.clone_ref(py)),
            Value::Compact(blob) => Value::Compact(blob.copy(py)),
            Value::CompactPacked(blob) => Value::CompactPacked(blob.copy(py)),
            Value::Packed(packed) => Value::Packed(packed.clone_ref(py)),
        }
    }

    /// Bytes the value counts for against `MAX_BYTES`: what the object it keeps alive
    /// takes, as `sys.getsizeof` tells (a `str` at 1, 2 or 4 bytes a character, an
    /// `int` of any length, the pickle's `bytes` object, a compact encoding's allocation),
    /// 8 for a 64-bit `int` held in Rust and for the shared constants `True`, `False`,
    /// `None`.
    /// A tree's size is counted while it is copied in ([`Value::encode`]).
    fn size(&self, py: Python<'_>) -> PyResult<usize> {
        Ok(match self {
            Value::Int(_) => 8,
            Value::Tree(_) => 0,
            Value::Pickled(bytes) => bytes_size(py, bytes.bind(py))?,
            Value::Compact(blob) | Value::CompactPacked(blob) => blob.size(),
            Value::Packed(packed) => bytes_size(py, packed.bytes(py))?,
            Value::Shared(obj) => {
                let obj = obj.bind(py);
                if let Ok(b) = obj.cast_exact::<PyBytes>() {
                    bytes_size(py, b)?
                } else if obj.is_exact_instance_of::<PyBool>() || obj.is_none() {
                    8
                } else if let Ok(text) = obj.cast_exact::<PyString>() {
                    str_size(py, text)?
                } else {
                    // An exact int or float (see `encode`): its own `__sizeof__`, in C,
                    // runs no user code.
                    sizeof(obj)?
                }
            }
        })
    }
}

/// A compact encoding as it is kept: compressed when `compress_min_length` asks and that
/// pays, else as it is; None past 4 GiB (it is pickled then).
fn compact_value(py: Python<'_>, data: &[u8], rules: &ValueRules) -> Option<Value> {
    pack(data, rules.compress_from, &rules.dictionary, true, |b| Blob::new(py, b))
        .map(Value::CompactPacked)
        .or_else(|| Blob::new(py, data).map(Value::Compact))
}

fn sizeof(obj: &Bound<'_, PyAny>) -> PyResult<usize> {
    obj.call_method0(intern!(obj.py(), "__sizeof__"))?.extract()
}

/// Header sizes of a compact ASCII and a compact non-ASCII `str` (they differ between
/// Python versions), measured once.
static STR_HEADERS: PyOnceLock<(usize, usize)> = PyOnceLock::new();

/// What a `str` takes, and may come to take: CPython caches a UTF-8 copy inside a
/// non-ASCII string once anything asks for one (pickling a container that holds it
/// does), so such a string is charged that copy too, at most 2, 3 or 4 bytes a
/// character for 1, 2 or 4 bytes a character held. An ASCII string is its own UTF-8.
fn str_size(py: Python<'_>, s: &Bound<'_, PyString>) -> PyResult<usize> {
    let (ascii, wide) = *STR_HEADERS.get_or_try_init(py, || -> PyResult<(usize, usize)> {
        let a = sizeof(&PyString::new(py, "a"))? - 2;
        // Built at run time: a literal could already hold a UTF-8 copy.
        let e = sizeof(&PyString::new(py, "a").call_method1("replace", ("a", "\u{e9}"))?)? - 2;
        Ok((a, e))
    })?;
    let size = sizeof(s)?;
    let chars = s.len()?;
    if size == ascii + chars + 1 {
        return Ok(size);
    }
    let per_char = size.saturating_sub(wide) / (chars + 1);
    let utf8_per_char = match per_char {
        0 | 1 => 2,
        2 | 3 => 3,
        _ => 4,
    };
    Ok(size + chars * utf8_per_char + 1)
}

/// What a `bytes` object of `b.len()` bytes takes: its header (measured once) + the bytes.
fn bytes_size(py: Python<'_>, b: &Bound<'_, PyBytes>) -> PyResult<usize> {
    static HEADER: PyOnceLock<usize> = PyOnceLock::new();
    let header = HEADER.get_or_try_init(py, || PyBytes::new(py, b"").call_method0("__sizeof__")?.extract())?;
    Ok(header + b.as_bytes().len())
}
