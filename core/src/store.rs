//! The bounded store: entries with expiries, an entry bound, a byte bound, namespace
//! generations and counters. Which entry leaves when a bound is hit is the policy's
//! call ([`crate::policy`]): LRU, Django's batch cull, or the adaptive policy.
//!
//! `Store` is single-threaded and takes the time as an argument on every call, so any
//! host can drive it (a `Mutex` for native hosts is in [`crate::Cache`]; the wasm binding
//! passes `Date.now()`). Keys are generic: strings for Python and Rust, integer slots for
//! the JS binding, which keeps strings on its own side of the boundary.

use std::borrow::Borrow;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::hash::{BuildHasher, Hash};

use crate::error::{Error, Result};
use crate::generations::Generations;
use crate::hasher::{random_seeds, seeded_hasher, KeyHasher};
use crate::policy::{cull, Adaptive, Lru, Policy};
use crate::snapshot::{Codec, Snapshot, SnapshotEntry};
use crate::stats::Stats;
use crate::ttl::Expiry;

/// How a full store makes room.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Eviction {
    /// Evict the least recently used entry, one at a time.
    Lru,
    /// Django's batch cull: when a new key arrives and the store holds `max_entries`,
    /// drop the `len / frequency` least recently used entries (at least one), or every
    /// entry when `frequency` is 0. Expired entries are purged before culling.
    Cull { frequency: usize },
    /// Scan-resistant and frequency-aware (W-TinyLFU with a ghost-sized window; see
    /// `core/src/policy/adaptive.rs`): a one-off scan does not flush the hot set, and a
    /// loop larger than the cache still hits. Deterministic on every host.
    Adaptive,
}

/// Bounds and eviction policy of a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// Most entries held at once (at least 1).
    pub max_entries: usize,
    /// Most bytes charged at once, if bounded (at least 1).
    pub max_bytes: Option<usize>,
    pub eviction: Eviction,
}

impl Config {
    /// An LRU store of at most `max_entries` entries.
    pub fn lru(max_entries: usize) -> Self {
        Config { max_entries, max_bytes: None, eviction: Eviction::Lru }
    }

    /// A store that culls as Django's LocMemCache does.
    pub fn django(max_entries: usize, cull_frequency: usize) -> Self {
        Config { max_entries, max_bytes: None, eviction: Eviction::Cull { frequency: cull_frequency } }
    }

    /// Rejects bounds that would let the store misbehave.
    pub fn validate(&self) -> Result<()> {
        if self.max_entries == 0 {
            return Err(Error::InvalidConfig("max_entries must be at least 1".into()));
        }
        if self.max_bytes == Some(0) {
            return Err(Error::InvalidConfig("max_bytes must be at least 1".into()));
        }
        Ok(())
    }
}

/// Values that `incr`/`decr` can work on.
pub trait Counter: Sized {
    /// The integer this value holds, if it is one.
    fn as_counter(&self) -> Option<i64>;
    /// A value holding `n`.
    fn from_counter(n: i64) -> Self;
}

impl Counter for i64 {
    fn as_counter(&self) -> Option<i64> {
        Some(*self)
    }
    fn from_counter(n: i64) -> Self {
        n
    }
}

const NEVER: u64 = u64::MAX;

/// Stale expiry records tolerated beyond twice the entries before the index is compacted.
const COMPACT_SLACK: usize = 64;

/// Expired entries reclaimed per write, so reclamation never becomes a full scan.
const PURGE_PER_WRITE: usize = 4;

#[derive(Debug, Clone)]
struct Entry<V> {
    value: V,
    /// Unix-epoch ms, or `NEVER`.
    expires_at: u64,
    /// When the expiry was set (a counter): breaks ties between equal expiries in the
    /// expiry index without comparing keys.
    seq: u64,
    charge: usize,
}

/// The policy `eviction` asks for, holding at most `max_entries`.
fn policy_for<K: Hash + Eq, V, S: BuildHasher>(config: &Config, hasher: S) -> Policy<K, Entry<V>, S> {
    match config.eviction {
        Eviction::Adaptive => Policy::Adaptive(Adaptive::new(config.max_entries, hasher)),
        Eviction::Lru | Eviction::Cull { .. } => Policy::Lru(Lru::new(config.max_entries, hasher)),
    }
}

fn encode_expiry(e: Expiry) -> u64 {
    match e {
        Expiry::Never => NEVER,
        Expiry::At(at) => at.min(NEVER - 1),
    }
}

fn decode_expiry(at: u64) -> Expiry {
    if at == NEVER {
        Expiry::Never
    } else {
        Expiry::At(at)
    }
}

