//! Snapshots for Python: `Cache.dump(key=None)` / `Cache.load(data, key=None,
//! allow_unsigned=False)` over the core's format (`polycache::snapshot`). The core writes,
//! reads and checks the bytes; this file only converts values:
//!
//! - dump: JSON-like values (exact `str`, `int`, finite `float`, `bool`, `None`, and
//!   `list` / `dict` with `str` keys of those, nested) as codec 0 JSON, `bytes` as codec 2,
//!   anything else as its pickle (codec 1);
//! - load: JSON as native values, bytes as `bytes`, pickles unpickled only when the
//!   snapshot's signature verified under the caller's key; otherwise they (and codecs this
//!   version does not know) are skipped and counted.
//!
//! The store's lock is held only to copy references out (dump) or to swap the converted
//! entries in (load): unpickling, pickling and JSON run with no lock held, so they may call
//! back into the cache. A load converts every entry before it touches the store, so an
//! error leaves the cache exactly as it was.
//!
//! Memory: a dump writes each value straight into the output; a load reads the caller's
//! bytes in place and stores each converted entry into a scratch store with the cache's
//! bounds, which evicts as it goes, so loading a snapshot far larger than the cache holds
//! about the input plus twice the cache's bound (the scratch store and the cache), never
//! every entry at once.

use polycache::snapshot::{Checked, Codec, LoadOptions, MaxAge, SnapshotKey, SnapshotWriter};
use polycache::{entry_charge, Expiry, Key, Store};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::cache::Cache;
use crate::error::{to_py_nokey, SnapshotError};
use crate::text::{as_str, is_text};
use crate::value::{Value, ValueRules};

/// Lists and dicts nested deeper than this are written as pickles (JSON readers recurse).
const MAX_JSON_DEPTH: usize = 200;

struct Codecs {
    /// `json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode`
    encode: Py<PyAny>,
    /// `json.JSONDecoder(parse_constant=int).decode`: NaN / Infinity (not JSON) raise.
    decode: Py<PyAny>,
    dumps: Py<PyAny>,
    loads: Py<PyAny>,
    protocol: i64,
}

static CODECS: PyOnceLock<Codecs> = PyOnceLock::new();

fn codecs(py: Python<'_>) -> PyResult<&Codecs> {
    CODECS.get_or_try_init(py, || {
        let json = py.import("json")?;
        let pickle = py.import("pickle")?;
        let kw = PyDict::new(py);
        kw.set_item("ensure_ascii", false)?;
        kw.set_item("separators", (",", ":"))?;
        kw.set_item("allow_nan", false)?;
        let encoder = json.getattr("JSONEncoder")?.call((), Some(&kw))?;
        let kw = PyDict::new(py);
        kw.set_item("parse_constant", py.get_type::<PyInt>())?;
        let decoder = json.getattr("JSONDecoder")?.call((), Some(&kw))?;
        Ok(Codecs {
            encode: encoder.getattr("encode")?.unbind(),
            decode: decoder.getattr("decode")?.unbind(),
            dumps: pickle.getattr("dumps")?.unbind(),
            loads: pickle.getattr("loads")?.unbind(),
            protocol: pickle.getattr("HIGHEST_PROTOCOL")?.extract()?,
        })
    })
}

/// A snapshot key: `str` (its UTF-8) or `bytes`, of at least the core's
/// `MIN_KEY_BYTES`; an empty or short one is an `InvalidConfigError`.
pub fn snapshot_key(key: Option<&Bound<'_, PyAny>>) -> PyResult<Option<SnapshotKey>> {
    let Some(key) = key else { return Ok(None) };
    if key.is_none() {
        return Ok(None);
    }
    let bytes = if let Ok(s) = key.cast::<PyString>() {
        as_str(s)?.as_bytes().to_vec()
    } else if let Ok(b) = key.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else {
        return Err(PyTypeError::new_err(format!(
            "a snapshot key must be str or bytes, not {}",
            key.get_type().name()?
        )));
    };
    SnapshotKey::new(&bytes).map(Some).map_err(to_py_nokey)
}

/// Raises what `dump`/`load` would raise for `key` (for settings checked at startup).
///
/// >>> check_snapshot_key("a key of sixteen bytes or more"); check_snapshot_key(None)
/// >>> try:
/// ...     check_snapshot_key("")
/// ... except ValueError as e:  # InvalidConfigError
/// ...     print(str(e)[:54])
/// invalid cache configuration: the snapshot key is empty
#[pyfunction]
#[pyo3(signature = (key))]
pub fn check_snapshot_key(key: &Bound<'_, PyAny>) -> PyResult<()> {
    snapshot_key(Some(key)).map(drop)
}

/// `max_age` in seconds (None: any age) as the core's limit at `now_ms`.
pub fn max_age(seconds: Option<f64>, now_ms: u64) -> PyResult<Option<MaxAge>> {
    let Some(s) = seconds else { return Ok(None) };
    if !(s.is_finite() && s >= 0.0) {
        return Err(PyValueError::new_err(format!(
            "max_age must be a number of seconds of at least 0, or None, got {s}"
        )));
    }
    let max_age_ms = (s * 1000.0).min(u64::MAX as f64) as u64;
    Ok(Some(MaxAge { now_ms, max_age_ms }))
}

