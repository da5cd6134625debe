//! Writing a snapshot entry by entry, straight into the output: a dump holds the output
//! and one value at a time, never every value twice. A host whose memory never shrinks
//! (wasm) can also [`SnapshotWriter::take`] what is written so far, so its own buffer
//! stays small however large the snapshot.

use hmac::Mac;

use super::sign::{HmacSha256, SnapshotKey};
use super::{bad, Codec, FLAG_FLOOR, FLAG_SIGNED, MAGIC, NEVER, VERSION};
use crate::error::Result;

/// Encodes one snapshot; see the layout in [`crate::snapshot`].
///
/// ```
/// use polycache::snapshot::{Codec, LoadOptions, Snapshot, SnapshotKey, SnapshotWriter};
/// let key = SnapshotKey::new(b"sixteen+ byte key").unwrap();
/// let mut w = SnapshotWriter::new(7, 1, [("books", 2)], 1, Some(&key), 0).unwrap();
/// w.entry("k", None, Codec::Json, b"[1,2]").unwrap();
/// let bytes = w.finish().unwrap();
/// let loaded = Snapshot::decode(&bytes, LoadOptions { key: Some(&key), ..Default::default() }).unwrap();
/// assert_eq!((loaded.snapshot.created_at, loaded.snapshot.entries.len()), (7, 1));
/// ```
pub struct SnapshotWriter {
    out: Vec<u8>,
    mac: Option<HmacSha256>,
    declared: usize,
    written: usize,
}

impl SnapshotWriter {
    /// Writes the header and the generations (sorted by name, as the format asks) of a
    /// snapshot that will hold exactly `n_entries` entries, signed when `key` is given.
    /// `generation_floor`: the generation of every namespace not listed; written (with
    /// flag bit 1) only above 1, so a store that never forgot a namespace writes what
    /// older versions wrote.
    /// `capacity` pre-sizes the output (the caller's estimate of the whole snapshot).
    pub fn new<S: AsRef<str>>(
        created_at: u64,
        generation_floor: u64,
        generations: impl IntoIterator<Item = (S, u64)>,
        n_entries: usize,
        key: Option<&SnapshotKey>,
        capacity: usize,
    ) -> Result<SnapshotWriter> {
        let mut gens: Vec<(S, u64)> = generations.into_iter().collect();
        gens.sort_unstable_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        if let Some(w) = gens.windows(2).find(|w| w[0].0.as_ref() == w[1].0.as_ref()) {
            return Err(bad(&format!("the namespace {:?} is listed twice", w[0].0.as_ref())));
        }
        let mut out = Vec::with_capacity(capacity.max(64));
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        let floor = generation_floor > 1;
        out.push(if key.is_some() { FLAG_SIGNED } else { 0 } | if floor { FLAG_FLOOR } else { 0 });
        out.extend_from_slice(&created_at.to_le_bytes());
        if floor {
            out.extend_from_slice(&generation_floor.to_le_bytes());
        }
        put_u32(&mut out, gens.len(), "namespaces")?;
        for (name, generation) in &gens {
            put_bytes(&mut out, name.as_ref().as_bytes(), "a namespace name")?;
            out.extend_from_slice(&generation.to_le_bytes());
        }
        put_u32(&mut out, n_entries, "entries")?;
        Ok(SnapshotWriter { out, mac: key.map(SnapshotKey::mac), declared: n_entries, written: 0 })
    }

    /// Appends one entry (least recently used first).
    pub fn entry(&mut self, key: &str, expires_at: Option<u64>, codec: Codec, value: &[u8]) -> Result<()> {
        if self.written == self.declared {
            return Err(bad(&format!("more entries than the {} declared", self.declared)));
        }
        let start = self.out.len();
        let wrote = put_bytes(&mut self.out, key.as_bytes(), "a key").and_then(|()| {
            self.out.extend_from_slice(&expires_at.unwrap_or(NEVER).to_le_bytes());
            self.out.push(codec.to_u8());
            put_bytes(&mut self.out, value, "a value")
        });
        if wrote.is_err() {
            self.out.truncate(start);
        }
        wrote?;
        self.written += 1;
        Ok(())
    }

    /// Bytes written and not yet taken.
    pub fn pending(&self) -> usize {
        self.out.len()
    }

    /// Hands over the bytes written so far (the start of the snapshot, in order).
    pub fn take(&mut self) -> Vec<u8> {
        let chunk = std::mem::take(&mut self.out);
        if let Some(mac) = &mut self.mac {
            mac.update(&chunk);
        }
        chunk
    }

    /// The rest of the snapshot, with its signature when signed; an error unless
    /// exactly the declared number of entries was written.
    pub fn finish(mut self) -> Result<Vec<u8>> {
        if self.written != self.declared {
            return Err(bad(&format!("{} entries written, {} declared", self.written, self.declared)));
        }
        if let Some(mut mac) = self.mac.take() {
            mac.update(&self.out);
            self.out.extend_from_slice(&mac.finalize().into_bytes());
        }
        Ok(self.out)
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize, what: &str) -> Result<()> {
    let n = u32::try_from(n).map_err(|_| bad(&format!("{what}: {n} is more than a snapshot can hold (4 GiB - 1)")))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

fn put_bytes(out: &mut Vec<u8>, b: &[u8], what: &str) -> Result<()> {
    put_u32(out, b.len(), what)?;
    out.extend_from_slice(b);
    Ok(())
}
