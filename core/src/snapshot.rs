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
//! floor      u64      only with flag bit 1: the generation of every unlisted namespace
//! n_gens     u32      then n_gens times: name (string), generation (u64)
//! n_entries  u32      then n_entries times, least recently used first:
//!                       key (string), expires_at (u64; u64::MAX = never),
//!                       codec (u8), value (u32 length + bytes)
//! mac        32 bytes HMAC-SHA256(key, every byte before it), only when signed
//! ```
//!
//! Decoding checks every length against the bytes that remain and parses the whole
//! snapshot before anything is returned, so a truncated, corrupt or hostile snapshot is
//! an [`Error::Snapshot`] and a cache that loads it is left as it was.

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

pub const MAGIC: &[u8; 8] = b"POLYSNAP";
pub const VERSION: u8 = 1;
const FLAG_SIGNED: u8 = 1;
const FLAG_FLOOR: u8 = 2;
const MAC_LEN: usize = 32;
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

/// What a loader accepts.
#[derive(Debug, Clone, Copy)]
pub struct LoadOptions<'a> {
    /// The application's key: a signed snapshot must verify under it.
    pub key: Option<&'a [u8]>,
    /// Accept a snapshot that is unsigned, or signed when no key is given. Its values
    /// are then unverified: pickles in it must never be unpickled.
    pub allow_unsigned: bool,
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
    /// use polycache::snapshot::{Codec, LoadOptions, Snapshot, SnapshotEntry};
    /// let snap = Snapshot {
    ///     created_at: 1,
    ///     generation_floor: 1,
    ///     generations: vec![("books".into(), 3)],
    ///     entries: vec![SnapshotEntry { key: "k".into(), expires_at: None, codec: Codec::Json, value: b"[1,2]".to_vec() }],
    /// };
    /// let bytes = snap.encode(Some(b"secret"));
    /// let loaded = Snapshot::decode(&bytes, LoadOptions { key: Some(b"secret"), allow_unsigned: false }).unwrap();
    /// assert!(loaded.verified);
    /// assert_eq!(loaded.snapshot, snap);
    /// assert!(Snapshot::decode(&bytes, LoadOptions { key: Some(b"wrong"), allow_unsigned: false }).is_err());
    /// ```
    pub fn encode(&self, key: Option<&[u8]>) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.entries.iter().map(|e| e.key.len() + e.value.len() + 17).sum::<usize>());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        let floor = self.generation_floor > 1;
        out.push(if key.is_some() { FLAG_SIGNED } else { 0 } | if floor { FLAG_FLOOR } else { 0 });
        out.extend_from_slice(&self.created_at.to_le_bytes());
        if floor {
            out.extend_from_slice(&self.generation_floor.to_le_bytes());
        }
        put_u32(&mut out, self.generations.len());
        for (name, generation) in &self.generations {
            put_bytes(&mut out, name.as_bytes());
            out.extend_from_slice(&generation.to_le_bytes());
        }
        put_u32(&mut out, self.entries.len());
        for e in &self.entries {
            put_bytes(&mut out, e.key.as_bytes());
            out.extend_from_slice(&e.expires_at.unwrap_or(NEVER).to_le_bytes());
            out.push(e.codec.to_u8());
            put_bytes(&mut out, &e.value);
        }
        if let Some(k) = key {
            let mac = hmac_sha256(k, &out);
            out.extend_from_slice(&mac);
        }
        out
    }

    /// Decodes and checks a snapshot; see [`LoadOptions`] for what is accepted.
    pub fn decode(bytes: &[u8], opts: LoadOptions<'_>) -> Result<Loaded> {
        if bytes.len() < 10 || &bytes[..8] != MAGIC {
            return Err(bad("not a polycache snapshot (bad magic)"));
        }
        if bytes[8] != VERSION {
            return Err(bad(&format!("unsupported version {} (this build reads {VERSION})", bytes[8])));
        }
        let flags = bytes[9];
        if flags & !(FLAG_SIGNED | FLAG_FLOOR) != 0 {
            return Err(bad("unknown flags"));
        }
        let signed = flags & FLAG_SIGNED != 0;
        let body = if signed {
            if bytes.len() < 10 + MAC_LEN {
                return Err(bad("truncated: no room for the signature"));
            }
            &bytes[..bytes.len() - MAC_LEN]
        } else {
            bytes
        };
        let verified = match (signed, opts.key) {
            (true, Some(k)) => {
                let want = hmac_sha256(k, body);
                if !constant_time_eq(&want, &bytes[bytes.len() - MAC_LEN..]) {
                    return Err(bad("signature does not match the key (tampered, or signed with another key)"));
                }
                true
            }
            _ if opts.allow_unsigned => false,
            (true, None) => return Err(bad("snapshot is signed but no key was given to verify it")),
            (false, _) => return Err(bad("snapshot is not signed; pass allow_unsigned to load it anyway")),
        };
        let mut r = Reader { buf: body, pos: 10 };
        let created_at = r.u64()?;
        let generation_floor = if flags & FLAG_FLOOR != 0 { r.u64()? } else { 1 };
        if generation_floor < 2 && flags & FLAG_FLOOR != 0 {
            // A writer writes the floor only above 1: one way to write each snapshot.
            return Err(bad("a generation floor is present but below 2"));
        }
        let n_gens = r.u32()?;
        let mut generations = Vec::with_capacity(n_gens.min(r.remaining() / 12));
        for _ in 0..n_gens {
            let name = r.string()?;
            generations.push((name, r.u64()?));
        }
        let n_entries = r.u32()?;
        let mut entries = Vec::with_capacity(n_entries.min(r.remaining() / 17));
        for _ in 0..n_entries {
            let key = r.string()?;
            let at = r.u64()?;
            let codec = Codec::from_u8(r.u8()?);
            let value = r.bytes()?.to_vec();
            entries.push(SnapshotEntry { key, expires_at: (at != NEVER).then_some(at), codec, value });
        }
        if r.remaining() != 0 {
            return Err(bad("trailing bytes after the last entry"));
        }
        Ok(Loaded { snapshot: Snapshot { created_at, generation_floor, generations, entries }, verified })
    }
}

