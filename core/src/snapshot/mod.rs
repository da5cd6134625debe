//! Snapshots: a whole cache (entries, values, expiries, namespace generations) as bytes,
//! in a versioned format every binding reads, optionally signed with HMAC-SHA256.
//!
//! Layout (all integers little-endian; strings are UTF-8 with a `u32` byte length):
//!
//! ```text
//! magic      8 bytes  "POLYSNAP"
//! version    u8       1
//! flags      u8       bit 0: signed; bit 1: a generation floor follows
//! created_at u64      Unix-epoch ms when dumped
//! floor      u64      only with flag bit 1 (and then at least 2): the generation of
//!                       every namespace not listed
//! n_gens     u32      then n_gens times: name (string), generation (u64)
//! n_entries  u32      then n_entries times, least recently used first:
//!                       key (string), expires_at (u64; u64::MAX = never),
//!                       codec (u8), value (u32 length + bytes)
//! mac        32 bytes HMAC-SHA256(key, every byte before it), only when signed
//! ```
//!
//! Decoding checks every length against the bytes that remain and parses the whole
//! snapshot before anything is returned, so a truncated, corrupt or hostile snapshot is
//! an [`Error::Snapshot`](crate::Error::Snapshot) and a cache that loads it is left as it
//! was. Keys are [`SnapshotKey`]s (at least [`MIN_KEY_BYTES`]); a loader may refuse
//! snapshots older than a [`MaxAge`]. Bindings read and write with [`Checked`] (or
//! [`Windows`], when the input stays with the host) and [`SnapshotWriter`], one entry at a
//! time; [`Snapshot`] is the whole thing in memory.

mod read;
mod sign;
mod window;
mod write;

pub use read::{Checked, EntryRef, LoadOptions, MaxAge, HEAD_LEN};
pub use window::{EntryAt, Windows};
pub use sign::{hex, hmac_sha256, SnapshotKey, MIN_KEY_BYTES};
pub use write::SnapshotWriter;

use crate::error::{Error, Result};

pub const MAGIC: &[u8; 8] = b"POLYSNAP";
pub const VERSION: u8 = 1;
const FLAG_SIGNED: u8 = 1;
const FLAG_FLOOR: u8 = 2;
const NEVER: u64 = u64::MAX;

/// How a value's bytes are to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    /// UTF-8 JSON text: strings, numbers, booleans, null, lists, maps. Every binding
    /// turns it into native values.
    Json,
    /// A Python pickle: only Python reads it, and only from a verified snapshot.
    /// Elsewhere it stays opaque bytes and is never executed.
    Pickle,
    /// Raw bytes.
    Bytes,
    /// A codec this version does not know: kept as opaque bytes.
    Other(u8),
}

impl Codec {
    pub fn to_u8(self) -> u8 {
        match self {
            Codec::Json => 0,
            Codec::Pickle => 1,
            Codec::Bytes => 2,
            Codec::Other(n) => n,
        }
    }
    pub fn from_u8(n: u8) -> Codec {
        match n {
            0 => Codec::Json,
            1 => Codec::Pickle,
            2 => Codec::Bytes,
            n => Codec::Other(n),
        }
    }
}

/// One entry of a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotEntry {
    pub key: String,
    /// Unix-epoch ms; `None` never expires.
    pub expires_at: Option<u64>,
    pub codec: Codec,
    pub value: Vec<u8>,
}

/// A whole cache, ready to encode or just decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub created_at: u64,
    /// The generation of every namespace not in `generations` (the dumping store forgot
    /// them; see `crate::generations`). 0 or 1: none, and nothing is written.
    pub generation_floor: u64,
    pub generations: Vec<(String, u64)>,
    /// Least recently used first, so loading them in order rebuilds the recency.
    pub entries: Vec<SnapshotEntry>,
}

/// A decoded snapshot and whether its signature was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub snapshot: Snapshot,
    pub verified: bool,
}