/// True when `obj` comes back from JSON as an equal value of the same types.
fn json_like(obj: &Bound<'_, PyAny>, depth: usize) -> bool {
    if obj.is_none() || obj.is_exact_instance_of::<PyBool>() || obj.is_exact_instance_of::<PyInt>()
    {
        return true;
    }
    if obj.is_exact_instance_of::<PyFloat>() {
        return obj.extract::<f64>().is_ok_and(f64::is_finite);
    }
    if let Ok(s) = obj.cast_exact::<PyString>() {
        return is_text(s).unwrap_or(false);
    }
    if depth >= MAX_JSON_DEPTH {
        return false;
    }
    if let Ok(list) = obj.cast_exact::<PyList>() {
        return list.iter().all(|item| json_like(&item, depth + 1));
    }
    if let Ok(dict) = obj.cast_exact::<PyDict>() {
        return dict.iter().all(|(k, v)| {
            k.cast_exact::<PyString>().is_ok_and(|s| is_text(s).unwrap_or(false)) && json_like(&v, depth + 1)
        });
    }
    false
}

fn json_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> Option<Vec<u8>> {
    let text = codecs(py).ok()?.encode.bind(py).call1((obj,)).ok()?;
    Some(
        as_str(text.cast::<PyString>().ok()?)
            .ok()?
            .as_bytes()
            .to_vec(),
    )
}

fn pickle_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    let c = codecs(py)?;
    let b = c.dumps.bind(py).call1((obj, c.protocol))?;
    Ok(b.cast::<PyBytes>()?.as_bytes().to_vec())
}

/// The codec and bytes of a stored value.
fn encode_value(py: Python<'_>, v: &Value, rules: &ValueRules) -> PyResult<(Codec, Vec<u8>)> {
    match v {
        Value::Int(n) => Ok((Codec::Json, n.to_string().into_bytes())),
        Value::Shared(obj) => {
            let obj = obj.bind(py);
            if let Ok(b) = obj.cast_exact::<PyBytes>() {
                return Ok((Codec::Bytes, b.as_bytes().to_vec()));
            }
            json_or_pickle(py, obj)
        }
        Value::Tree(root) => json_or_pickle(py, root.bind(py)),
        // A compact encoding is this process's own: what it holds goes as JSON (or, for a
        // tuple, bytes-keyed dict and the like, as a pickle), as a copy would.
        Value::Compact(_) | Value::CompactPacked(_) => {
            json_or_pickle(py, &v.clone_ref(py).decode(py, rules)?.into_bound(py))
        }
        Value::Packed(packed) => pickle_or_json(py, &packed.unpack(py, &rules.dictionary)?),
        Value::Pickled(bytes) => pickle_or_json(py, bytes.bind(py)),
    }
}

