//! Writes by a host whose store keys and values are slots it numbers itself and whose
//! real values it keeps (the JS binding): the store's decisions and counters of a
//! `set`, without handing values back and forth.

use super::*;

impl<K: Hash + Eq + Ord + Clone, V, S: Indexing<K>> Store<K, V, S> {
    /// A store with no byte bound whose victim is the least recently used: the LRU policy
    /// alone when `lru_only`, else the LRU family (LRU or cull, not adaptive). The stores
    /// where a host's write may skip `set`'s general path.
    #[inline]
    fn unsized_recency(&self, lru_only: bool) -> bool {
        let family = if lru_only {
            matches!(self.config.eviction, Eviction::Lru)
        } else {
            self.config.eviction != Eviction::Adaptive
        };
        family && self.config.max_bytes.is_none()
    }

    /// Where a dense LRU's links are, for a host that reads its order in place (the JS
    /// `LRUCache` finds its victims there): [`crate::Recency::links`]. None for
    /// other policies and keys.
    pub fn recency_links(&self) -> Option<(*const u32, usize)> {
        self.map.links()
    }

    /// Where those links stay: [`crate::Recency::links_stay`].
    pub fn recency_links_stay(&self) -> Option<(usize, usize)> {
        self.map.links_stay()
    }

    /// Where the sum of the held entries' charges is ([`Store::bytes`], a u64), for a host
    /// that reads it in place between calls (the JS `LRUCache` queues a sized write where
    /// it sees room for it). It holds for as long as the store is not moved.
    pub fn bytes_ptr(&self) -> *const u64 {
        &self.bytes
    }

