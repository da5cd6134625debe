//! Checking and reading a snapshot that stays with its host, shown to the core one window
//! at a time. For wasm, whose memory never shrinks: the input is never copied in whole,
//! so loading a snapshot grows wasm memory by a window, not by the snapshot.
//!
//! The host feeds the body to [`Windows::mac_update`] and the tag to
//! [`Windows::mac_verify`], then walks the input twice with [`Windows::walk`]: once to
//! check every length and string, once (after [`Windows::rewind`]) to read the entries,
//! whose keys and values it then takes from its own copy by position.

use hmac::Mac;

use super::read::{entry_head, generation, in_order, Head, LoadOptions, Reader, BAD_SIGNATURE};
use super::sign::HmacSha256;
use super::{bad, Codec};
use crate::error::Result;

/// Where an entry's key and value are in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryAt {
    pub key: (usize, usize),
    pub expires_at: Option<u64>,
    pub codec: Codec,
    pub value: (usize, usize),
}

/// A snapshot read by windows; see the module documentation.
pub struct Windows {
    body_end: usize,
    created_at: u64,
    floor: u64,
    /// Where the generations start: after the floor, when there is one.
    gens_at: usize,
    mac: Option<HmacSha256>,
    fed: usize,
    verified: bool,
    pos: usize,
    gens_left: Option<usize>,
    entries_left: Option<usize>,
    generations: Vec<(String, u64)>,
    /// Set by `rewind`: the generations are already collected.
    again: bool,
}

impl Windows {
    /// `head`: the first [`HEAD_LEN`] bytes (or all of a shorter input); `total`: the input's length.
    pub fn open(head: &[u8], total: usize, opts: LoadOptions<'_>) -> Result<Windows> {
        let h = Head::read(head, total, opts)?;
        let mac = if h.signed { opts.key.map(|k| k.mac()) } else { None };
        Ok(Windows {
            body_end: h.body_end,
            created_at: h.created_at,
            floor: h.floor,
            gens_at: h.gens_at,
            verified: false,
            mac,
            fed: 0,
            pos: h.gens_at,
            gens_left: None,
            entries_left: None,
            generations: Vec::new(),
            again: false,
        })
    }

    /// The input's length without its signature: what `mac_update` must be given.
    pub fn body_end(&self) -> usize {
        self.body_end
    }

    pub fn created_at(&self) -> u64 {
        self.created_at
    }

    /// The generation of every namespace not listed (1 when the snapshot has no floor).
    pub fn generation_floor(&self) -> u64 {
        self.floor
    }

    /// True once the signature verified.
    pub fn verified(&self) -> bool {
        self.verified
    }

    /// The next bytes of the body, in order.
    pub fn mac_update(&mut self, chunk: &[u8]) {
        if let Some(mac) = &mut self.mac {
            mac.update(chunk);
        }
        self.fed += chunk.len();
    }

    /// Checks the signature (the input's last 32 bytes) against the body fed; a snapshot
    /// accepted unsigned has nothing to check.
    pub fn mac_verify(&mut self, tag: &[u8]) -> Result<()> {
        let Some(mac) = self.mac.take() else { return Ok(()) };
        if self.fed != self.body_end || mac.verify_slice(tag).is_err() {
            return Err(bad(BAD_SIGNATURE));
        }
        self.verified = true;
        Ok(())
    }

    /// Where the next window must start.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Starts the walk over (for the pass that reads the entries).
    pub fn rewind(&mut self) {
        (self.pos, self.gens_left, self.entries_left, self.again) = (self.gens_at, None, None, true);
    }

    /// The namespace generations, once the first walk passed them.
    pub fn generations(&self) -> &[(String, u64)] {
        &self.generations
    }

