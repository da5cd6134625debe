//! Reading a snapshot without copying it: [`Checked::check`] verifies the signature and
//! the age and walks every length and every string once, allocating nothing; then
//! [`Checked::entries`] hands out borrowed entries one at a time. A loader converts and
//! stores them as it goes, so its working memory is the input plus what the cache holds,
//! never a second copy of every entry.

use hmac::Mac;

use super::sign::{SnapshotKey, MAC_LEN};
use super::{bad, Codec, FLAG_FLOOR, FLAG_SIGNED, MAGIC, NEVER, VERSION};
use crate::error::Result;

/// What a loader accepts.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions<'a> {
    /// The application's key: a signed snapshot must verify under it.
    pub key: Option<&'a SnapshotKey>,
    /// Accept a snapshot that is unsigned, or signed when no key is given. Its values
    /// are then unverified: pickles in it must never be unpickled.
    pub allow_unsigned: bool,
    /// Refuse a snapshot made too long ago (a replay of an old one).
    pub max_age: Option<MaxAge>,
}

/// How old a snapshot may be, against the loader's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxAge {
    /// The loader's time, Unix-epoch ms.
    pub now_ms: u64,
    /// The largest accepted distance between `now_ms` and the snapshot's `created_at`,
    /// in ms, in either direction (a snapshot dated further in the future than this
    /// comes from a clock too far off to judge its age).
    pub max_age_ms: u64,
}

/// A snapshot that passed every check, as positions in its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    /// Unix-epoch ms when the snapshot was made.
    pub created_at: u64,
    /// The generation of every namespace not listed (1 when the snapshot has no floor).
    pub generation_floor: u64,
    /// True when the signature was checked under the caller's key.
    pub verified: bool,
    body_end: usize,
    gens_at: usize,
    n_gens: usize,
    entries_at: usize,
    n_entries: usize,
}

/// One entry, borrowed from the snapshot's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryRef<'a> {
    pub key: &'a str,
    /// Unix-epoch ms; `None` never expires.
    pub expires_at: Option<u64>,
    pub codec: Codec,
    pub value: &'a [u8],
}

impl Checked {
    /// Checks `bytes` whole: magic, version, flags, signature (constant-time, under
    /// `opts.key`), age, every length against what remains, every string's UTF-8, and
    /// that nothing trails. Nothing is allocated, whatever the lengths claim.
    pub fn check(bytes: &[u8], opts: LoadOptions<'_>) -> Result<Checked> {
        let head = Head::read(bytes, bytes.len(), opts)?;
        let body_end = head.body_end;
        let verified = match opts.key {
            Some(k) if head.signed => {
                let mut mac = k.mac();
                mac.update(&bytes[..body_end]);
                if mac.verify_slice(&bytes[body_end..]).is_err() {
                    return Err(bad(BAD_SIGNATURE));
                }
                true
            }
            _ => false,
        };
        let mut r = Reader { buf: &bytes[..body_end], pos: head.gens_at };
        let (created_at, generation_floor) = (head.created_at, head.floor);
        let n_gens = r.u32()?;
        let gens_at = r.pos;
        let mut last = None;
        for _ in 0..n_gens {
            let (name, _) = generation(&mut r)?;
            in_order(last, name)?;
            last = Some(name);
        }
        let n_entries = r.u32()?;
        let entries_at = r.pos;
        for _ in 0..n_entries {
            entry(&mut r)?;
        }
        if r.remaining() != 0 {
            return Err(bad("trailing bytes after the last entry"));
        }
        Ok(Checked { created_at, generation_floor, verified, body_end, gens_at, n_gens, entries_at, n_entries })
    }

    /// How many entries the snapshot holds (repeated keys counted each time).
    pub fn entry_count(&self) -> usize {
        self.n_entries
    }

    /// The namespace generations of the `bytes` given to [`Checked::check`].
    pub fn generations<'b>(&self, bytes: &'b [u8]) -> impl Iterator<Item = (&'b str, u64)> + 'b {
        let mut r = Reader { buf: &bytes[..self.body_end.min(bytes.len())], pos: self.gens_at };
        (0..self.n_gens).map_while(move |_| generation(&mut r).ok())
    }

    fn cursor(&self) -> Cursor {
        Cursor { pos: self.entries_at, left: self.n_entries, end: self.body_end }
    }

    /// The entries of the `bytes` given to [`Checked::check`], least recently used first.
    pub fn entries<'b>(&self, bytes: &'b [u8]) -> impl ExactSizeIterator<Item = EntryRef<'b>> + 'b {
        Entries { bytes, cursor: self.cursor() }
    }
}

/// The most bytes before the generations: magic, version, flags, created_at and, with
/// flag bit 1, the floor.
pub const HEAD_LEN: usize = 26;
pub(super) const BAD_SIGNATURE: &str = "signature does not match the key (tampered, or signed with another key)";

/// What the first bytes say, checked against what the loader accepts: magic, version,
/// flags, room for the signature, whether a key or consent is there for it, and age.
pub(super) struct Head {
    pub signed: bool,
    /// Where the signature starts (the end of the input when unsigned).
    pub body_end: usize,
    pub created_at: u64,
    /// 1 when the snapshot has no floor.
    pub floor: u64,
    /// Where the generations start (after the floor, when there is one).
    pub gens_at: usize,
}