impl Snapshot {
    /// Encodes the snapshot, signed when `key` is given.
    ///
    /// ```
    /// use polycache::snapshot::{Codec, LoadOptions, Snapshot, SnapshotEntry, SnapshotKey};
    /// let snap = Snapshot {
    ///     created_at: 1,
    ///     generation_floor: 1,
    ///     generations: vec![("books".into(), 3)],
    ///     entries: vec![SnapshotEntry { key: "k".into(), expires_at: None, codec: Codec::Json, value: b"[1,2]".to_vec() }],
    /// };
    /// let key = SnapshotKey::new(b"a secret of 16+ bytes").unwrap();
    /// let bytes = snap.encode(Some(&key)).unwrap();
    /// let loaded = Snapshot::decode(&bytes, LoadOptions { key: Some(&key), ..Default::default() }).unwrap();
    /// assert!(loaded.verified);
    /// assert_eq!(loaded.snapshot, snap);
    /// let wrong = SnapshotKey::new(b"another secret, 16+").unwrap();
    /// assert!(Snapshot::decode(&bytes, LoadOptions { key: Some(&wrong), ..Default::default() }).is_err());
    /// ```
    pub fn encode(&self, key: Option<&SnapshotKey>) -> Result<Vec<u8>> {
        let size = 64 + self.entries.iter().map(|e| e.key.len() + e.value.len() + 17).sum::<usize>();
        let gens = self.generations.iter().map(|(n, g)| (n.as_str(), *g));
        let mut w = SnapshotWriter::new(self.created_at, self.generation_floor, gens, self.entries.len(), key, size)?;
        for e in &self.entries {
            w.entry(&e.key, e.expires_at, e.codec, &e.value)?;
        }
        w.finish()
    }

    /// Decodes and checks a snapshot into memory; see [`LoadOptions`] for what is
    /// accepted. (A loader that stores entries as it reads them uses [`Checked`].)
    pub fn decode(bytes: &[u8], opts: LoadOptions<'_>) -> Result<Loaded> {
        let checked = Checked::check(bytes, opts)?;
        let generations = checked.generations(bytes).map(|(n, g)| (n.to_owned(), g)).collect();
        let entries = checked
            .entries(bytes)
            .map(|e| SnapshotEntry { key: e.key.to_owned(), expires_at: e.expires_at, codec: e.codec, value: e.value.to_vec() })
            .collect();
        let snapshot = Snapshot { created_at: checked.created_at, generation_floor: checked.generation_floor, generations, entries };
        Ok(Loaded { snapshot, verified: checked.verified })
    }
}