    /// Reads the complete items of `window` (the input from [`Windows::pos`], cut at
    /// [`Windows::body_end`] at the latest), giving each entry to `found`. `Ok(None)`
    /// when the snapshot is read through; `Ok(Some(n))`: call again with a window of at
    /// least `n` bytes (fewer only at the end of the body) from the new position.
    pub fn walk(&mut self, window: &[u8], mut found: impl FnMut(EntryAt)) -> Result<Option<usize>> {
        let base = self.pos;
        let window = &window[..window.len().min(self.body_end.saturating_sub(base))];
        let last = base + window.len() == self.body_end;
        let mut r = Reader { buf: window, pos: 0 };
        // Each item is parsed only when its bytes are all in the window; before the end
        // of the body, a short window asks for more instead of failing.
        let short = |r: &Reader<'_>, need: usize| !last && r.remaining() < need;
        loop {
            let gens_left = match self.gens_left {
                Some(n) => n,
                None if short(&r, 4) => return Ok(Some(4)),
                None => r.u32()?,
            };
            self.gens_left = Some(gens_left);
            if gens_left > 0 {
                let need = peek_u32(&r).saturating_add(12);
                if short(&r, need) {
                    break self.moved(base, &r, need);
                }
                let (name, g) = generation(&mut r)?;
                if !self.again {
                    in_order(self.generations.last().map(|(n, _)| n.as_str()), name)?;
                    self.generations.push((name.to_owned(), g));
                }
                self.gens_left = Some(gens_left - 1);
                continue;
            }
            let entries_left = match self.entries_left {
                Some(n) => n,
                None if short(&r, 4) => break self.moved(base, &r, 4),
                None => r.u32()?,
            };
            self.entries_left = Some(entries_left);
            if entries_left == 0 {
                if base + r.pos != self.body_end {
                    return Err(bad("trailing bytes after the last entry"));
                }
                self.pos = self.body_end;
                return Ok(None);
            }
            let key_len = peek_u32(&r);
            let need = key_len.saturating_add(17);
            if short(&r, need) {
                break self.moved(base, &r, need);
            }
            let key_at = base + r.pos + 4;
            let (_, expires_at, codec, len) = entry_head(&mut r)?;
            let value_at = base + r.pos;
            if len > self.body_end - value_at {
                return Err(bad(&format!("truncated at byte {value_at}: a value of {len} bytes runs past the end")));
            }
            found(EntryAt { key: (key_at, key_len), expires_at, codec, value: (value_at, len) });
            self.entries_left = Some(entries_left - 1);
            if len > r.remaining() {
                // The value runs past the window: skip it, and go on from after it.
                self.pos = value_at + len;
                return Ok(Some(0));
            }
            r.pos += len;
        }
    }

    fn moved(&mut self, base: usize, r: &Reader<'_>, need: usize) -> Result<Option<usize>> {
        self.pos = base + r.pos;
        Ok(Some(need))
    }
}

