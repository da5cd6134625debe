//! `Cache`: the thread-safe cache for native hosts, with string keys, a clock and
//! Django's timeout rules on top of [`Store`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::error::{Error, Result};
use crate::key::namespaced_key;
use crate::stats::Stats;
use crate::store::{Config, Counter, Eviction, Store};
use crate::store_key::Key;
use crate::ttl::{Clock, SystemClock, Timeout};

/// Bytes charged for an entry beyond its key and value: the map slot, the recency
/// links and the expiry. An estimate, the same in every binding, so that byte bounds
/// mean the same thing everywhere.
pub const ENTRY_OVERHEAD: usize = 64;

/// What an entry of `key_len` key bytes and `value_size` value bytes is charged.
pub fn entry_charge(key_len: usize, value_size: usize) -> usize {
    key_len.saturating_add(value_size).saturating_add(ENTRY_OVERHEAD)
}

type Weigher<V> = Box<dyn Fn(&V) -> usize + Send + Sync>;

/// Builds a [`Cache`].
///
/// ```
/// use polycache::{CacheBuilder, Timeout};
/// let cache = CacheBuilder::new(10_000)
///     .max_bytes(1 << 20)
///     .default_timeout(Timeout::Seconds(60.0))
///     .weigher(|v: &String| v.len())
///     .build()
///     .unwrap();
/// cache.set("greeting", "hello".to_string(), Timeout::Default).unwrap();
/// assert_eq!(cache.get("greeting").as_deref(), Some("hello"));
/// ```
pub struct CacheBuilder<V> {
    config: Config,
    default_timeout: Timeout,
    clock: Arc<dyn Clock>,
    weigher: Weigher<V>,
}

impl<V> CacheBuilder<V> {
    /// A cache of at most `max_entries` entries under the adaptive policy
    /// ([`Eviction::Adaptive`]; [`CacheBuilder::eviction`] picks another), with Django's
    /// default timeout of 300 s.
    pub fn new(max_entries: usize) -> Self {
        CacheBuilder {
            config: Config { eviction: Eviction::Adaptive, ..Config::lru(max_entries) },
            default_timeout: Timeout::Default,
            clock: Arc::new(SystemClock),
            weigher: Box::new(|_| std::mem::size_of::<V>()),
        }
    }

    /// Bounds the bytes charged (key + value size + [`ENTRY_OVERHEAD`] per entry).
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.config.max_bytes = Some(max_bytes);
        self
    }

    /// Django's batch cull instead of one-at-a-time eviction.
    pub fn cull_frequency(mut self, frequency: usize) -> Self {
        self.config.eviction = Eviction::Cull { frequency };
        self
    }

    /// Which entry leaves when a bound is hit: [`Eviction::Adaptive`] (the default:
    /// scan-resistant, more hits on most workloads), [`Eviction::Lru`] or Django's cull.
    pub fn eviction(mut self, eviction: Eviction) -> Self {
        self.config.eviction = eviction;
        self
    }

    pub fn default_timeout(mut self, timeout: Timeout) -> Self {
        self.default_timeout = timeout;
        self
    }

    /// The clock to read (a [`crate::MockClock`] in tests).
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// How many bytes a value takes (default: `size_of::<V>()`).
    pub fn weigher(mut self, f: impl Fn(&V) -> usize + Send + Sync + 'static) -> Self {
        self.weigher = Box::new(f);
        self
    }

    pub fn build(self) -> Result<Cache<V>> {
        self.default_timeout.check()?;
        Ok(Cache {
            store: Mutex::new(Store::new(self.config)?),
            default_timeout: self.default_timeout,
            clock: self.clock,
            weigher: self.weigher,
        })
    }
}

/// A thread-safe, bounded cache with string keys. `Send + Sync`: share it in an `Arc`.
///
/// One lock guards the store; it is never held while user code runs (values removed
/// under the lock are dropped after it is released), and a panic elsewhere never
/// poisons it for later callers.
///
/// ```
/// use polycache::{CacheBuilder, MockClock, Timeout};
/// let clock = MockClock::new(0);
/// let cache = CacheBuilder::new(100).clock(clock.clone()).build().unwrap();
/// cache.set("a", 1i64, Timeout::Seconds(10.0)).unwrap();
/// assert_eq!(cache.incr("a", 5).unwrap(), 6);
/// clock.advance(10_000);
/// assert_eq!(cache.get("a"), None);
/// ```
pub struct Cache<V> {
    store: Mutex<Store<Key, V>>,
    default_timeout: Timeout,
    clock: Arc<dyn Clock>,
    weigher: Weigher<V>,
}

impl<V> Cache<V> {
    /// The current time as the cache's clock tells it.
    pub fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    fn lock(&self) -> MutexGuard<'_, Store<Key, V>> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the locked store with the current time, then drops removed values
    /// after unlocking. For bindings that need more than the methods below.
    pub fn with_store<R>(&self, f: impl FnOnce(&mut Store<Key, V>, u64) -> R) -> R {
        let now = self.clock.now_ms();
        let (out, dead) = {
            let mut store = self.lock();
            let out = f(&mut store, now);
            (out, store.take_dead())
        };
        drop(dead);
        out
    }

