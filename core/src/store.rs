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
use std::hash::Hash;

use crate::error::{Error, Result};
use crate::generations::Generations;
use crate::hasher::{random_seeds, seeded_hasher, KeyHasher};
#[cfg(feature = "adaptive")]
use crate::policy::Adaptive;
use crate::policy::{Indexing, Policy};
use crate::snapshot::{Codec, Snapshot, SnapshotEntry};
use crate::stats::Stats;
use crate::ttl::Expiry;

/// Internals: removal, expiry reclamation and eviction.
mod internals;
/// Namespace generations, snapshots and the invariants check.
mod persist;
/// Writes by a host whose keys and values are slots it numbers itself.
mod hosted;
/// Bounds, eviction policy, counter values.
mod config;
/// Reads: gets, peeks, expiries, keys and entries in order.
mod reads;
/// [`Store::set`]'s less common work, out of line.
mod outlined;

pub use config::{Config, Counter, Eviction};

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

/// The policy `eviction` asks for, holding at most `max_entries`; the LRU family's
/// entries indexed as the hasher type says ([`Indexing`]: hashed, or by dense slot).
fn policy_for<K: Hash + Eq, V, S: Indexing<K>>(config: &Config, hasher: S) -> Policy<K, Entry<V>, S> {
    match config.eviction {
        #[cfg(feature = "adaptive")]
        Eviction::Adaptive => adaptive_policy(config.max_entries, hasher),
        // (Config::validate refuses it first.)
        #[cfg(not(feature = "adaptive"))]
        Eviction::Adaptive => unreachable!("the adaptive policy needs the `adaptive` feature"),
        Eviction::Lru | Eviction::Cull { .. } => lru_policy(config.max_entries, hasher),
    }
}

// Each policy's set-up in a function of its own, so that a runtime compiling wasm on
// first call (V8's Liftoff) compiles only the one a store uses (kept apart by build.mjs:
// bindings-js/wasm-outlined.mjs).
#[cfg(feature = "adaptive")]
#[inline(never)]
fn adaptive_policy<K: Hash + Eq, V, S: Indexing<K>>(max_entries: usize, hasher: S) -> Policy<K, Entry<V>, S> {
    Policy::Adaptive(Box::new(Adaptive::new(max_entries, S::table(hasher))))
}

#[inline(never)]
fn lru_policy<K: Hash + Eq, V, S: Indexing<K>>(max_entries: usize, hasher: S) -> Policy<K, Entry<V>, S> {
    Policy::Lru(S::lru(max_entries, hasher))
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
/// can pass a cheaper one with [`Store::with_hasher`], and, wrapped in [`crate::Slots`],
/// have LRU and Django's cull keep the entries in arrays indexed by those numbers.
pub struct Store<K: Hash + Eq + Ord + Clone, V, S: Indexing<K> = KeyHasher> {
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

impl<K: Hash + Eq + Ord + Clone, V, S: Indexing<K>> Store<K, V, S> {
    /// A store whose keys are hashed by `hasher`; namespace names are still hashed with
    /// the keyed hasher seeded by `seeds`. (Out of line: cold, and in the JS store module
    /// called from two places.)
    #[inline(never)]
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
            self.set_past(key, value);
            return Ok(());
        }
        // The less common work is in functions of their own (store/outlined.rs), called
        // only when there is some: a runtime that compiles each wasm function on its
        // first call (V8's Liftoff) then compiles less for a cache's first write.
        if !self.expiries.is_empty() {
            self.purge_expired_at_most(now, PURGE_PER_WRITE);
        }
        let culls = matches!(self.config.eviction, Eviction::Cull { .. });
        if self.map.len() >= self.config.max_entries && (culls || !self.expiries.is_empty()) {
            self.make_room(&key, now);
        }
        self.bytes += charge as u64;
        let probe = key.clone();
        let seq = self.next_seq(expires_at);
        // The map's capacity is max_entries: pushing a new key into a full map hands back
        // the least recently used entry; pushing an existing key hands back its old entry.
        if let Some((k, old)) = self.map.push_with(key, || Entry { value, expires_at, seq, charge }, fingerprint) {
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
        if self.over_bytes(0) {
            self.evict_over_bytes();
        }
        Ok(())
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
    #[inline(never)]
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
    /// clear can never alias one built after it. (Out of line: cold.)
    #[inline(never)]
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
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod slot_tests;
#[cfg(test)]
mod run_tests;
