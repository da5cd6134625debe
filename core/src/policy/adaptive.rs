//! The adaptive policy: a small LRU window in front of a segmented LRU main space, with a
//! frequency filter between them and a window whose size follows the hit ratio.
//!
//! What it takes from whom:
//! - W-TinyLFU (Einziger, Eytan, Friedman & Manes, "Adaptive Software Cache Management",
//!   Middleware 2018; Caffeine and BitFaster.Caching implement it): new entries enter the
//!   window; the window's oldest entry is admitted to the main space only if the
//!   frequency sketch ([`super::sketch`]) has seen it more often than the main space's
//!   next victim. A one-off scan never reaches the main space, so it cannot flush the hot
//!   set; a loop larger than the cache keeps the main space it filled first and hits there.
//! - The hill-climbing window of the same paper ([`super::climber`]): every
//!   `10 * capacity` accesses the window moves a step in the direction that last raised
//!   the hit ratio, the step decaying, and restarts when the ratio jumps (a phase change).
//!   Ours starts at 30% of the capacity (Caffeine: 1%) with small steps (1/128), because
//!   on OLTP a 30-35% window is best and larger steps chase noise; the cost is slow
//!   adaptation where a tiny window is best (a loop larger than the cache hits ~68%
//!   where 2Q and theine hit ~96%; docs/benchmarks.md).
//! - Probation/protected sizing and "ties keep the incumbent" also echo S3-FIFO (Yang et
//!   al., SOSP 2023) and SIEVE (Zhang et al., NSDI 2024): most new keys are one-hit
//!   wonders and should leave quickly, without disturbing what has proven popular.
//! - The main space is 2Q's / SLRU's probation and protected queues (Johnson & Shasha,
//!   "2Q", VLDB 1994; Karedla et al. 1994): a second read promotes an entry out of reach
//!   of the next evictions.
//!
//! Decisions depend only on the sequence of operations and the keys' fixed fingerprints,
//! so every host makes the same ones (pinned by tests/vectors/adaptive.json).

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;

use super::climber::Climber;
use super::queues::{Queue, Queues, NIL};
use super::sketch::{fingerprint, Sketch};

pub struct Adaptive<K, E, S> {
    table: HashTable<u32>,
    hasher: S,
    q: Queues<K, E>,
    capacity: usize,
    window_max: usize,
    protected_max: usize,
    sketch: Sketch,
    climber: Climber,
    /// The entry inserted last: not a victim while there is another, so a write that
    /// overflows the byte bound keeps what it wrote.
    newest: u32,
}

impl<K: Hash + Eq, E, S: BuildHasher> Adaptive<K, E, S> {
    pub fn new(capacity: usize, hasher: S) -> Self {
        let capacity = capacity.max(1);
        let mut a = Adaptive {
            table: HashTable::new(),
            hasher,
            q: Queues::new(),
            capacity,
            window_max: 0,
            protected_max: 0,
            sketch: Sketch::new(capacity),
            climber: Climber::new(capacity),
            newest: NIL,
        };
        a.set_window(Climber::initial_window(capacity));
        a
    }