    /// A write of a held `key` that keeps its value, charge and expiry: counted as a
    /// set, and the entry is used as a write uses it (LRU: the most recently used).
    /// Only for an entry that never expires: false, and nothing done, for any other.
    pub fn rewrite<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        // No expiry record: every held entry never expires (see `recycle_lru`), and
        // the entry need not be read (a dense LRU finds it held by its link alone).
        if !self.expiries.is_empty() && !matches!(self.map.peek(key), Some(e) if e.expires_at == NEVER) {
            return false;
        }
        if !self.map.rewrite(key) {
            return false;
        }
        self.next_fingerprint = None;
        self.stats.sets += 1;
        true
    }

    /// `set` of a key into an LRU-family store below its bounds (the count, and the byte
    /// bound with room for `charge` besides what the store holds): a host's write of a
    /// new key, mostly. The same order, counters, reclamation, bytes and expiry, with the
    /// entry made where the policy stores it. Made in `set` and handed
    /// on, it goes through wasm's stack in copies whose loads miss the CPU's store
    /// forwarding (a replayed insert 16.7 -> 10 ns, a timed write 31 -> 29 ns,
    /// docs/js-speed-history.md, session 9). False, and nothing done, in any other store, or
    /// for an expiry already past (`set` then decides).
    #[inline]
    pub fn insert_below_bound(&mut self, key: K, value: V, charge: usize, expiry: Expiry, now: u64) -> bool {
        let expires_at = encode_expiry(expiry);
        // Room for `charge` on top of every held entry's (a held `key`'s old charge, which
        // leaves, counted too): nothing is evicted for the bytes.
        let family = self.config.eviction != Eviction::Adaptive;
        if !family || expires_at <= now || self.map.len() >= self.config.max_entries || self.over_bytes(charge) {
            return false;
        }
        self.next_fingerprint = None;
        self.stats.sets += 1;
        // Expired entries go first, as in `set` (none without an expiry record).
        if !self.expiries.is_empty() {
            self.purge_expired_at_most(now, PURGE_PER_WRITE);
        }
        self.bytes += charge as u64;
        let seq = self.next_seq(expires_at);
        let probe = (expires_at != NEVER).then(|| key.clone());
        // Below the bound, what the push hands back can only be `key`'s old entry.
        if let Some((k, old)) = self.map.push_with(key, || Entry { value, expires_at, seq, charge }, None) {
            self.forget(k, old);
        }
        if let Some(k) = probe {
            self.index_expiry(expires_at, seq, k);
        }
        true
    }

    /// The earliest time the expiry index names (its stale records included), `u64::MAX`
    /// when it is empty: no entry expires before it, so a write at an earlier `now`
    /// reclaims nothing. A host that queues writes to replay later (the JS `Cache`'s
    /// timed rewrites) queues only those.
    #[inline]
    pub fn expiry_floor(&self) -> u64 {
        self.expiries.peek().map_or(NEVER, |Reverse((at, _, _))| *at)
    }

    /// `insert_below_bound` of an entry that never expires and is charged nothing, in a
    /// store with no expiry record (a host's queued write of a new key): nothing to
    /// reclaim or index, so the push and the count alone (10 -> 8 ns a replayed insert).
    #[inline]
    pub fn insert_unexpiring_below_bound(&mut self, key: K, value: V) -> bool {
        if !self.unsized_recency(false) || !self.expiries.is_empty() || self.map.len() >= self.config.max_entries {
            return false;
        }
        self.next_fingerprint = None;
        self.stats.sets += 1;
        if let Some((k, old)) = self.map.push_with(key, || Entry { value, expires_at: NEVER, seq: 0, charge: 0 }, None) {
            self.forget(k, old);
        }
        true
    }

    /// `insert_below_bound` of the run `nth(0)`, `nth(1)`, ... (None past its end), each
    /// `(key, value, charge)` never expiring, while its key is new (a host's queued new
    /// keys), in a store with no expiry record: how many it stored, from the first. The
    /// checks made once for the run, and each charge's against the byte bound. The rest
    /// (from a held key, a key past a dense policy's arrays, or a bound on) are the
    /// caller's to write; all of them in a store where the single write would refuse.
    pub fn insert_all_below_bound(&mut self, mut nth: impl FnMut(usize) -> Option<(K, V, usize)>) -> usize {
        if self.config.eviction == Eviction::Adaptive || !self.expiries.is_empty() {
            return 0;
        }
        let Store { map, config, bytes, .. } = self;
        let room = config.max_entries.saturating_sub(map.len());
        let max_bytes = config.max_bytes.map_or(u64::MAX, |max| max as u64);
        // The bytes of the entries pushed so far; `nth(n)` is asked once `n - 1` is in.
        let (mut held, mut last, mut handed) = (*bytes, 0, 0);
        let stored = map.push_new(|n| {
            held += last;
            last = 0;
            if n >= room {
                return None;
            }
            let (key, value, charge) = nth(n)?;
            if held + charge as u64 > max_bytes {
                return None;
            }
            (last, handed) = (charge as u64, n + 1);
            Some((key, Entry { value, expires_at: NEVER, seq: 0, charge }))
        });
        // (The last one handed over may have been refused: a held key.)
        *bytes = held + if stored == handed { last } else { 0 };
        if stored > 0 {
            self.next_fingerprint = None;
            self.stats.sets += stored as u64;
        }
        stored
    }

    /// A read of `key` by a host that has checked, at its own time, that the entry is
    /// live: its recency (and the adaptive policy's counts) and the hit counter, as
    /// `get_with` at that time; a miss when it is not held. The entry itself is not read
    /// (a dense LRU knows a held key by its link), so replaying many such reads leaves
    /// the entries out of the CPU's cache.
    #[inline]
    pub fn read_held<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        let held = self.map.touch(key);
        if held {
            self.stats.hits += 1;
        } else {
            self.stats.misses += 1;
        }
        held
    }

    /// `read_held` of each of `keys` in turn (a run of a host's hits): the policy and
    /// the counters are read and written once for the run, not once a key. Where
    /// entries may expire, each entry is read with its hit: a timed write reads its
    /// entry next (the JS `Cache`'s update with a ttl), and one read with the hit is in
    /// the CPU's cache for it (without, timed updates after a run of gets read 10-25%
    /// slower, docs/js-speed-history.md, session 8).
    #[inline]
    pub fn read_held_all(&mut self, keys: impl ExactSizeIterator<Item = K>) {
        let n = keys.len() as u64;
        let held = self.map.touch_all(keys, !self.expiries.is_empty()) as u64;
        self.stats.hits += held;
        self.stats.misses += n - held;
    }

    /// `n` of the reads a host's run just counted as hits ([`Store::read_held_all`]) were
    /// [`Store::recycle_lru`]s it made without a call, reading each victim from the
    /// order's links ([`Store::recency_links`]) as the least recently used at its turn, in
    /// a store where `recycle_lru` answers (the host checks the same) and queuing it as a
    /// hit of that key (the same move: a run of them from the tail rotates a dense list):
    /// counted as what they were, a set and an eviction each.
    pub fn count_recycles(&mut self, n: u64) {
        debug_assert!(n <= self.stats.hits && self.unsized_recency(true) && self.expiries.is_empty() && self.bytes == 0);
        // (Saturating: a host that miscounted gets wrong counters, never a trap.)
        self.stats.hits = self.stats.hits.saturating_sub(n);
        self.stats.sets += n;
        self.stats.evictions += n;
    }

    /// A write of a new key into a full LRU store where nothing expires and nothing is
    /// charged, made in the place of the entry it evicts: that entry (the least
    /// recently used) becomes the most recently used and stands for the new one, its key
    /// and value kept, counted as a set and an eviction: the order and counters of
    /// `set` with a new key that never expires, charged 0. The key, for the host to give
    /// the new entry; None, and nothing done, in any other store.
    pub fn recycle_lru(&mut self) -> Option<K> {
        // No expiry record means no entry has ever been given an expiry it still has
        // (records leave the index only with their entry, or as stale ones), and no
        // bytes means every charge is 0: the victim is what `set` would evict.
        if !self.unsized_recency(true) || !self.expiries.is_empty() || self.bytes != 0 || self.map.len() < self.config.max_entries {
            return None;
        }
        let key = self.map.recycle_last()?;
        self.next_fingerprint = None;
        self.stats.sets += 1;
        self.stats.evictions += 1;
        Some(key)
    }

    /// A write of a held, live `key` by a host that keeps its values: the same value and
    /// `charge`, a new `expiry` still ahead of `now`. The order, counters and reclamation
    /// of `set` (the entry becomes the most recently used; up to `PURGE_PER_WRITE`
    /// expired entries go; the adaptive policy counts a read and takes it as the newest
    /// write) without taking the entry out and putting it back. False, and nothing done,
    /// in any other case.
    pub fn retime<Q>(&mut self, key: &Q, charge: usize, expiry: Expiry, now: u64) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        let expires_at = encode_expiry(expiry);
        // (The same charge: under a byte bound, nothing is evicted for it.)
        if expires_at <= now {
            return false;
        }
        if !matches!(self.map.peek(key), Some(e) if e.expires_at > now && e.charge == charge) {
            return false;
        }
        self.next_fingerprint = None;
        self.stats.sets += 1;
        // The key is live, so this leaves it.
        self.purge_expired_at_most(now, PURGE_PER_WRITE);
        let seq = self.next_seq(expires_at);
        let (k, e) = self.map.rewrite_mut(key).expect("live: peeked above");
        e.expires_at = expires_at;
        e.seq = seq;
        if expires_at != NEVER {
            let k = k.clone();
            self.index_expiry(expires_at, seq, k);
        }
        true
    }

    /// `recycle_lru` in a store where entries may expire: a write of a new key that
    /// expires at `expiry`, into a full LRU store where nothing is charged and no entry
    /// has expired at `now`, made in the place of the entry it evicts (the least
    /// recently used, which then has that expiry): the order, counters and expiry of
    /// `set`. The key, for the host to give the new entry; None, and nothing done, in any
    /// other case (some entry expired, say: `set` then reclaims it instead).
    pub fn recycle_lru_until(&mut self, expiry: Expiry, now: u64) -> Option<K> {
        let expires_at = encode_expiry(expiry);
        let lru_only = self.unsized_recency(true) && self.bytes == 0;
        if !lru_only || expires_at <= now || self.map.len() < self.config.max_entries {
            return None;
        }
        // The earliest record is at or before every live entry's expiry: none has expired.
        if matches!(self.expiries.peek(), Some(Reverse((at, _, _))) if *at <= now) {
            return None;
        }
        let key = self.map.recycle_last()?;
        let seq = self.next_seq(expires_at);
        let e = self.map.get(&key)?;
        e.expires_at = expires_at;
        e.seq = seq;
        self.next_fingerprint = None;
        self.stats.sets += 1;
        self.stats.evictions += 1;
        if expires_at != NEVER {
            self.index_expiry(expires_at, seq, key.clone());
        }
        Some(key)
    }

    /// Whether `set` of a new key charged `charge` evicts at least the least recently
    /// used entry (entries that expired aside): the store holds some and is full by its
    /// count or has no room for `charge` in its bytes. A host that picks the slot of a
    /// new key asks it to choose between its own and `recycle_lru_charged`'s.
    pub fn evicts_for(&self, charge: usize) -> bool {
        self.map.len() > 0 && (self.map.len() >= self.config.max_entries || self.over_bytes(charge))
    }

    /// `recycle_lru` where entries are charged: a write of a new key that never expires,
    /// charged `charge`, into an LRU store where no entry expires (no expiry record),
    /// full by its count or with no room for `charge` in its bytes (so `set` would evict
    /// at least that entry), made in the place of the least recently used entry, which becomes
    /// the most recently used with that charge; then the least recently used entries
    /// leave until the byte bound holds. The order, counters, bytes and freed values of
    /// `set`, which pushes first and evicts after, never reaching the new entry (it fits
    /// alone); the recycled entry's value is the one `set` frees first, and is not freed
    /// here. The key, for the host to give the new entry; None, and nothing done, in any
    /// other store, or for a charge past the byte bound (`set` refuses it).
    pub fn recycle_lru_charged(&mut self, charge: usize) -> Option<K> {
        let fits = self.config.max_bytes.is_none_or(|max| charge <= max);
        let lru = matches!(self.config.eviction, Eviction::Lru) && self.expiries.is_empty();
        if !lru || !fits || !self.evicts_for(charge) {
            return None;
        }
        let key = self.map.recycle_last()?;
        let e = self.map.get(&key)?;
        let old = std::mem::replace(&mut e.charge, charge);
        self.bytes = self.bytes - old as u64 + charge as u64;
        self.next_fingerprint = None;
        self.stats.sets += 1;
        self.stats.evictions += 1;
        if self.over_bytes(0) {
            self.evict_over_bytes();
        }
        Some(key)
    }
}