/// A bounded LRU store of `K -> V` with expiries. See the module docs.
///
/// ```
/// use polycache::{Config, Expiry, Store};
/// let mut store: Store<String, &str> = Store::new(Config::lru(2)).unwrap();
/// let now = 1_000;
/// store.set("a".into(), "A", 1, Expiry::Never, now).unwrap();
/// store.set("b".into(), "B", 1, Expiry::At(now + 500), now).unwrap();
/// assert_eq!(store.get("a", now), Some("A")); // "a" is now most recently used
/// store.set("c".into(), "C", 1, Expiry::Never, now).unwrap(); // evicts "b"
/// assert_eq!(store.keys(now), vec!["c".to_string(), "a".to_string()]);
/// assert_eq!(store.stats().evictions, 1);
/// assert!(store.touch("a", Expiry::At(now + 10), now));
/// assert_eq!(store.get("a", now + 10), None); // expired
/// ```
///
/// `S` hashes the keys. The default is keyed with random seeds, for keys an attacker
/// may choose; a host whose keys are numbers it allocates itself (the JS binding's slots)
/// can pass a cheaper one with [`Store::with_hasher`].
pub struct Store<K: Hash + Eq + Ord + Clone, V, S = KeyHasher> {
    map: Policy<K, Entry<V>, S>,
    /// A copy of the policy's hasher, for a policy that replaces it (`set_config`).
    hasher: S,
    /// Entries that can expire, as a min-heap of (expiry, seq, key): lets expired entries
    /// be reclaimed oldest-first without scanning the map. Records are never removed
    /// when an entry is rewritten, touched or dropped; a record whose (expiry, seq) no
    /// longer matches its entry is stale and skipped, and the heap is compacted when
    /// stale records outnumber live ones. A push is cheap; a tree would allocate a node
    /// and rebalance on every timed write.
    expiries: BinaryHeap<Reverse<(u64, u64, K)>>,
    next_seq: u64,
    generations: Generations,
    config: Config,
    /// u64: on wasm32 a `usize` sum of charges could wrap.
    bytes: u64,
    stats: Stats,
    /// What the next write of a new key is known by in the adaptive policy's history,
    /// when the host's store keys stand in for its real keys ([`Store::next_key_fingerprint`]).
    next_fingerprint: Option<u64>,
    /// Values removed under the caller's lock; the caller drops them after unlocking,
    /// so no host destructor ever runs while the store is locked.
    dead: Vec<V>,
}

impl<K: Hash + Eq + Ord + Clone, V> Store<K, V> {
    /// A store with randomly seeded hashing.
    pub fn new(config: Config) -> Result<Self> {
        Self::with_seeds(config, random_seeds())
    }

    /// A store whose hasher is seeded with `seeds` (for hosts that bring their own
    /// randomness).
    pub fn with_seeds(config: Config, seeds: [u64; 4]) -> Result<Self> {
        Self::with_hasher(config, seeded_hasher(seeds), seeds)
    }
}

impl<K: Hash + Eq + Ord + Clone, V, S: BuildHasher + Clone> Store<K, V, S> {
    /// A store whose keys are hashed by `hasher`; namespace names are still hashed with
    /// the keyed hasher seeded by `seeds`.
    pub fn with_hasher(config: Config, hasher: S, seeds: [u64; 4]) -> Result<Self> {
        config.validate()?;
        Ok(Store {
            map: policy_for(&config, hasher.clone()),
            hasher,
            next_fingerprint: None,
            expiries: BinaryHeap::new(),
            next_seq: 0,
            generations: Generations::new(seeded_hasher(seeds), config.max_entries, config.max_bytes.map(|b| b as u64)),
            config,
            bytes: 0,
            stats: Stats::default(),
            dead: Vec::new(),
        })
    }

    pub fn config(&self) -> Config {
        self.config
    }

    /// Changes the bounds or the policy. A store that is now over a bound evicts at once
    /// (the policy's victims first). A change between the LRU family (LRU, cull) and the
    /// adaptive policy moves the entries over in their current order.
    pub fn set_config(&mut self, config: Config) -> Result<()> {
        config.validate()?;
        let adaptive = |c: &Config| c.eviction == Eviction::Adaptive;
        if adaptive(&config) != adaptive(&self.config) {
            let mut next = policy_for(&config, self.hasher.clone());
            let mut moved: Vec<(K, Entry<V>)> = Vec::with_capacity(self.map.len());
            while let Some(kv) = self.map.pop_victim() {
                moved.push(kv);
            }
            // Victims came out first: the most valued go in last, as the most recent.
            next.resize(moved.len().max(config.max_entries));
            for (k, e) in moved {
                next.push(k, e, None);
            }
            self.map = next;
        }
        self.config = config;
        self.generations.set_bounds(config.max_entries, config.max_bytes.map(|b| b as u64));
        while self.map.len() > config.max_entries || self.over_bytes(0) {
            if !self.evict_one() {
                break;
            }
        }
        self.map.resize(config.max_entries);
        Ok(())
    }