    #[inline]
    fn find<Q>(&self, key: &Q) -> Option<u32>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let h = self.hasher.hash_one(key);
        let slots = &self.q.slots;
        self.table.find(h, |&i| slots[i as usize].kv.as_ref().is_some_and(|(k, _)| k.borrow() == key)).copied()
    }

    /// A read of entry `i`: counted, and moved up its queue (probation -> protected).
    #[inline]
    fn hit(&mut self, i: u32) {
        self.sketch.record(self.q.slots[i as usize].fp);
        match self.q.slots[i as usize].queue {
            Queue::Window => self.q.move_to(i, Queue::Window),
            Queue::Protected => self.q.move_to(i, Queue::Protected),
            Queue::Probation => {
                self.q.move_to(i, Queue::Protected);
                self.demote_protected_excess();
            }
        }
        self.climb(true);
    }

    #[inline]
    pub fn get<Q>(&mut self, key: &Q) -> Option<&mut E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(key)?;
        self.hit(i);
        Some(&mut self.q.kv_mut(i).1)
    }

    pub fn get_key_value_mut<Q>(&mut self, key: &Q) -> Option<(&K, &mut E)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(key)?;
        self.hit(i);
        let (k, e) = self.q.kv_mut(i);
        Some((&*k, e))
    }

    pub fn peek<Q>(&self, key: &Q) -> Option<&E>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.find(key).map(|i| &self.q.kv(i).1)
    }

    pub fn len(&self) -> usize {
        self.q.total()
    }

    /// Inserts `key` (a write of a held key is a read of it); hands back the displaced
    /// entry: the old one of `key`, or the victim when the store was full.
    pub fn push(&mut self, key: K, entry: E, fp: Option<u64>) -> Option<(K, E)> {
        if let Some(i) = self.find(&key) {
            self.hit(i);
            self.newest = i;
            let old = std::mem::replace(self.q.kv_mut(i), (key, entry));
            return Some(old);
        }
        let fp = fp.unwrap_or_else(|| fingerprint(&key));
        self.sketch.record(fp);
        self.climb(false);
        let h = self.hasher.hash_one(&key);
        let i = self.q.insert(Queue::Window, fp, key, entry);
        let (slots, hasher) = (&self.q.slots, &self.hasher);
        self.table.insert_unique(h, i, |&j| hasher.hash_one(&slots[j as usize].kv.as_ref().expect("live").0));
        self.newest = i;
        if self.len() > self.capacity {
            return self.pop_victim();
        }
        // Not full: the window's overflow moves to the main space without a contest.
        while self.q.len(Queue::Window) > self.window_max {
            let t = self.q.tail(Queue::Window);
            self.q.move_to(t, Queue::Probation);
        }
        None
    }

    pub fn remove<Q>(&mut self, key: &Q) -> Option<(K, E)>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let i = self.find(key)?;
        Some(self.take(i))
    }

    fn take(&mut self, i: u32) -> (K, E) {
        let h = self.hasher.hash_one(&self.q.kv(i).0);
        self.table.find_entry(h, |&j| j == i).expect("indexed").remove();
        if self.newest == i {
            self.newest = NIL;
        }
        self.q.take(i)
    }

    /// The window's oldest entry contends with the main space's next victim when the
    /// window is over its share; the one seen less often leaves (ties keep the main
    /// space's, which is what makes a loop larger than the cache hit).
    pub fn pop_victim(&mut self) -> Option<(K, E)> {
        let window = self.q.len(Queue::Window);
        let candidate = if window > self.window_max { self.q.tail(Queue::Window) } else { NIL };
        let mut victim = self.q.tail(Queue::Probation);
        if victim == NIL {
            victim = self.q.tail(Queue::Protected);
        }
        let loser = match (candidate, victim) {
            (NIL, NIL) => self.q.tail(Queue::Window),
            (c, NIL) => c,
            (NIL, v) => v,
            (c, v) => {
                let fc = self.sketch.frequency(self.q.slots[c as usize].fp);
                let fv = self.sketch.frequency(self.q.slots[v as usize].fp);
                if fc > fv {
                    self.q.move_to(c, Queue::Probation);
                    v
                } else {
                    c
                }
            }
        };
        let loser = if loser == self.newest && self.len() > 1 { self.other_than_newest() } else { loser };
        (loser != NIL).then(|| self.take(loser))
    }

    fn other_than_newest(&self) -> u32 {
        [Queue::Probation, Queue::Protected, Queue::Window]
            .into_iter()
            .flat_map(|q| self.q.walk(q).collect::<Vec<_>>().into_iter().rev())
            .find(|&i| i != self.newest)
            .unwrap_or(NIL)
    }

    pub fn resize(&mut self, capacity: usize) {
        self.capacity = capacity.max(1);
        self.sketch = Sketch::new(self.capacity);
        self.climber = Climber::new(self.capacity);
        self.set_window(Climber::initial_window(self.capacity));
    }

    fn climb(&mut self, hit: bool) {
        if let Some(step) = self.climber.record(hit) {
            let w = (self.window_max as i64 + step).clamp(1, self.capacity as i64) as usize;
            self.set_window(w);
        }
    }

    /// The window gets `window` entries, the protected queue 75% of the rest (Caffeine
    /// gives 80%; 75% keeps more room for newly admitted entries, +0.5 point on OLTP at
    /// 5,000); queues over their new share give way at once.
    fn set_window(&mut self, window: usize) {
        self.window_max = window.min(self.capacity);
        self.protected_max = (self.capacity - self.window_max) * 3 / 4;
        self.demote_protected_excess();
        while self.q.len(Queue::Window) > self.window_max && self.len() <= self.capacity {
            let t = self.q.tail(Queue::Window);
            self.q.move_to(t, Queue::Probation);
        }
    }

    fn demote_protected_excess(&mut self) {
        while self.q.len(Queue::Protected) > self.protected_max {
            let t = self.q.tail(Queue::Protected);
            self.q.move_to(t, Queue::Probation);
        }
    }

    /// Every entry: window, then protected, then probation, each most recent first, so
    /// the last ones are the next victims.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &E)> {
        let order: Vec<u32> =
            [Queue::Window, Queue::Protected, Queue::Probation].into_iter().flat_map(|q| self.q.walk(q)).collect();
        order.into_iter().map(move |i| {
            let (k, e) = self.q.kv(i);
            (k, e)
        })
    }
}