fn bad(msg: &str) -> Error {
    Error::Snapshot(msg.to_owned())
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).expect("snapshot parts are limited to 4 GiB");
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) {
    put_u32(out, b.len());
    out.extend_from_slice(b);
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if n > self.remaining() {
            return Err(bad(&format!("truncated at byte {}: needs {n} more, has {}", self.pos, self.remaining())));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }
    fn u32(&mut self) -> Result<usize> {
        Ok(u32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")) as usize)
    }
    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes")))
    }
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()?;
        self.take(n)
    }
    fn string(&mut self) -> Result<String> {
        let at = self.pos;
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| bad(&format!("invalid UTF-8 in a string at byte {at}")))
    }
}

/// HMAC-SHA256 (RFC 2104) of `msg` under `key`.
///
/// ```
/// // RFC 4231, test case 2.
/// let mac = polycache::snapshot::hmac_sha256(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(polycache::snapshot::hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
/// ```
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(msg);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
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

    const KEY: LoadOptions<'static> = LoadOptions { key: Some(b"k"), allow_unsigned: false };

    #[test]
    fn round_trips_signed_and_unsigned() {
        let s = sample();
        assert_eq!(Snapshot::decode(&s.encode(Some(b"k")), KEY).unwrap().snapshot, s);
        let unsigned = s.encode(None);
        assert!(Snapshot::decode(&unsigned, KEY).is_err());
        let loaded = Snapshot::decode(&unsigned, LoadOptions { key: None, allow_unsigned: true }).unwrap();
        assert!(!loaded.verified);
        assert_eq!(loaded.snapshot, s);
    }

    #[test]
    fn every_truncation_and_every_bit_flip_is_refused_when_signed() {
        let bytes = sample().encode(Some(b"k"));
        for n in 0..bytes.len() {
            assert!(Snapshot::decode(&bytes[..n], KEY).is_err(), "truncated to {n}");
        }
        for i in 0..bytes.len() {
            for bit in 0..8 {
                let mut b = bytes.clone();
                b[i] ^= 1 << bit;
                assert!(Snapshot::decode(&b, KEY).is_err(), "flip byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn a_floor_of_1_is_not_written_and_not_read() {
        let mut s = sample();
        s.generation_floor = 1;
        let bytes = s.encode(None);
        assert_eq!(bytes[9], 0, "no floor flag");
        let mut forged = bytes[..18].to_vec();
        forged[9] = FLAG_FLOOR;
        forged.extend_from_slice(&1u64.to_le_bytes());
        forged.extend_from_slice(&bytes[18..]);
        let e = Snapshot::decode(&forged, LoadOptions { key: None, allow_unsigned: true }).unwrap_err();
        assert!(e.to_string().contains("floor"), "{e}");
    }

    #[test]
    fn hostile_lengths_do_not_allocate_or_panic() {
        let mut b = Vec::from(&MAGIC[..]);
        b.push(VERSION);
        b.push(0);
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(&u32::MAX.to_le_bytes());
        let e = Snapshot::decode(&b, LoadOptions { key: None, allow_unsigned: true }).unwrap_err();
        assert!(e.to_string().contains("truncated"), "{e}");
    }

    #[test]
    fn unsigned_truncations_never_panic() {
        let bytes = sample().encode(None);
        let opts = LoadOptions { key: None, allow_unsigned: true };
        for n in 0..bytes.len() {
            assert!(Snapshot::decode(&bytes[..n], opts).is_err(), "truncated to {n}");
        }
    }

    #[test]
    fn hmac_rfc4231_case_1_and_long_key() {
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        // RFC 4231 test case 6: a 131-byte key is hashed first.
        assert_eq!(
            hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }
}