/// A JSON-like value as JSON, anything else as its pickle.
fn json_or_pickle(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<(Codec, Vec<u8>)> {
    if json_like(obj, 0) {
        if let Some(json) = json_of(py, obj) {
            return Ok((Codec::Json, json));
        }
    }
    Ok((Codec::Pickle, pickle_of(py, obj)?))
}

/// How a value kept as a pickle is written: as JSON when it holds a JSON-like value.
fn pickle_or_json(py: Python<'_>, bytes: &Bound<'_, PyBytes>) -> PyResult<(Codec, Vec<u8>)> {
    // Our own pickle: if it holds a JSON-like value, write that as JSON so every binding
    // reads it; otherwise (or if it no longer unpickles) the pickle as is.
    if let Ok(obj) = codecs(py)?.loads.bind(py).call1((bytes,)) {
        if json_like(&obj, 0) {
            if let Some(json) = json_of(py, &obj) {
                return Ok((Codec::Json, json));
            }
        }
    }
    Ok((Codec::Pickle, bytes.as_bytes().to_vec()))
}

fn bad(msg: String) -> PyErr {
    SnapshotError::new_err(msg)
}

/// What a load found, beyond the entries it stored.
pub struct Loaded {
    pub verified: bool,
    pub entries: usize,
    pub skipped_pickles: usize,
    pub skipped_unknown: usize,
}

impl Cache {
    /// `Cache.load`: `data` as `bytes` (read in place) or `bytearray` (copied, since
    /// unpickling runs Python code that could resize it under our feet); what it found.
    pub(crate) fn load_any<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        key: Option<&SnapshotKey>,
        allow_unsigned: bool,
        max_age: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let r = if let Ok(b) = data.cast::<PyBytes>() {
            self.load_in(py, b.as_bytes(), key, allow_unsigned, max_age)?
        } else if let Ok(b) = data.cast::<PyByteArray>() {
            self.load_in(py, &b.to_vec(), key, allow_unsigned, max_age)?
        } else {
            return Err(PyTypeError::new_err(format!(
                "load() takes the bytes dump() returns, not {}",
                data.get_type().name()?
            )));
        };
        let out = PyDict::new(py);
        out.set_item("verified", r.verified)?;
        out.set_item("entries", r.entries)?;
        out.set_item("skipped_pickles", r.skipped_pickles)?;
        out.set_item("skipped_unknown", r.skipped_unknown)?;
        Ok(out)
    }

    /// The whole store (every handle's keys) as snapshot bytes, signed when `key` is given.
    pub(crate) fn dump_in(&self, py: Python<'_>, key: Option<&SnapshotKey>) -> PyResult<Vec<u8>> {
        // Under the lock: references and numbers only, no Python code.
        let (now, floor, generations, held, charged) = self.shared.with_store(|s, now| {
            let generations: Vec<(String, u64)> =
                s.generations().map(|(n, g)| (n.to_owned(), g)).collect();
            let held: Vec<(Key, Value, Option<u64>)> = s
                .entries(now)
                .map(|(k, v, expiry, _)| (k.clone(), v.clone_ref(py), expiry.as_epoch_ms()))
                .collect();
            (now, s.generation_floor(), generations, held, s.bytes())
        });
        // What the store charges is close to what the snapshot takes: one allocation.
        let capacity = usize::try_from(charged).unwrap_or(0);
        let mut w = SnapshotWriter::new(now, floor, generations, held.len(), key, capacity)
            .map_err(to_py_nokey)?;
        for (k, v, expires_at) in held {
            let (codec, value) = encode_value(py, &v, &self.values).map_err(|e| {
                bad(format!(
                    "the value of {:?} cannot go into a snapshot: {e}",
                    &*k
                ))
            })?;
            w.entry(&k, expires_at, codec, &value).map_err(to_py_nokey)?;
        }
        w.finish().map_err(to_py_nokey)
    }

    /// Replaces the store's entries with those of a snapshot; generations only move
    /// forward. Everything is checked and converted before the store is touched.
    pub(crate) fn load_in(
        &self,
        py: Python<'_>,
        data: &[u8],
        key: Option<&SnapshotKey>,
        allow_unsigned: bool,
        max_age_s: Option<f64>,
    ) -> PyResult<Loaded> {
        let before = self.shared.now_ms();
        let opts = LoadOptions {
            key,
            allow_unsigned,
            max_age: max_age(max_age_s, before)?,
        };
        let checked = Checked::check(data, opts).map_err(to_py_nokey)?;
        let verified = checked.verified;
        let c = codecs(py)?;
        let (mut skipped_pickles, mut skipped_unknown) = (0, 0);
        // Bounded like the cache: entries it would evict anyway are dropped as they come.
        let mut scratch: Store<Key, Value> = Store::new(self.config()).map_err(to_py_nokey)?;
        for e in checked.entries(data) {
            let expiry = e.expires_at.map_or(Expiry::Never, Expiry::At);
            let obj = match e.codec {
                Codec::Json => {
                    let text = std::str::from_utf8(e.value)
                        .map_err(|_| bad(format!("the JSON value of {:?} is not UTF-8", e.key)))?;
                    c.decode.bind(py).call1((text,)).map_err(|err| {
                        bad(format!("cannot read the JSON value of {:?}: {err}", e.key))
                    })?
                }
                Codec::Bytes => PyBytes::new(py, e.value).into_any(),
                Codec::Pickle if !verified => {
                    skipped_pickles += 1;
                    continue;
                }
                Codec::Pickle => {
                    if expiry.is_expired(before) {
                        // `bound_one`'s rule for an expired entry, without unpickling it.
                        scratch.delete(e.key, before);
                        continue;
                    }
                    c.loads
                        .bind(py)
                        .call1((PyBytes::new(py, e.value),))
                        .map_err(|err| {
                            bad(format!("cannot unpickle the value of {:?}: {err}", e.key))
                        })?
                }
                Codec::Other(_) => {
                    skipped_unknown += 1;
                    continue;
                }
            };
            let (v, size) = Value::encode(&obj, &self.values)
                .map_err(|err| bad(format!("cannot store the value of {:?}: {err}", e.key)))?;
            let charge = entry_charge(e.key.len(), size);
            // (A repeated key's later entry wins, even expired; one too large for the byte
            // bound is skipped: the core's rule for a load's entry.)
            scratch.bound_one(Key::from(e.key), v, charge, expiry, before, None);
            drop(scratch.take_dead());
        }
        let generations: Vec<(String, u64)> = checked
            .generations(data)
            .map(|(n, g)| (n.to_owned(), g))
            .collect();
        let floor = checked.generation_floor;
        // Under the lock: the swap, which cannot fail. Replaced values are released
        // after the lock (the core's with_store), the scratch store's after the swap.
        let held = self
            .write(|s, now| {
                s.replace_from(&scratch, floor, &generations, now, |v| v.clone_ref(py), |_, _| None);
                Ok(s.len())
            })
            .map_err(to_py_nokey)?;
        drop(scratch);
        Ok(Loaded {
            verified,
            entries: held,
            skipped_pickles,
            skipped_unknown,
        })
    }
}