    /// Entries held (expired ones not yet reclaimed included).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.len() == 0
    }

    /// Bytes charged now.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    pub fn stats(&self) -> Stats {
        Stats { entries: self.map.len() as u64, bytes: self.bytes, namespaces: self.generations.len() as u64, ..self.stats }
    }

    /// Values removed since the last call, for the caller to drop outside its lock.
    pub fn take_dead(&mut self) -> Vec<V> {
        std::mem::take(&mut self.dead)
    }

    /// Like [`Store::take_dead`], but the buffer keeps its memory: a host that collects
    /// after every operation (the JS binding) allocates nothing for it.
    pub fn drain_dead(&mut self) -> std::vec::Drain<'_, V> {
        self.dead.drain(..)
    }

    /// Reads `key` as a use (it becomes most recently used), applying `f` to the value.
    /// Expired entries are reclaimed and read as missing.
    #[inline]
    pub fn get_with<Q, R>(&mut self, key: &Q, now: u64, f: impl FnOnce(&V) -> R) -> Option<R>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        match self.map.get(key) {
            Some(e) if e.expires_at > now => {
                self.stats.hits += 1;
                return Some(f(&e.value));
            }
            Some(_) => self.expire(key),
            None => {}
        }
        self.stats.misses += 1;
        None
    }

    /// Like [`Store::get_with`], returning a clone of the value.
    pub fn get<Q>(&mut self, key: &Q, now: u64) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
        V: Clone,
    {
        self.get_with(key, now, V::clone)
    }

    /// Looks at a live value without making it recently used or counting a read.
    pub fn peek<Q>(&self, key: &Q, now: u64) -> Option<&V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.map.peek(key).filter(|e| e.expires_at > now).map(|e| &e.value)
    }

    /// True when `key` holds a live entry (no recency change, no read counted).
    pub fn contains<Q>(&self, key: &Q, now: u64) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.peek(key, now).is_some()
    }

    /// True when `key` holds an entry, live or expired but not yet reclaimed. Hosts that
    /// map their own keys to store keys (the JS binding's integer slots) use it to tell a
    /// value that left the store from one that was replaced in place.
    pub fn holds<Q>(&self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.map.contains(key)
    }

    /// The expiry of a live entry; `None` when there is none.
    pub fn expiry<Q>(&self, key: &Q, now: u64) -> Option<Expiry>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        self.map.peek(key).filter(|e| e.expires_at > now).map(|e| decode_expiry(e.expires_at))
    }

    /// The adaptive policy knows keys by [`crate::fingerprint`]; a host whose store keys
    /// stand in for its own (the JS binding's slots, reused by other keys later) passes
    /// the fingerprint of its real key here before the write that stores it, so that it
    /// makes the same decisions as every other host. Used by the next `set`/`add` only.
    pub fn next_key_fingerprint(&mut self, fingerprint: u64) {
        self.next_fingerprint = Some(fingerprint);
    }

    /// Stores `value` under `key`, charged `charge` bytes, until `expiry`.
    ///
    /// An expiry already past removes the key instead (Django's timeout 0). A charge
    /// larger than the byte bound is refused with [`Error::ValueTooLarge`] and the store
    /// keeps what it had, the old value of `key` included.
    pub fn set(&mut self, key: K, value: V, charge: usize, expiry: Expiry, now: u64) -> Result<()> {
        let fingerprint = self.next_fingerprint.take();
        if let Some(max_bytes) = self.config.max_bytes {
            if charge > max_bytes {
                return Err(Error::ValueTooLarge { key: String::new(), size: charge, max_bytes });
            }
        }
        self.stats.sets += 1;
        let expires_at = encode_expiry(expiry);
        if expires_at <= now {
            self.remove(&key);
            self.dead.push(value);
            return Ok(());
        }
        self.purge_expired_at_most(now, PURGE_PER_WRITE);
        let max = self.config.max_entries;
        let culls = matches!(self.config.eviction, Eviction::Cull { .. });
        if self.map.len() >= max && (culls || !self.expiries.is_empty()) && !self.map.contains(&key) {
            // A new key into a full store: expired entries go first, then Django's cull
            // (LRU mode lets the map evict below, reusing the evicted entry's node).
            self.purge_expired(now);
            if let Eviction::Cull { frequency } = self.config.eviction {
                if self.map.len() >= max {
                    let count = cull::count(self.map.len(), frequency);
                    for _ in 0..count {
                        self.evict_one();
                    }
                }
            }
        }
        self.bytes += charge as u64;
        let probe = key.clone();
        let seq = self.next_seq(expires_at);
        // The map's capacity is max_entries: pushing a new key into a full map hands back
        // the least recently used entry; pushing an existing key hands back its old entry.
        if let Some((k, old)) = self.map.push(key, Entry { value, expires_at, seq, charge }, fingerprint) {
            let replaced = k == probe;
            let was_expired = old.expires_at <= now;
            self.forget(k, old);
            if !replaced {
                if was_expired {
                    self.stats.expirations += 1;
                } else {
                    self.stats.evictions += 1;
                }
            }
        }
        if expires_at != NEVER {
            self.index_expiry(expires_at, seq, probe);
        }
        // The new entry is the most recently used and fits on its own, so this stops
        // before reaching it.
        while self.over_bytes(0) {
            self.evict_one();
        }
        Ok(())
    }

    /// A write of a held `key` that keeps its value, charge and expiry, by a host whose
    /// store values stand for values it keeps itself (the JS binding's slots): counted as
    /// a set, and the entry is used as a write uses it (LRU: the most recently used).
    /// Only for an entry that never expires: false, and nothing done, for any other.
    pub fn rewrite<Q>(&mut self, key: &Q) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        if !matches!(self.map.peek(key), Some(e) if e.expires_at == NEVER) {
            return false;
        }
        self.next_fingerprint = None;
        self.map.get(key);
        self.stats.sets += 1;
        true
    }

    /// Stores only if `key` holds no live entry; true when it stored (Django's `add`,
    /// which also answers true for a timeout that is already past).
    pub fn add(&mut self, key: K, value: V, charge: usize, expiry: Expiry, now: u64) -> Result<bool> {
        if self.contains(&key, now) {
            self.next_fingerprint = None;
            self.dead.push(value);
            return Ok(false);
        }
        self.set(key, value, charge, expiry, now)?;
        Ok(true)
    }

    /// Removes `key`; true when it held a live entry.
    pub fn delete<Q>(&mut self, key: &Q, now: u64) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        match self.remove(key) {
            Some(expires_at) if expires_at > now => {
                self.stats.deletes += 1;
                true
            }
            Some(_) => {
                self.stats.expirations += 1;
                false
            }
            None => false,
        }
    }

    /// Gives a live entry a new expiry (and makes it most recently used, as Redis'
    /// `TOUCH` does); true when the key was live. An expiry already past removes it.
    pub fn touch<Q>(&mut self, key: &Q, expiry: Expiry, now: u64) -> bool
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        let new_at = encode_expiry(expiry);
        let new_seq = self.next_seq(new_at);
        // The entry's old expiry record goes stale here: it is skipped when popped.
        let k = match self.map.get_key_value_mut(key) {
            Some((k, e)) if e.expires_at > now => {
                e.expires_at = new_at;
                e.seq = new_seq;
                k.clone()
            }
            Some(_) => {
                self.expire(key);
                return false;
            }
            None => return false,
        };
        if new_at <= now {
            self.remove(key);
        } else if new_at != NEVER {
            self.index_expiry(new_at, new_seq, k);
        }
        true
    }

    /// Adds `delta` to an integer value, keeping its expiry; the new value.
    pub fn incr<Q>(&mut self, key: &Q, delta: i64, now: u64) -> Result<i64>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
        V: Counter,
    {
        // Decided on a peek: a failed incr leaves the entry's recency alone (as Django's
        // LocMemCache does); only a successful one counts as a use.
        let next = match self.map.peek(key) {
            Some(e) if e.expires_at > now => match e.value.as_counter() {
                None => Err(Error::NotAnInteger(String::new())),
                Some(n) => n.checked_add(delta).ok_or_else(|| Error::Overflow(String::new())),
            },
            Some(_) => {
                self.expire(key);
                Err(Error::KeyNotFound(String::new()))
            }
            None => Err(Error::KeyNotFound(String::new())),
        };
        let outcome = next.map(|m| {
            if let Some(e) = self.map.get(key) {
                let old = std::mem::replace(&mut e.value, V::from_counter(m));
                self.dead.push(old);
            }
            m
        });
        if outcome.is_ok() {
            self.stats.sets += 1;
        }
        outcome
    }

    /// Removes every entry. Namespace generations are kept, so a key built before the
    /// clear can never alias one built after it.
    pub fn clear(&mut self) {
        while let Some((_, e)) = self.map.pop_victim() {
            self.dead.push(e.value);
        }
        self.expiries.clear();
        self.bytes = 0;
    }

    /// Reclaims every expired entry; how many.
    pub fn purge_expired(&mut self, now: u64) -> usize {
        self.purge_expired_at_most(now, usize::MAX)
    }

    /// Live keys, most recently used first.
    pub fn keys(&self, now: u64) -> Vec<K> {
        self.map.iter().filter(|(_, e)| e.expires_at > now).map(|(k, _)| k.clone()).collect()
    }

    /// The key the policy's order lists last, expired or not (LRU: the least recently
    /// used, its next victim), without walking the entries.
    pub fn last_key(&self) -> Option<&K> {
        self.map.last()
    }

    /// Live entries with their expiries and charges, least recently used first (the
    /// order in which re-inserting them rebuilds the same recency).
    pub fn entries(&self, now: u64) -> impl Iterator<Item = (&K, &V, Expiry, usize)> {
        self.map
            .iter()
            .rev()
            .filter(move |(_, e)| e.expires_at > now)
            .map(|(k, e)| (k, &e.value, decode_expiry(e.expires_at), e.charge))
    }

    /// The current generation of a namespace (1 for one never invalidated), remembered
    /// as used. The table is bounded (see [`crate::generations`]): a generation read
    /// never goes back, but one forgotten may read higher, its keys then missed.
    pub fn generation(&mut self, namespace: &str) -> u64 {
        self.generations.get(namespace)
    }

    /// The current generation of a namespace, without remembering the read.
    pub fn generation_peek(&self, namespace: &str) -> u64 {
        self.generations.peek(namespace)
    }

    /// Invalidates every key of a namespace in O(1) by bumping its generation; the new
    /// generation. Entries of older generations are never read again and age out of the LRU.
    pub fn invalidate(&mut self, namespace: &str) -> u64 {
        self.generations.invalidate(namespace)
    }

    /// Raises a namespace's generation (snapshots and shared tiers carry them); a
    /// generation never moves back.
    pub fn set_generation(&mut self, namespace: &str, generation: u64) {
        self.generations.raise(namespace, generation);
    }

    /// Every namespace remembered, with its generation.
    pub fn generations(&self) -> impl Iterator<Item = (&str, u64)> {
        self.generations.iter()
    }

    /// The generation of every namespace not listed by [`Store::generations`].
    pub fn generation_floor(&self) -> u64 {
        self.generations.floor()
    }

    /// Takes in a snapshot's generations (its floor and rows) before its entries are
    /// loaded: each namespace ends at the larger of its two generations.
    pub fn merge_generations(&mut self, floor: u64, generations: &[(String, u64)]) {
        self.generations.merge(floor, generations);
    }

    /// The live entries and generations as a [`Snapshot`], least recently used first;
    /// `encode` turns a value into its codec and bytes (`None` leaves the entry out).
    pub fn to_snapshot<F>(&self, now: u64, mut encode: F) -> Snapshot
    where
        K: AsRef<str>,
        F: FnMut(&V) -> Option<(Codec, Vec<u8>)>,
    {
        let entries = self
            .entries(now)
            .filter_map(|(k, v, expiry, _)| {
                let (codec, value) = encode(v)?;
                Some(SnapshotEntry { key: k.as_ref().to_owned(), expires_at: expiry.as_epoch_ms(), codec, value })
            })
            .collect();
        let mut generations: Vec<(String, u64)> = self.generations().map(|(n, g)| (n.to_owned(), g)).collect();
        generations.sort();
        Snapshot { created_at: now, generation_floor: self.generation_floor(), generations, entries }
    }

    /// Loads prepared entries (`(key, value, charge, expiry)`, least recently used first)
    /// and generations from a snapshot. Entries already expired at `now`, or larger than
    /// the byte bound, are skipped; a generation only ever moves forward, so loading an
    /// old snapshot cannot bring back keys invalidated since. How many entries were stored.
    pub fn load_prepared(
        &mut self,
        entries: Vec<(K, V, usize, Expiry)>,
        generations: &[(String, u64)],
        now: u64,
    ) -> usize {
        for (name, generation) in generations {
            self.set_generation(name, *generation);
        }
        let mut stored = 0;
        for (k, v, charge, expiry) in entries {
            if expiry.is_expired(now) {
                self.dead.push(v);
                continue;
            }
            if self.set(k, v, charge, expiry, now).is_ok() {
                stored += 1;
            }
        }
        stored
    }

    /// Checks the store's invariants; used by property tests and fuzzing.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let bytes: u64 = self.map.iter().map(|(_, e)| e.charge as u64).sum();
        if bytes != self.bytes {
            return Err(format!("bytes {} but entries charge {}", self.bytes, bytes));
        }
        if self.map.len() > self.config.max_entries {
            return Err(format!("{} entries over bound {}", self.map.len(), self.config.max_entries));
        }
        if let Some(max) = self.config.max_bytes {
            if self.bytes > max as u64 {
                return Err(format!("{} bytes over bound {}", self.bytes, max));
            }
        }
        let timed = self.map.iter().filter(|(_, e)| e.expires_at != NEVER).count();
        let indexed = self.expiries.iter().filter(|Reverse((at, seq, k))| self.is_current(*at, *seq, k)).count();
        if timed != indexed {
            return Err(format!("{timed} timed entries but {indexed} current records in the expiry index"));
        }
        if self.expiries.len() > 2 * self.config.max_entries + COMPACT_SLACK + 1 {
            return Err(format!("expiry index of {} records for at most {} entries", self.expiries.len(), self.config.max_entries));
        }
        self.generations.validate()
    }

    // ---- internals ----

    fn over_bytes(&self, incoming: usize) -> bool {
        matches!(self.config.max_bytes, Some(max) if self.bytes + incoming as u64 > max as u64)
    }

    /// Removes `key` whatever its state; its old expiry if it was there.
    fn remove<Q>(&mut self, key: &Q) -> Option<u64>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        let (k, e) = self.map.remove(key)?;
        Some(self.forget(k, e))
    }

    fn forget(&mut self, k: K, e: Entry<V>) -> u64 {
        drop(k);
        self.bytes -= e.charge as u64;
        self.dead.push(e.value);
        e.expires_at
    }

    fn expire<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        if self.remove(key).is_some() {
            self.stats.expirations += 1;
        }
    }

    fn purge_expired_at_most(&mut self, now: u64, budget: usize) -> usize {
        let mut n = 0;
        while n < budget {
            match self.expiries.peek() {
                Some(Reverse((at, _, _))) if *at <= now => {}
                _ => break,
            }
            let Reverse((at, seq, k)) = self.expiries.pop().expect("checked above");
            if !self.is_current(at, seq, &k) {
                continue;
            }
            if let Some((_, e)) = self.map.remove(&k) {
                self.bytes -= e.charge as u64;
                self.dead.push(e.value);
                self.stats.expirations += 1;
            }
            n += 1;
        }
        n
    }

    /// True when the expiry record (at, seq) is the one of `k`'s entry.
    fn is_current(&self, at: u64, seq: u64, k: &K) -> bool {
        matches!(self.map.peek(k), Some(e) if e.expires_at == at && e.seq == seq)
    }

    /// Records an entry's expiry; drops stale records once they outnumber live ones.
    fn index_expiry(&mut self, at: u64, seq: u64, k: K) {
        self.expiries.push(Reverse((at, seq, k)));
        if self.expiries.len() > 2 * self.map.len() + COMPACT_SLACK {
            let map = &self.map;
            self.expiries
                .retain(|Reverse((at, seq, k))| matches!(map.peek(k), Some(e) if e.expires_at == *at && e.seq == *seq));
        }
    }

    /// The next tie-breaker for an entry that can expire (0 for one that cannot).
    fn next_seq(&mut self, expires_at: u64) -> u64 {
        if expires_at == NEVER {
            0
        } else {
            self.next_seq += 1;
            self.next_seq
        }
    }

    /// Removes the least recently used entry; false when the store is empty.
    fn evict_one(&mut self) -> bool {
        match self.map.pop_victim() {
            Some((k, e)) => {
                self.stats.evictions += 1;
                self.forget(k, e);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lru(n: usize) -> Store<String, i64> {
        Store::new(Config::lru(n)).unwrap()
    }

    #[test]
    fn evicts_least_recently_used() {
        let mut s = lru(2);
        s.set("a".into(), 1, 1, Expiry::Never, 0).unwrap();
        s.set("b".into(), 2, 1, Expiry::Never, 0).unwrap();
        assert_eq!(s.get("a", 0), Some(1));
        s.set("c".into(), 3, 1, Expiry::Never, 0).unwrap();
        assert_eq!(s.get("b", 0), None);
        assert_eq!(s.stats().evictions, 1);
        s.validate().unwrap();
    }

    #[test]
    fn last_key_is_the_next_lru_victim() {
        let mut s = lru(3);
        assert_eq!(s.last_key(), None);
        for (i, k) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            s.set(k.into(), i as i64, 1, Expiry::Never, 0).unwrap();
            s.get("a", 0);
        }
        assert_eq!(s.keys(0), ["a", "e", "d"]);
        assert_eq!(s.last_key().map(String::as_str), Some("d"));
        s.set("f".into(), 5, 1, Expiry::Never, 0).unwrap();
        assert_eq!(s.keys(0), ["f", "a", "e"], "d was the victim");
    }

    #[test]
    fn rewrite_of_a_held_entry_that_never_expires_is_a_set_of_the_same_entry() {
        for config in [Config::lru(3), Config::django(3, 2)] {
            let (mut by_set, mut by_rewrite) = (Store::<String, i64>::new(config).unwrap(), Store::new(config).unwrap());
            for s in [&mut by_set, &mut by_rewrite] {
                for (i, k) in ["a", "b", "c"].into_iter().enumerate() {
                    s.set(k.into(), i as i64, 0, Expiry::Never, 0).unwrap();
                }
            }
            for k in ["a", "c", "a", "b"] {
                let v = by_set.peek(k, 0).copied().unwrap();
                by_set.set(k.into(), v, 0, Expiry::Never, 0).unwrap();
                assert!(by_rewrite.rewrite(k));
            }
            assert_eq!(by_rewrite.keys(0), by_set.keys(0));
            assert_eq!(by_rewrite.stats(), by_set.stats());
            by_rewrite.validate().unwrap();
        }
        let mut s = lru(2);
        s.set("t".into(), 1, 0, Expiry::At(50), 0).unwrap();
        assert!(!s.rewrite("t"), "an entry that expires is not rewritten");
        assert!(!s.rewrite("missing"));
        assert_eq!(s.stats().sets, 1);
    }

    #[test]
    fn a_failed_incr_leaves_recency_alone() {
        let mut s = lru(2);
        s.set("a".into(), i64::MAX, 1, Expiry::Never, 0).unwrap();
        s.set("b".into(), 1, 1, Expiry::Never, 0).unwrap();
        assert_eq!(s.incr("a", 1, 0), Err(Error::Overflow(String::new())));
        s.set("c".into(), 3, 1, Expiry::Never, 0).unwrap();
        assert_eq!(s.get("a", 0), None, "the failed incr did not make `a` recent");
        assert_eq!(s.incr("b", 1, 0), Ok(2));
        s.set("d".into(), 4, 1, Expiry::Never, 0).unwrap();
        assert_eq!(s.get("b", 0), Some(2), "a successful incr is a use");
        s.validate().unwrap();
    }

    #[test]
    fn django_cull_matches_django_test_cull() {
        // Django's test_cull: MAX_ENTRIES 30, CULL_FREQUENCY 3, 49 sets leave 29.
        let mut s: Store<String, i64> = Store::new(Config::django(30, 3)).unwrap();
        for i in 1..50 {
            s.set(format!("cull{i}"), i, 1, Expiry::At(1_000_000), 0).unwrap();
        }
        assert_eq!(s.len(), 29);
        let mut z: Store<String, i64> = Store::new(Config::django(30, 0)).unwrap();
        for i in 1..50 {
            z.set(format!("cull{i}"), i, 1, Expiry::At(1_000_000), 0).unwrap();
        }
        assert_eq!(z.len(), 19);
    }

    #[test]
    fn byte_bound_is_never_passed_and_oversize_keeps_old_value() {
        let mut s: Store<String, i64> =
            Store::new(Config { max_entries: 100, max_bytes: Some(10), eviction: Eviction::Lru }).unwrap();
        s.set("a".into(), 1, 4, Expiry::Never, 0).unwrap();
        s.set("b".into(), 2, 4, Expiry::Never, 0).unwrap();
        s.set("c".into(), 3, 4, Expiry::Never, 0).unwrap();
        assert!(s.bytes() <= 10);
        assert_eq!(s.peek("a", 0), None);
        assert!(matches!(s.set("c".into(), 9, 11, Expiry::Never, 0), Err(Error::ValueTooLarge { .. })));
        assert_eq!(s.peek("c", 0), Some(&3));
        s.validate().unwrap();
    }

    #[test]
    fn expired_entries_are_not_read_and_are_reclaimed() {
        let mut s = lru(10);
        s.set("a".into(), 1, 1, Expiry::At(100), 0).unwrap();
        assert_eq!(s.get("a", 99), Some(1));
        assert_eq!(s.get("a", 100), None);
        assert_eq!(s.len(), 0);
        s.set("b".into(), 1, 1, Expiry::At(100), 0).unwrap();
        s.set("c".into(), 1, 1, Expiry::Never, 200).unwrap();
        assert_eq!(s.len(), 1, "a write reclaims expired entries");
        assert_eq!(s.stats().expirations, 2);
    }

    #[test]
    fn incr_keeps_expiry() {
        let mut s = lru(10);
        s.set("n".into(), 5, 1, Expiry::At(1000), 0).unwrap();
        assert_eq!(s.incr("n", 3, 10), Ok(8));
        assert_eq!(s.expiry("n", 10), Some(Expiry::At(1000)));
        assert_eq!(s.incr("missing", 1, 10), Err(Error::KeyNotFound(String::new())));
        assert_eq!(s.incr("n", i64::MAX, 10), Err(Error::Overflow(String::new())));
        assert_eq!(s.incr("n", 1, 1000), Err(Error::KeyNotFound(String::new())));
    }

    #[test]
    fn drain_dead_gives_the_same_values_as_take_dead() {
        let mut s = lru(1);
        s.set("a".into(), 1, 1, Expiry::Never, 0).unwrap();
        s.set("b".into(), 2, 1, Expiry::Never, 0).unwrap();
        s.set("b".into(), 3, 1, Expiry::Never, 0).unwrap();
        assert_eq!(s.drain_dead().collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(s.drain_dead().count(), 0);
        assert!(s.take_dead().is_empty());
    }

    #[test]
    fn holds_sees_expired_entries_until_reclaimed() {
        let mut s = lru(10);
        s.set("a".into(), 1, 1, Expiry::At(100), 0).unwrap();
        assert!(s.holds("a"));
        assert!(!s.contains("a", 100));
        assert!(s.holds("a"), "expired but not reclaimed");
        assert_eq!(s.get("a", 100), None);
        assert!(!s.holds("a"));
    }

    #[test]
    fn snapshot_round_trip_keeps_recency_expiry_and_generations() {
        use crate::snapshot::{LoadOptions, Snapshot, SnapshotKey};
        let mut s: Store<String, i64> = Store::new(Config::lru(10)).unwrap();
        s.set("a".into(), 1, 1, Expiry::Never, 0).unwrap();
        s.set("b".into(), 2, 1, Expiry::At(500), 0).unwrap();
        s.set("gone".into(), 3, 1, Expiry::At(50), 0).unwrap();
        s.get("a", 10);
        s.invalidate("ns");
        let key = SnapshotKey::new(b"a key of 16+ bytes").unwrap();
        let bytes = s.to_snapshot(100, |v| Some((Codec::Json, v.to_string().into_bytes()))).encode(Some(&key)).unwrap();
        let loaded = Snapshot::decode(&bytes, LoadOptions { key: Some(&key), ..Default::default() }).unwrap();
        let mut t: Store<String, i64> = Store::new(Config::lru(10)).unwrap();
        t.invalidate("ns");
        t.invalidate("ns");
        let entries = loaded
            .snapshot
            .entries
            .iter()
            .map(|e| {
                let v: i64 = std::str::from_utf8(&e.value).unwrap().parse().unwrap();
                (e.key.clone(), v, 1, e.expires_at.map(Expiry::At).unwrap_or(Expiry::Never))
            })
            .collect();
        assert_eq!(t.load_prepared(entries, &loaded.snapshot.generations, 100), 2);
        assert_eq!(t.keys(100), vec!["a".to_string(), "b".to_string()]);
        assert_eq!(t.expiry("b", 100), Some(Expiry::At(500)));
        assert_eq!(t.generation("ns"), 3, "a generation never moves backwards");
        t.validate().unwrap();
    }

    #[test]
    fn touch_and_namespaces() {
        let mut s = lru(10);
        s.set("a".into(), 1, 1, Expiry::At(100), 0).unwrap();
        assert!(s.touch("a", Expiry::Never, 50));
        assert_eq!(s.get("a", 10_000), Some(1));
        assert!(s.touch("a", Expiry::At(0), 10_000));
        assert_eq!(s.get("a", 10_000), None);
        assert_eq!(s.generation("ns"), 1);
        assert_eq!(s.invalidate("ns"), 2);
        s.clear();
        assert_eq!(s.generation("ns"), 2);
        s.validate().unwrap();
    }
}
