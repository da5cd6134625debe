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

use std::sync::Arc;

use polycache::snapshot::{Codec, LoadOptions, Snapshot, SnapshotEntry};
use polycache::{entry_charge, Expiry};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString};

use crate::cache::Cache;
use crate::error::{to_py_nokey, SnapshotError};
use crate::text::{as_str, is_text};
use crate::value::Value;

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

/// A snapshot key: `str` (its UTF-8) or `bytes`.
pub fn key_bytes(key: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<u8>>> {
    let Some(key) = key else { return Ok(None) };
    if key.is_none() {
        return Ok(None);
    }
    if let Ok(s) = key.cast::<PyString>() {
        return Ok(Some(as_str(s)?.as_bytes().to_vec()));
    }
    if let Ok(b) = key.cast::<PyBytes>() {
        return Ok(Some(b.as_bytes().to_vec()));
    }
    Err(PyTypeError::new_err(format!(
        "a snapshot key must be str or bytes, not {}",
        key.get_type().name()?
    )))
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
fn encode_value(py: Python<'_>, v: &Value) -> PyResult<(Codec, Vec<u8>)> {
    match v {
        Value::Int(n) => Ok((Codec::Json, n.to_string().into_bytes())),
        Value::Shared(obj) => {
            let obj = obj.bind(py);
            if let Ok(b) = obj.cast_exact::<PyBytes>() {
                return Ok((Codec::Bytes, b.as_bytes().to_vec()));
            }
            if json_like(obj, 0) {
                if let Some(json) = json_of(py, obj) {
                    return Ok((Codec::Json, json));
                }
            }
            Ok((Codec::Pickle, pickle_of(py, obj)?))
        }
        Value::Pickled(bytes) => {
            let bytes = bytes.bind(py);
            // Our own pickle: if it holds a JSON-like value, write that as JSON so every
            // binding reads it; otherwise (or if it no longer unpickles) the pickle as is.
            if let Ok(obj) = codecs(py)?.loads.bind(py).call1((bytes,)) {
                if json_like(&obj, 0) {
                    if let Some(json) = json_of(py, &obj) {
                        return Ok((Codec::Json, json));
                    }
                }
            }
            Ok((Codec::Pickle, bytes.as_bytes().to_vec()))
        }
    }
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
    /// The whole store (every handle's keys) as snapshot bytes, signed when `key` is given.
    pub(crate) fn dump_in(&self, py: Python<'_>, key: Option<&[u8]>) -> PyResult<Vec<u8>> {
        // Under the lock: references and numbers only, no Python code.
        let (now, floor, generations, held) = self.shared.with_store(|s, now| {
            let mut generations: Vec<(String, u64)> =
                s.generations().map(|(n, g)| (n.to_owned(), g)).collect();
            generations.sort();
            let held: Vec<(Arc<str>, Value, Option<u64>)> = s
                .entries(now)
                .map(|(k, v, expiry, _)| (k.clone(), v.clone_ref(py), expiry.as_epoch_ms()))
                .collect();
            (now, s.generation_floor(), generations, held)
        });
        let mut entries = Vec::with_capacity(held.len());
        for (k, v, expires_at) in held {
            let (codec, value) = encode_value(py, &v).map_err(|e| {
                bad(format!(
                    "the value of {:?} cannot go into a snapshot: {e}",
                    &*k
                ))
            })?;
            entries.push(SnapshotEntry {
                key: k.to_string(),
                expires_at,
                codec,
                value,
            });
        }
        Ok(Snapshot {
            created_at: now,
            generation_floor: floor,
            generations,
            entries,
        }
        .encode(key))
    }

    /// Replaces the store's entries with those of a snapshot; generations only move
    /// forward. Everything is decoded and converted before the store is touched.
    pub(crate) fn load_in(
        &self,
        py: Python<'_>,
        data: &[u8],
        key: Option<&[u8]>,
        allow_unsigned: bool,
    ) -> PyResult<Loaded> {
        let loaded = Snapshot::decode(
            data,
            LoadOptions {
                key,
                allow_unsigned,
            },
        )
        .map_err(to_py_nokey)?;
        let verified = loaded.verified;
        let c = codecs(py)?;
        let before = self.shared.now_ms();
        let (mut skipped_pickles, mut skipped_unknown) = (0, 0);
        let mut entries = Vec::with_capacity(loaded.snapshot.entries.len());
        for e in loaded.snapshot.entries {
            let expiry = e.expires_at.map_or(Expiry::Never, Expiry::At);
            let obj = match e.codec {
                Codec::Json => {
                    let text = std::str::from_utf8(&e.value)
                        .map_err(|_| bad(format!("the JSON value of {:?} is not UTF-8", e.key)))?;
                    c.decode.bind(py).call1((text,)).map_err(|err| {
                        bad(format!("cannot read the JSON value of {:?}: {err}", e.key))
                    })?
                }
                Codec::Bytes => PyBytes::new(py, &e.value).into_any(),
                Codec::Pickle if !verified => {
                    skipped_pickles += 1;
                    continue;
                }
                Codec::Pickle => {
                    if expiry.is_expired(before) {
                        continue; // not worth unpickling
                    }
                    c.loads
                        .bind(py)
                        .call1((PyBytes::new(py, &e.value),))
                        .map_err(|err| {
                            bad(format!("cannot unpickle the value of {:?}: {err}", e.key))
                        })?
                }
                Codec::Other(_) => {
                    skipped_unknown += 1;
                    continue;
                }
            };
            let v = Value::encode(&obj)
                .map_err(|err| bad(format!("cannot store the value of {:?}: {err}", e.key)))?;
            let charge = entry_charge(e.key.len(), v.size(py)?);
            entries.push((Arc::<str>::from(e.key), v, charge, expiry));
        }
        let (floor, generations) = (loaded.snapshot.generation_floor, loaded.snapshot.generations);
        // Under the lock: the swap, which cannot fail. Replaced values are released
        // after the lock (the core's with_store).
        let held = self
            .write(|s, now| {
                s.clear();
                s.merge_generations(floor, &generations);
                s.load_prepared(entries, &generations, now);
                Ok(s.len())
            })
            .map_err(to_py_nokey)?;
        Ok(Loaded {
            verified,
            entries: held,
            skipped_pickles,
            skipped_unknown,
        })
    }
}