    fn charge(&self, key: &str, value: &V) -> usize {
        entry_charge(key.len(), (self.weigher)(value))
    }

    /// Reads a live value and applies `f` to it.
    pub fn get_with<R>(&self, key: &str, f: impl FnOnce(&V) -> R) -> Option<R> {
        self.with_store(|s, now| s.get_with(key, now, f))
    }

    /// A clone of the live value of `key`.
    pub fn get(&self, key: &str) -> Option<V>
    where
        V: Clone,
    {
        self.get_with(key, V::clone)
    }

    /// True when `key` is live (no recency change).
    pub fn has_key(&self, key: &str) -> bool {
        self.with_store(|s, now| s.contains(key, now))
    }

    /// Stores a value for `timeout` (Django's rules; `Timeout::Default` is the cache's).
    pub fn set(&self, key: &str, value: V, timeout: Timeout) -> Result<()> {
        let charge = self.charge(key, &value);
        self.with_store(|s, now| {
            let expiry = timeout.expiry(now, self.default_timeout)?;
            s.set(Key::from(key), value, charge, expiry, now)
        })
        .map_err(|e| with_key(e, key))
    }

    /// Stores only if `key` is not live; true when stored.
    pub fn add(&self, key: &str, value: V, timeout: Timeout) -> Result<bool> {
        let charge = self.charge(key, &value);
        self.with_store(|s, now| {
            let expiry = timeout.expiry(now, self.default_timeout)?;
            s.add(Key::from(key), value, charge, expiry, now)
        })
        .map_err(|e| with_key(e, key))
    }

    /// Removes `key`; true when it was live.
    pub fn delete(&self, key: &str) -> bool {
        self.with_store(|s, now| s.delete(key, now))
    }

    /// Gives a live key a new timeout; true when it was live.
    pub fn touch(&self, key: &str, timeout: Timeout) -> Result<bool> {
        self.with_store(|s, now| {
            let expiry = timeout.expiry(now, self.default_timeout)?;
            Ok(s.touch(key, expiry, now))
        })
    }

    /// Remaining time to live: `None` when missing, `Some(None)` when it never expires.
    pub fn ttl(&self, key: &str) -> Option<Option<Duration>> {
        self.with_store(|s, now| {
            s.expiry(key, now).map(|e| e.remaining_ms(now).map(Duration::from_millis))
        })
    }

    /// Makes a live key never expire; true when it was live.
    pub fn persist(&self, key: &str) -> bool {
        self.touch(key, Timeout::Never).unwrap_or(false)
    }

    /// Adds `delta` to an integer value atomically, keeping its expiry.
    pub fn incr(&self, key: &str, delta: i64) -> Result<i64>
    where
        V: Counter,
    {
        self.with_store(|s, now| s.incr(key, delta, now)).map_err(|e| with_key(e, key))
    }

    /// Subtracts `delta` atomically.
    pub fn decr(&self, key: &str, delta: i64) -> Result<i64>
    where
        V: Counter,
    {
        let neg = delta.checked_neg().ok_or_else(|| Error::Overflow(key.to_owned()))?;
        self.incr(key, neg)
    }

    /// Every live value among `keys`, in one locked pass.
    pub fn get_many<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> Vec<(&'k str, V)>
    where
        V: Clone,
    {
        self.with_store(|s, now| {
            keys.into_iter().filter_map(|k| s.get(k, now).map(|v| (k, v))).collect()
        })
    }

    /// Stores every pair with one timeout, in one locked pass. Stops at the first
    /// value refused (too large), keeping what was stored before it.
    pub fn set_many<K: AsRef<str>>(&self, items: impl IntoIterator<Item = (K, V)>, timeout: Timeout) -> Result<()> {
        let items: Vec<(K, V, usize)> = items
            .into_iter()
            .map(|(k, v)| {
                let c = self.charge(k.as_ref(), &v);
                (k, v, c)
            })
            .collect();
        self.with_store(|s, now| {
            let expiry = timeout.expiry(now, self.default_timeout)?;
            for (k, v, c) in items {
                s.set(Key::from(k.as_ref()), v, c, expiry, now).map_err(|e| with_key(e, k.as_ref()))?;
            }
            Ok(())
        })
    }

    /// Removes every key given; how many were live.
    pub fn delete_many<'k>(&self, keys: impl IntoIterator<Item = &'k str>) -> usize {
        self.with_store(|s, now| keys.into_iter().filter(|k| s.delete(*k, now)).count())
    }

    /// Removes every entry (namespace generations are kept).
    pub fn clear(&self) {
        self.with_store(|s, _| s.clear())
    }

    /// Live keys, most recently used first.
    pub fn keys(&self) -> Vec<String> {
        self.with_store(|s, now| s.keys(now).iter().map(|k| k.to_string()).collect())
    }

