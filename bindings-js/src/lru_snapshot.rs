//! Snapshot entries from the flat arrays JS passes: used by `SlotStore::snapshot` (the
//! `Cache`) and by `encodeSnapshot` (the `LRUCache`, whose store has no text keys or
//! namespaces to add). Expiries are epoch ms or `Infinity`; values are concatenated,
//! with their lengths.

use polycache::snapshot::{Codec, Snapshot, SnapshotEntry};
use wasm_bindgen::prelude::*;

use crate::error::invalid_argument;
use crate::slots::epoch_expiry;
use crate::ttl::now_ms;

/// The entries, in the order given, or an error when the parts do not line up.
pub fn snapshot_entries(
    keys: Vec<String>,
    expiries: &[f64],
    codecs: &[u8],
    values: &[u8],
    lengths: &[u32],
) -> Result<Vec<SnapshotEntry>, JsError> {
    if keys.len() != expiries.len() || keys.len() != codecs.len() || keys.len() != lengths.len() {
        return Err(invalid_argument("snapshot: parts of different lengths"));
    }
    let mut entries = Vec::with_capacity(keys.len());
    let mut at = 0usize;
    for (((k, &exp), &codec), &len) in keys.into_iter().zip(expiries).zip(codecs).zip(lengths) {
        let end = at + len as usize;
        let value = values.get(at..end).ok_or_else(|| invalid_argument("snapshot: value lengths overrun"))?;
        at = end;
        let expires_at = epoch_expiry(exp)?.as_epoch_ms();
        entries.push(SnapshotEntry { key: k, expires_at, codec: Codec::from_u8(codec), value: value.to_vec() });
    }
    Ok(entries)
}

/// A core snapshot of the given entries (least recently used first) and no namespace
/// generations, created at `now` (epoch ms), signed with HMAC-SHA256 when `key` is given.
#[wasm_bindgen(js_name = encodeSnapshot)]
pub fn encode_snapshot(
    keys: Vec<String>,
    expiries: Vec<f64>,
    codecs: Vec<u8>,
    values: Vec<u8>,
    lengths: Vec<u32>,
    now: f64,
    key: Option<Vec<u8>>,
) -> Result<Vec<u8>, JsError> {
    let entries = snapshot_entries(keys, &expiries, &codecs, &values, &lengths)?;
    let snap = Snapshot { created_at: now_ms(now), generations: Vec::new(), entries };
    Ok(snap.encode(key.as_deref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polycache::snapshot::LoadOptions;

    #[test]
    fn entries_round_trip_through_the_core_format() {
        let keys = vec!["a".to_string(), "b".to_string()];
        let entries = snapshot_entries(keys, &[f64::INFINITY, 5_000.0], &[0, 2], b"1xyz", &[1, 3]).unwrap();
        let snap = Snapshot { created_at: 7, generations: Vec::new(), entries };
        let bytes = snap.encode(Some(b"k"));
        let back = Snapshot::decode(&bytes, LoadOptions { key: Some(b"k"), allow_unsigned: false }).unwrap();
        assert!(back.verified);
        let got: Vec<_> = back.snapshot.entries.iter().map(|e| (e.key.as_str(), e.expires_at, e.value.clone())).collect();
        assert_eq!(got, vec![("a", None, b"1".to_vec()), ("b", Some(5_000), b"xyz".to_vec())]);
    }
}