impl Head {
    /// `head`: the input's first bytes (all of it, or at least [`HEAD_LEN`]); `total`: its length.
    pub fn read(head: &[u8], total: usize, opts: LoadOptions<'_>) -> Result<Head> {
        if total < 10 || head.len() < 10 || &head[..8] != MAGIC {
            return Err(bad("not a polycache snapshot (bad magic)"));
        }
        if head[8] != VERSION {
            return Err(bad(&format!("unsupported version {} (this build reads {VERSION})", head[8])));
        }
        let flags = head[9];
        if flags & !(FLAG_SIGNED | FLAG_FLOOR) != 0 {
            return Err(bad("unknown flags"));
        }
        let signed = flags & FLAG_SIGNED != 0;
        if signed && total < 10 + MAC_LEN {
            return Err(bad("truncated: no room for the signature"));
        }
        let body_end = if signed { total - MAC_LEN } else { total };
        match (signed, opts.key) {
            (true, Some(_)) => {}
            _ if opts.allow_unsigned => {}
            (true, None) => return Err(bad("snapshot is signed but no key was given to verify it")),
            (false, _) => return Err(bad("snapshot is not signed; pass allow_unsigned to load it anyway")),
        }
        let mut r = Reader { buf: &head[..head.len().min(body_end)], pos: 10 };
        let created_at = r.u64()?;
        let floor = if flags & FLAG_FLOOR != 0 { r.u64()? } else { 1 };
        if floor < 2 && flags & FLAG_FLOOR != 0 {
            // A writer writes the floor only above 1: one way to write each snapshot.
            return Err(bad("a generation floor is present but below 2"));
        }
        if let Some(limit) = opts.max_age {
            check_age(created_at, limit)?;
        }
        Ok(Head { signed, body_end, created_at, floor, gens_at: r.pos })
    }
}

fn check_age(created_at: u64, limit: MaxAge) -> Result<()> {
    let MaxAge { now_ms, max_age_ms } = limit;
    if now_ms > created_at && now_ms - created_at > max_age_ms {
        return Err(bad(&format!(
            "made {} ms ago, more than the {max_age_ms} ms allowed (max_age): too old to trust, or replayed",
            now_ms - created_at
        )));
    }
    if created_at > now_ms && created_at - now_ms > max_age_ms {
        return Err(bad(&format!(
            "dated {} ms in the future, more than the {max_age_ms} ms allowed (max_age): the clocks disagree too much to judge its age",
            created_at - now_ms
        )));
    }
    Ok(())
}

/// Where the next entry starts, and how many are left.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    pos: usize,
    left: usize,
    end: usize,
}

impl Cursor {
    /// The next entry of `bytes` (the ones that were checked), or `None` at the end.
    fn next<'b>(&mut self, bytes: &'b [u8]) -> Option<EntryRef<'b>> {
        if self.left == 0 {
            return None;
        }
        let mut r = Reader { buf: bytes.get(..self.end)?, pos: self.pos };
        let e = entry(&mut r).ok()?;
        self.pos = r.pos;
        self.left -= 1;
        Some(e)
    }
}

struct Entries<'b> {
    bytes: &'b [u8],
    cursor: Cursor,
}

impl<'b> Iterator for Entries<'b> {
    type Item = EntryRef<'b>;
    fn next(&mut self) -> Option<EntryRef<'b>> {
        self.cursor.next(self.bytes)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.cursor.left, Some(self.cursor.left))
    }
}

impl ExactSizeIterator for Entries<'_> {}

/// Generations are written sorted by name (UTF-8 bytes), each name once: a reader refuses
/// any other order, so every snapshot that loads has one encoding.
pub(super) fn in_order(last: Option<&str>, name: &str) -> Result<()> {
    match last {
        Some(prev) if prev.as_bytes() >= name.as_bytes() => Err(bad("namespace generations out of order or repeated")),
        _ => Ok(()),
    }
}

pub(super) fn generation<'a>(r: &mut Reader<'a>) -> Result<(&'a str, u64)> {
    let name = r.string()?;
    Ok((name, r.u64()?))
}

fn entry<'a>(r: &mut Reader<'a>) -> Result<EntryRef<'a>> {
    let (key, expires_at, codec, len) = entry_head(r)?;
    let value = r.take(len)?;
    Ok(EntryRef { key, expires_at, codec, value })
}

/// An entry up to its value: key, expiry, codec and the value's length.
pub(super) fn entry_head<'a>(r: &mut Reader<'a>) -> Result<(&'a str, Option<u64>, Codec, usize)> {
    let key = r.string()?;
    let at = r.u64()?;
    let codec = Codec::from_u8(r.u8()?);
    Ok((key, (at != NEVER).then_some(at), codec, r.u32()?))
}

pub(super) struct Reader<'a> {
    pub buf: &'a [u8],
    pub pos: usize,
}

impl<'a> Reader<'a> {
    pub fn remaining(&self) -> usize {
        self.buf.len().saturating_sub(self.pos)
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
    pub fn u32(&mut self) -> Result<usize> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }
    fn u64(&mut self) -> Result<u64> {
        let mut n = [0u8; 8];
        n.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(n))
    }
    fn bytes(&mut self) -> Result<&'a [u8]> {
        let n = self.u32()?;
        self.take(n)
    }
    fn string(&mut self) -> Result<&'a str> {
        let at = self.pos;
        let b = self.bytes()?;
        std::str::from_utf8(b).map_err(|_| bad(&format!("invalid UTF-8 in a string at byte {at}")))
    }
}
