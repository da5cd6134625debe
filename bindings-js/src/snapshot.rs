//! Reading a core snapshot (`polycache::snapshot`) for JS: decoded and checked by the
//! core (signature, lengths, UTF-8), then handed over as flat arrays.

use polycache::snapshot::{LoadOptions, Snapshot};
use wasm_bindgen::prelude::*;

use crate::error::to_js;

/// A decoded snapshot: entries least recently used first.
#[wasm_bindgen]
pub struct DecodedSnapshot {
    snapshot: Snapshot,
    verified: bool,
}

/// Decodes `bytes`. With `key`, a signed snapshot must verify under it; an unsigned one
/// (or a signed one without a key) loads only with `allow_unsigned`.
#[wasm_bindgen(js_name = decodeSnapshot)]
pub fn decode_snapshot(bytes: &[u8], key: Option<Vec<u8>>, allow_unsigned: bool) -> Result<DecodedSnapshot, JsError> {
    let loaded = Snapshot::decode(bytes, LoadOptions { key: key.as_deref(), allow_unsigned }).map_err(to_js)?;
    Ok(DecodedSnapshot { snapshot: loaded.snapshot, verified: loaded.verified })
}

#[wasm_bindgen]
impl DecodedSnapshot {
    /// True when the signature was checked under the caller's key.
    pub fn verified(&self) -> bool {
        self.verified
    }

    pub fn created_at(&self) -> f64 {
        self.snapshot.created_at as f64
    }

    pub fn keys(&self) -> Vec<String> {
        self.snapshot.entries.iter().map(|e| e.key.clone()).collect()
    }

    /// Epoch ms, `Infinity` for never.
    pub fn expiries(&self) -> Vec<f64> {
        self.snapshot.entries.iter().map(|e| e.expires_at.map_or(f64::INFINITY, |at| at as f64)).collect()
    }

    pub fn codecs(&self) -> Vec<u8> {
        self.snapshot.entries.iter().map(|e| e.codec.to_u8()).collect()
    }

    pub fn lengths(&self) -> Vec<u32> {
        self.snapshot.entries.iter().map(|e| e.value.len() as u32).collect()
    }

    /// Every value's bytes, concatenated in entry order (see `lengths`).
    pub fn values(&self) -> Vec<u8> {
        self.snapshot.entries.iter().flat_map(|e| e.value.iter().copied()).collect()
    }

    /// The generation of every namespace not listed (1 when the snapshot has none).
    pub fn generation_floor(&self) -> u64 {
        self.snapshot.generation_floor.max(1)
    }

    pub fn generation_names(&self) -> Vec<String> {
        self.snapshot.generations.iter().map(|(n, _)| n.clone()).collect()
    }

    pub fn generation_values(&self) -> Vec<u64> {
        self.snapshot.generations.iter().map(|(_, g)| *g).collect()
    }
}