    pub fn len(&self) -> usize {
        self.with_store(|s, _| s.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn stats(&self) -> Stats {
        self.with_store(|s, _| s.stats())
    }

    /// The key of `key` in namespace `namespace` at its current generation.
    ///
    /// ```
    /// use polycache::{CacheBuilder, Timeout};
    /// let cache = CacheBuilder::new(100).build().unwrap();
    /// let k = cache.namespaced_key("books", "list:1");
    /// cache.set(&k, 7i64, Timeout::Never).unwrap();
    /// cache.invalidate("books"); // O(1), whatever the number of keys
    /// assert_eq!(cache.get(&cache.namespaced_key("books", "list:1")), None);
    /// ```
    pub fn namespaced_key(&self, namespace: &str, key: &str) -> String {
        let generation = self.with_store(|s, _| s.generation(namespace));
        namespaced_key(namespace, generation, key)
    }

    /// Invalidates a namespace; its new generation.
    pub fn invalidate(&self, namespace: &str) -> u64 {
        self.with_store(|s, _| s.invalidate(namespace))
    }
}

/// Fills in the key of an error the store raised without it.
fn with_key(e: Error, key: &str) -> Error {
    match e {
        Error::ValueTooLarge { size, max_bytes, .. } => Error::ValueTooLarge { key: key.to_owned(), size, max_bytes },
        Error::KeyNotFound(_) => Error::KeyNotFound(key.to_owned()),
        Error::NotAnInteger(_) => Error::NotAnInteger(key.to_owned()),
        Error::Overflow(_) => Error::Overflow(key.to_owned()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MockClock;

    #[test]
    fn cache_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Cache<i64>>();
        assert_send_sync::<Cache<String>>();
    }

    #[test]
    fn the_default_policy_is_adaptive_and_keeps_its_hot_set_through_a_scan() {
        let default: Cache<i64> = CacheBuilder::new(100).build().unwrap();
        let lru: Cache<i64> = CacheBuilder::new(100).eviction(Eviction::Lru).build().unwrap();
        assert_eq!(default.with_store(|s, _| s.config().eviction), Eviction::Adaptive);
        let hot_left = |c: &Cache<i64>| {
            for _ in 0..20 {
                for i in 0..60 {
                    if c.get(&format!("hot:{i}")).is_none() {
                        c.set(&format!("hot:{i}"), i, Timeout::Never).unwrap();
                    }
                }
            }
            for i in 0..1_000 {
                c.set(&format!("scan:{i}"), i, Timeout::Never).unwrap();
            }
            (0..60).filter(|i| c.has_key(&format!("hot:{i}"))).count()
        };
        assert!(hot_left(&default) >= 57);
        assert_eq!(hot_left(&lru), 0);
    }

    #[test]
    fn panic_in_user_code_does_not_poison() {
        let cache: Arc<Cache<i64>> = Arc::new(CacheBuilder::new(10).build().unwrap());
        cache.set("a", 1, Timeout::Never).unwrap();
        let c = cache.clone();
        let r = std::thread::spawn(move || {
            c.get_with("a", |_| panic!("user code panics"));
        })
        .join();
        assert!(r.is_err());
        assert_eq!(cache.get("a"), Some(1));
    }

    #[test]
    fn concurrent_incr_loses_nothing() {
        let cache: Arc<Cache<i64>> = Arc::new(CacheBuilder::new(10).build().unwrap());
        cache.set("n", 0, Timeout::Never).unwrap();
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let c = cache.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        c.incr("n", 1).unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(cache.get("n"), Some(8000));
    }

    #[test]
    fn ttl_with_mock_clock() {
        let clock = MockClock::new(1_000);
        let cache: Cache<i64> = CacheBuilder::new(10).clock(clock.clone()).build().unwrap();
        cache.set("a", 1, Timeout::Seconds(2.5)).unwrap();
        assert_eq!(cache.ttl("a"), Some(Some(Duration::from_millis(2500))));
        clock.advance(1000);
        assert_eq!(cache.ttl("a"), Some(Some(Duration::from_millis(1500))));
        assert!(cache.persist("a"));
        assert_eq!(cache.ttl("a"), Some(None));
        assert_eq!(cache.ttl("zz"), None);
        cache.set("b", 1, Timeout::Default).unwrap();
        assert_eq!(cache.ttl("b"), Some(Some(Duration::from_secs(300))));
    }

    #[test]
    fn errors_name_the_key() {
        let cache: Cache<String> =
            CacheBuilder::new(10).max_bytes(100).weigher(|v: &String| v.len()).build().unwrap();
        let err = cache.set("big", "x".repeat(200), Timeout::Never).unwrap_err();
        assert!(err.to_string().contains("\"big\""), "{err}");
        let counters: Cache<i64> = CacheBuilder::new(10).build().unwrap();
        assert!(matches!(counters.incr("nope", 1), Err(Error::KeyNotFound(k)) if k == "nope"));
    }
}
