//! Core snapshots (`polycache::snapshot`) for JS, one entry at a time, so that wasm
//! memory, which never shrinks, grows with the largest entry rather than with the whole
//! snapshot when writing, and by the input once (no second copy) when reading.
//!
//! - [`SnapshotWriter`]: JS hands over each entry; every 64 KiB or so it takes the bytes
//!   written so far out of wasm.
//! - [`SnapshotReader`]: holds the input, checked whole by the core (signature, age,
//!   lengths, UTF-8) before the first entry is read; then JS reads one entry at a time.

use polycache::snapshot::{Checked, Codec, Cursor, LoadOptions, MaxAge, SnapshotKey, SnapshotWriter as CoreWriter};
use polycache::Error;
use wasm_bindgen::prelude::*;

use crate::error::{invalid_argument, show, to_js};

fn signing_key(key: Option<Vec<u8>>) -> Result<Option<SnapshotKey>, JsError> {
    key.map(|k| SnapshotKey::new(&k)).transpose().map_err(to_js)
}

/// An epoch-ms expiry from JS (`Infinity` for never).
fn expires_at(at: f64) -> Result<Option<u64>, JsError> {
    if at == f64::INFINITY {
        Ok(None)
    } else if at.is_finite() && at >= 0.0 {
        Ok(Some(at as u64))
    } else {
        Err(invalid_argument(format!("expiry must be a time in epoch milliseconds, got {}", show(at))))
    }
}

/// Epoch ms from JS as the core's time (whole, non-negative).
fn epoch_ms(now: f64) -> u64 {
    if now.is_finite() && now > 0.0 {
        now as u64
    } else {
        0
    }
}

/// Writes a snapshot of exactly `n_entries` entries.
#[wasm_bindgen]
pub struct SnapshotWriter {
    inner: Option<CoreWriter>,
}

#[wasm_bindgen]
impl SnapshotWriter {
    /// `names`/`generations`: the store's namespaces; `key`: sign with it (16+ bytes).
    #[wasm_bindgen(constructor)]
    pub fn new(
        now: f64,
        names: Vec<String>,
        generations: Vec<u64>,
        n_entries: u32,
        key: Option<Vec<u8>>,
    ) -> Result<SnapshotWriter, JsError> {
        if names.len() != generations.len() {
            return Err(invalid_argument("snapshot: names and generations of different lengths"));
        }
        let key = signing_key(key)?;
        let gens = names.into_iter().zip(generations);
        let w = CoreWriter::new(epoch_ms(now), gens, n_entries as usize, key.as_ref(), 0).map_err(to_js)?;
        Ok(SnapshotWriter { inner: Some(w) })
    }

    /// Appends one entry; the bytes now waiting in wasm (see `take`).
    pub fn entry(&mut self, key: &str, expiry: f64, codec: u8, value: &[u8]) -> Result<u32, JsError> {
        let w = self.inner.as_mut().ok_or_else(|| invalid_argument("snapshot: already finished"))?;
        w.entry(key, expires_at(expiry)?, Codec::from_u8(codec), value).map_err(to_js)?;
        Ok(u32::try_from(w.pending()).unwrap_or(u32::MAX))
    }

    /// The bytes written so far, out of wasm.
    pub fn take(&mut self) -> Vec<u8> {
        self.inner.as_mut().map(CoreWriter::take).unwrap_or_default()
    }

    /// The last bytes (with the signature); the writer is then spent.
    pub fn finish(&mut self) -> Result<Vec<u8>, JsError> {
        let w = self.inner.take().ok_or_else(|| invalid_argument("snapshot: already finished"))?;
        w.finish().map_err(to_js)
    }
}

/// A checked snapshot, read one entry at a time (least recently used first).
#[wasm_bindgen]
pub struct SnapshotReader {
    bytes: Vec<u8>,
    checked: Checked,
    cursor: Cursor,
    /// The entry `advance` moved to: key and value as ranges of `bytes`.
    key: (usize, usize),
    value: (usize, usize),
    expiry: f64,
}

/// Checks `bytes` whole. With `key`, a signed snapshot must verify under it; an unsigned
/// one (or a signed one without a key) loads only with `allow_unsigned`. With `max_age`
/// (ms), one made further than that from `now` (epoch ms) is refused.
#[wasm_bindgen(js_name = openSnapshot)]
pub fn open_snapshot(
    bytes: Vec<u8>,
    key: Option<Vec<u8>>,
    allow_unsigned: bool,
    now: f64,
    max_age: Option<f64>,
) -> Result<SnapshotReader, JsError> {
    let key = signing_key(key)?;
    let max_age = match max_age {
        None => None,
        Some(ms) if ms.is_finite() && ms >= 0.0 => Some(MaxAge { now_ms: epoch_ms(now), max_age_ms: ms as u64 }),
        Some(ms) => {
            return Err(to_js(Error::InvalidConfig(format!(
                "maxAge must be a number of milliseconds of at least 0, got {}",
                show(ms)
            ))))
        }
    };
    let checked = Checked::check(&bytes, LoadOptions { key: key.as_ref(), allow_unsigned, max_age }).map_err(to_js)?;
    let cursor = checked.cursor();
    Ok(SnapshotReader { bytes, checked, cursor, key: (0, 0), value: (0, 0), expiry: f64::INFINITY })
}

#[wasm_bindgen]
impl SnapshotReader {
    /// True when the signature was checked under the caller's key.
    pub fn verified(&self) -> bool {
        self.checked.verified
    }

    pub fn created_at(&self) -> f64 {
        self.checked.created_at as f64
    }

    pub fn generation_names(&self) -> Vec<String> {
        self.checked.generations(&self.bytes).map(|(n, _)| n.to_owned()).collect()
    }

    pub fn generation_values(&self) -> Vec<u64> {
        self.checked.generations(&self.bytes).map(|(_, g)| g).collect()
    }

    /// Moves to the next entry: its codec, or -1 after the last.
    pub fn advance(&mut self) -> i32 {
        let base = self.bytes.as_ptr() as usize;
        let Some(e) = self.cursor.next(&self.bytes) else { return -1 };
        let at = |s: &[u8]| (s.as_ptr() as usize - base, s.len());
        self.key = at(e.key.as_bytes());
        self.value = at(e.value);
        self.expiry = e.expires_at.map_or(f64::INFINITY, |t| t as f64);
        i32::from(e.codec.to_u8())
    }

    /// The current entry's key.
    pub fn key(&self) -> String {
        let (at, len) = self.key;
        // Checked as UTF-8 by `open_snapshot`.
        String::from_utf8_lossy(&self.bytes[at..at + len]).into_owned()
    }

    /// The current entry's expiry: epoch ms, `Infinity` for never.
    pub fn expiry(&self) -> f64 {
        self.expiry
    }

    /// The current entry's value bytes.
    pub fn value(&self) -> Vec<u8> {
        let (at, len) = self.value;
        self.bytes[at..at + len].to_vec()
    }
}