fn bad(msg: &str) -> Error {
    Error::Snapshot(msg.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Snapshot {
        Snapshot {
            created_at: 1_700_000_000_000,
            generation_floor: 7,
            generations: vec![("books".into(), 4), ("ünï".into(), 1)],
            entries: vec![
                SnapshotEntry { key: "a".into(), expires_at: Some(1_700_000_060_000), codec: Codec::Json, value: b"{\"x\":1}".to_vec() },
                SnapshotEntry { key: "😀".into(), expires_at: None, codec: Codec::Pickle, value: vec![0x80, 4, 0x4b, 1, 0x2e] },
                SnapshotEntry { key: "".into(), expires_at: None, codec: Codec::Other(9), value: vec![] },
            ],
        }
    }

    fn key() -> SnapshotKey {
        SnapshotKey::new(b"the test key, 16+ bytes").unwrap()
    }

    fn strict(k: &SnapshotKey) -> LoadOptions<'_> {
        LoadOptions { key: Some(k), ..Default::default() }
    }

    const LAX: LoadOptions<'static> = LoadOptions { key: None, allow_unsigned: true, max_age: None };

    #[test]
    fn round_trips_signed_and_unsigned() {
        let (s, k) = (sample(), key());
        assert_eq!(Snapshot::decode(&s.encode(Some(&k)).unwrap(), strict(&k)).unwrap().snapshot, s);
        let unsigned = s.encode(None).unwrap();
        assert!(Snapshot::decode(&unsigned, strict(&k)).is_err());
        let loaded = Snapshot::decode(&unsigned, LAX).unwrap();
        assert!(!loaded.verified);
        assert_eq!(loaded.snapshot, s);
    }

    #[test]
    fn every_truncation_and_every_bit_flip_is_refused_when_signed() {
        let k = key();
        let bytes = sample().encode(Some(&k)).unwrap();
        for n in 0..bytes.len() {
            assert!(Snapshot::decode(&bytes[..n], strict(&k)).is_err(), "truncated to {n}");
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(Snapshot::decode(&b, strict(&k)).is_err(), "flip byte {i} bit {bit}");
            }
        }
    }

    /// An unsigned snapshot listing the namespaces `names` (generations 2, 3, ...) and no
    /// entry, written by hand in any order.
    pub(super) fn listing(names: &[&str]) -> Vec<u8> {
        let mut b = Vec::from(&MAGIC[..]);
        b.push(VERSION);
        b.push(0);
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(&(names.len() as u32).to_le_bytes());
        for (i, n) in names.iter().enumerate() {
            b.extend_from_slice(&(n.len() as u32).to_le_bytes());
            b.extend_from_slice(n.as_bytes());
            b.extend_from_slice(&(i as u64 + 2).to_le_bytes());
        }
        b.extend_from_slice(&0u32.to_le_bytes());
        b
    }

    #[test]
    fn generations_out_of_order_or_repeated_are_refused() {
        // Found by the snapshot_decode fuzz target: a snapshot listing its namespaces out of
        // order loaded, and re-encoded to other bytes (the writer sorts them).
        assert!(Snapshot::decode(&listing(&["a", "b"]), LAX).is_ok());
        for names in [["b", "a"], ["a", "a"], ["\n", "\0"]] {
            let err = Snapshot::decode(&listing(&names), LAX).unwrap_err();
            assert!(err.to_string().contains("out of order or repeated"), "{names:?}: {err}");
        }
        let twice = Snapshot { generations: vec![("a".into(), 2), ("a".into(), 3)], ..sample() };
        assert!(twice.encode(None).unwrap_err().to_string().contains("listed twice"));
    }

    #[test]
    fn hostile_lengths_do_not_allocate_or_panic() {
        let mut b = Vec::from(&MAGIC[..]);
        b.push(VERSION);
        b.push(0);
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        let e = Snapshot::decode(&b, LAX).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    #[test]
    fn unsigned_truncations_never_panic() {
        let bytes = sample().encode(None).unwrap();
        for n in 0..bytes.len() {
            assert!(Snapshot::decode(&bytes[..n], LAX).is_err(), "truncated to {n}");
        }
    }

    /// Issue 11, defect 1: the old code signed with any key, "" included, and then
    /// verified what it signed. No snapshot can be made or read under an empty key now:
    /// a signature computed under "" (as an attacker would) is refused, since the loader
    /// cannot even hold such a key.
    #[test]
    fn a_snapshot_signed_with_an_empty_key_cannot_be_verified() {
        let mut forged = sample().encode(None).unwrap();
        forged[9] |= FLAG_SIGNED;
        let mac = hmac_sha256(b"", &forged);
        forged.extend_from_slice(&mac);
        assert!(SnapshotKey::new(b"").is_err());
        let e = Snapshot::decode(&forged, strict(&key())).unwrap_err();
        assert!(e.to_string().contains("signature"), "{e}");
        let lax = Snapshot::decode(&forged, LAX).unwrap();
        assert!(!lax.verified, "without a key it loads only as unverified");
    }

    #[test]
    fn max_age_refuses_old_and_far_future_snapshots_by_the_loaders_clock() {
        let k = key();
        let bytes = sample().encode(Some(&k)).unwrap();
        let made = sample().created_at;
        let at = |now_ms, max_age_ms| LoadOptions { max_age: Some(MaxAge { now_ms, max_age_ms }), ..strict(&k) };
        // Without max_age, a signed snapshot of any age loads: a replay is possible.
        assert!(Snapshot::decode(&bytes, LoadOptions { max_age: None, ..strict(&k) }).is_ok());
        assert!(Snapshot::decode(&bytes, at(made + 60_000, 60_000)).is_ok(), "exactly max_age old");
        let e = Snapshot::decode(&bytes, at(made + 60_001, 60_000)).unwrap_err();
        assert!(e.to_string().contains("60001 ms ago"), "{e}");
        assert!(Snapshot::decode(&bytes, at(made - 60_000, 60_000)).is_ok(), "a clock slightly behind");
        let e = Snapshot::decode(&bytes, at(made - 60_001, 60_000)).unwrap_err();
        assert!(e.to_string().contains("future"), "{e}");
        // Unsigned snapshots are held to it too (though their created_at proves nothing).
        let unsigned = sample().encode(None).unwrap();
        let lax = LoadOptions { max_age: Some(MaxAge { now_ms: made + 2, max_age_ms: 1 }), ..LAX };
        assert!(Snapshot::decode(&unsigned, lax).is_err());
    }

    #[test]
    fn the_writer_streams_the_same_bytes_and_counts_its_entries() {
        let (s, k) = (sample(), key());
        let whole = s.encode(Some(&k)).unwrap();
        let gens = s.generations.iter().rev().map(|(n, g)| (n.clone(), *g)); // sorted by the writer
        let mut w = SnapshotWriter::new(s.created_at, s.generation_floor, gens, s.entries.len(), Some(&k), 0).unwrap();
        let mut streamed = w.take();
        for e in &s.entries {
            w.entry(&e.key, e.expires_at, e.codec, &e.value).unwrap();
            streamed.extend(w.take());
        }
        assert!(w.entry("extra", None, Codec::Json, b"1").is_err(), "more entries than declared");
        streamed.extend(w.finish().unwrap());
        assert_eq!(streamed, whole);
        let short = SnapshotWriter::new(0, 1, [("a", 2)], 2, None, 0).unwrap();
        assert!(short.finish().unwrap_err().to_string().contains("0 entries written, 2 declared"));
    }

    #[test]
    fn a_floor_of_1_is_not_written_and_not_read() {
        let s = Snapshot { generation_floor: 1, ..sample() };
        let bytes = s.encode(None).unwrap();
        assert_eq!(bytes[9], 0, "no floor flag");
        let mut forged = bytes[..18].to_vec();
        forged[9] = FLAG_FLOOR;
        forged.extend_from_slice(&1u64.to_le_bytes());
        forged.extend_from_slice(&bytes[18..]);
        let e = Snapshot::decode(&forged, LAX).unwrap_err();
        assert!(e.to_string().contains("floor"), "{e}");
        forged[18] = 2; // the same bytes with a floor of 2 are a snapshot
        assert_eq!(Snapshot::decode(&forged, LAX).unwrap().snapshot, Snapshot { generation_floor: 2, ..s });
    }

    #[test]
    fn checked_entries_borrow_the_input() {
        let bytes = sample().encode(None).unwrap();
        let checked = Checked::check(&bytes, LAX).unwrap();
        assert_eq!(checked.entry_count(), 3);
        let keys: Vec<&str> = checked.entries(&bytes).map(|e| e.key).collect();
        assert_eq!(keys, ["a", "😀", ""]);
        let range = bytes.as_ptr_range();
        assert!(checked.entries(&bytes).all(|e| range.contains(&e.key.as_ptr()) || e.key.is_empty()));
        let mut entries = checked.entries(&bytes);
        assert_eq!(entries.next().map(|e| e.value), Some(&b"{\"x\":1}"[..]));
        assert_eq!(entries.len(), 2);
    }
}