/// The `u32` at the reader's position, or 0 when fewer than 4 bytes remain.
fn peek_u32(r: &Reader<'_>) -> usize {
    r.buf.get(r.pos..r.pos + 4).map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

#[cfg(test)]
mod tests {
    use super::super::{Checked, MaxAge, Snapshot, SnapshotEntry, SnapshotKey, HEAD_LEN};
    use super::*;

    fn sample() -> Snapshot {
        let e = |k: &str, v: &[u8], at| SnapshotEntry { key: k.into(), expires_at: at, codec: Codec::Json, value: v.to_vec() };
        Snapshot {
            created_at: 5_000,
            generation_floor: 1,
            generations: vec![("books".into(), 3), ("ünï".into(), 2)],
            entries: vec![e("a", b"1", None), e("😀", &[b'7'; 300], Some(9_000)), e("", b"", None), e("long", &[b'x'; 5000], None)],
        }
    }

    /// Every entry position a walk in windows of `size` bytes finds, the generations and
    /// the floor, or its error.
    type Found = (Vec<EntryAt>, Vec<(String, u64)>, u64);

    #[test]
    fn generations_out_of_order_or_repeated_are_refused_in_windows_too() {
        let lax = LoadOptions { allow_unsigned: true, ..Default::default() };
        for size in [1, 7, 4096] {
            assert!(walk_all(&super::super::tests::listing(&["a", "b"]), lax, size).is_ok());
            for names in [["b", "a"], ["a", "a"]] {
                assert!(walk_all(&super::super::tests::listing(&names), lax, size).is_err(), "{names:?} in windows of {size}");
            }
        }
    }

    fn walk_all(bytes: &[u8], opts: LoadOptions<'_>, size: usize) -> Result<Found> {
        let mut w = Windows::open(&bytes[..bytes.len().min(HEAD_LEN)], bytes.len(), opts)?;
        for chunk in bytes[..w.body_end()].chunks(size) {
            w.mac_update(chunk);
        }
        let tag = bytes[w.body_end()..].to_vec();
        w.mac_verify(&tag)?;
        let mut out = Vec::new();
        for pass in 0..2 {
            if pass == 1 {
                w.rewind();
            }
            out.clear();
            let mut need = size;
            while let Some(n) = {
                let end = bytes.len().min(w.pos() + need.max(size));
                w.walk(&bytes[w.pos().min(end)..end], |e| out.push(e))?
            } {
                need = n;
            }
            assert!(pass == 0 || w.pos() == w.body_end());
        }
        Ok((out, w.generations().to_vec(), w.generation_floor()))
    }

    #[test]
    fn windows_of_any_size_find_what_the_whole_input_holds() {
        let key = SnapshotKey::new(b"the window test key").unwrap();
        for floor in [1, 9] {
            let snap = Snapshot { generation_floor: floor, ..sample() };
            let bytes = snap.encode(Some(&key)).unwrap();
            let opts = LoadOptions { key: Some(&key), ..Default::default() };
            let checked = Checked::check(&bytes, opts).unwrap();
            assert_eq!(checked.generation_floor, floor);
            let want: Vec<EntryAt> = checked
                .entries(&bytes)
                .map(|e| {
                    let at = |s: &[u8]| (s.as_ptr() as usize - bytes.as_ptr() as usize, s.len());
                    EntryAt { key: at(e.key.as_bytes()), expires_at: e.expires_at, codec: e.codec, value: at(e.value) }
                })
                .collect();
            for size in [1, 3, 17, 64, 300, 4096, 1 << 20] {
                let (got, gens, got_floor) = walk_all(&bytes, opts, size).unwrap();
                assert_eq!(got, want, "windows of {size}, floor {floor}");
                assert_eq!((gens, got_floor), (snap.generations.clone(), floor));
            }
        }
    }

    #[test]
    fn windows_refuse_what_the_whole_check_refuses() {
        let key = SnapshotKey::new(b"the window test key").unwrap();
        let opts = LoadOptions { key: Some(&key), ..Default::default() };
        let bytes = sample().encode(Some(&key)).unwrap();
        let unsigned = sample().encode(None).unwrap();
        let lax = LoadOptions { allow_unsigned: true, ..Default::default() };
        for size in [7, 1 << 20] {
            for n in (0..bytes.len()).step_by(13) {
                assert!(walk_all(&bytes[..n], opts, size).is_err(), "signed, truncated to {n}");
                if n < unsigned.len() {
                    assert!(walk_all(&unsigned[..n], lax, size).is_err(), "unsigned, truncated to {n}");
                }
            }
            for i in (0..bytes.len()).step_by(5) {
                let mut b = bytes.clone();
                b[i] ^= 0x10;
                assert!(walk_all(&b, opts, size).is_err(), "flip at {i}");
                let mut u = unsigned.clone();
                let j = i.min(u.len() - 1);
                u[j] ^= 0x10;
                assert_eq!(walk_all(&u, lax, size).is_ok(), Checked::check(&u, lax).is_ok(), "unsigned flip at {i}");
            }
            let mut trailing = unsigned.clone();
            trailing.push(0);
            assert!(walk_all(&trailing, lax, size).unwrap_err().to_string().contains("trailing"));
        }
        let old = LoadOptions { max_age: Some(MaxAge { now_ms: 5_000 + 61_000, max_age_ms: 60_000 }), ..opts };
        assert!(walk_all(&bytes, old, 64).unwrap_err().to_string().contains("ago"));
    }
}
