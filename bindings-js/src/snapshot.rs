//! Core snapshots (`polycache::snapshot`) for JS, a piece at a time, so that wasm memory,
//! which never shrinks, grows by a piece (an entry, a window of the input) rather than by
//! the snapshot.
//!
//! - [`SnapshotWriter`]: JS hands over each entry; every 64 KiB or so it takes the bytes
//!   written so far out of wasm.
//! - [`SnapshotReader`]: the input stays in JS. JS shows it to the core window by window:
//!   the body for the signature, then a walk that checks every length and string, then a
//!   walk that gives each entry's position, from which JS takes key and value itself.

use polycache::snapshot::{Codec, LoadOptions, MaxAge, SnapshotKey, SnapshotWriter as CoreWriter, Windows};
use polycache::Error;
use wasm_bindgen::prelude::*;

use crate::error::{cat, invalid_argument, show, to_js};

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
        Err(invalid_argument(cat(&["expiry must be a time in epoch milliseconds, got ", &show(at)])))
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
    /// `floor`: the generation of every namespace not listed (1: none);
    /// `names`/`generations`: the store's namespaces; `key`: sign with it (16+ bytes).
    #[wasm_bindgen(constructor)]
    pub fn new(
        now: f64,
        floor: u64,
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
        let w = CoreWriter::new(epoch_ms(now), floor, gens, n_entries as usize, key.as_ref(), 0).map_err(to_js)?;
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

/// A snapshot read window by window (see the module documentation).
#[wasm_bindgen]
pub struct SnapshotReader {
    windows: Windows,
    /// What the last `walk` found: `[key_at, key_len, expiry, codec, value_at, value_len]`
    /// per entry (expiry in epoch ms, `Infinity` for never).
    found: Vec<f64>,
}

/// Checks the head of a snapshot of `total` bytes (`head`: its first bytes). With `key`,
/// a signed snapshot must verify under it; an unsigned one (or a signed one without a
/// key) loads only with `allow_unsigned`. With `max_age` (ms), one made further than that
/// from `now` (epoch ms) is refused.
#[wasm_bindgen(js_name = openSnapshot)]
pub fn open_snapshot(
    head: &[u8],
    total: f64,
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
            return Err(to_js(Error::InvalidConfig(cat(&["maxAge must be a number of milliseconds of at least 0, got ", &show(ms)]))))
        }
    };
    let opts = LoadOptions { key: key.as_ref(), allow_unsigned, max_age };
    let windows = Windows::open(head, epoch_ms(total) as usize, opts).map_err(to_js)?;
    Ok(SnapshotReader { windows, found: Vec::new() })
}

#[wasm_bindgen]
impl SnapshotReader {
    /// Where the signature starts: `mac_update` takes the bytes before it, in order.
    pub fn body_end(&self) -> f64 {
        self.windows.body_end() as f64
    }

    pub fn mac_update(&mut self, chunk: &[u8]) {
        self.windows.mac_update(chunk);
    }

    /// Checks the signature (the bytes from `body_end` on).
    pub fn mac_verify(&mut self, tag: &[u8]) -> Result<(), JsError> {
        self.windows.mac_verify(tag).map_err(to_js)
    }

    /// True when the signature was checked under the caller's key.
    pub fn verified(&self) -> bool {
        self.windows.verified()
    }

    pub fn created_at(&self) -> f64 {
        self.windows.created_at() as f64
    }

    /// The generation of every namespace not listed (1 when the snapshot has none).
    pub fn generation_floor(&self) -> u64 {
        self.windows.generation_floor()
    }

    pub fn generation_names(&self) -> Vec<String> {
        self.windows.generations().iter().map(|(n, _)| n.clone()).collect()
    }

    pub fn generation_values(&self) -> Vec<u64> {
        self.windows.generations().iter().map(|(_, g)| *g).collect()
    }

    /// Where the next window starts.
    pub fn pos(&self) -> f64 {
        self.windows.pos() as f64
    }

    pub fn rewind(&mut self) {
        self.windows.rewind();
    }

    /// Reads the window (the input from `pos`); -1 when the snapshot is read through,
    /// else the least length of the next window. Entries found are in `found`.
    pub fn walk(&mut self, window: &[u8]) -> Result<f64, JsError> {
        let found = &mut self.found;
        found.clear();
        let next = self
            .windows
            .walk(window, |e| {
                let expiry = e.expires_at.map_or(f64::INFINITY, |t| t as f64);
                let codec = f64::from(e.codec.to_u8());
                found.extend([e.key.0 as f64, e.key.1 as f64, expiry, codec, e.value.0 as f64, e.value.1 as f64]);
            })
            .map_err(to_js)?;
        Ok(next.map_or(-1.0, |n| n as f64))
    }

    /// The entries the last `walk` found, six numbers each (see the field).
    pub fn found(&self) -> Vec<f64> {
        self.found.clone()
    }
}
