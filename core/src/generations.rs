//! Namespace generations in bounded memory.
//!
//! Every namespace ever invalidated (or read) needs its generation remembered, so a
//! table kept forever grows with the number of distinct names: millions of per-user
//! namespaces would outgrow any byte bound. The table here holds at most a bounded
//! number of rows and forgets the least recently used one when full.
//!
//! Forgetting must never make an abandoned generation readable again. The rule that
//! guarantees it: a namespace's generation, as read, never decreases. A row that is
//! forgotten raises the `floor` to its generation, and a namespace without a row reads
//! as the floor; so the forgotten namespace reads at least what it read before, and an
//! entry written under a generation it has left is never built again. Raising the floor
//! also moves every other namespace without a row forward (its entries are then missed,
//! never wrong): the price of bounded memory, paid only when the table overflows.
//!
//! A floor that comes from elsewhere (a snapshot) is stronger: the rows below it are
//! dropped, because entries from that snapshot may hold generations they have left
//! there. The property test `generations_never_go_back` in `tests/generations.rs`
//! checks the rule against a table that never forgets.

use std::hash::BuildHasher;

use lru::LruCache;

use crate::hasher::KeyHasher;

/// Rows kept whatever the store's bounds, so small caches keep their namespaces.
pub const MIN_ROWS: usize = 64;

/// Bytes a row is charged beyond its name: the map slot, the links and the generation.
pub const ROW_OVERHEAD: u64 = 64;

/// The generation of a namespace nobody has invalidated.
pub const FIRST: u64 = 1;

/// Namespace -> generation, bounded in rows and in bytes; see the module docs.
pub struct Generations<S = KeyHasher> {
    rows: LruCache<String, u64, S>,
    floor: u64,
    bytes: u64,
    max_rows: usize,
    max_bytes: Option<u64>,
}

fn row_cost(name: &str) -> u64 {
    name.len() as u64 + ROW_OVERHEAD
}

impl<S: BuildHasher> Generations<S> {
    /// A table of at most `max(max_rows, MIN_ROWS)` rows and, when `max_bytes` is given,
    /// at most `max(max_bytes, MIN_ROWS * ROW_OVERHEAD)` bytes of rows (one row is always
    /// kept, however long its name).
    pub fn new(hasher: S, max_rows: usize, max_bytes: Option<u64>) -> Self {
        let mut g = Generations { rows: LruCache::unbounded_with_hasher(hasher), floor: FIRST, bytes: 0, max_rows: 0, max_bytes: None };
        g.set_bounds(max_rows, max_bytes);
        g
    }

    /// Hashes the names with `hasher` from now on: a host may draw its seeds only when a
    /// first name comes (drawing them can cost more than making the store). Only while
    /// no row is held (false, and nothing changed, otherwise); the floor and the bounds stay.
    pub fn reseed(&mut self, hasher: S) -> bool {
        let empty = self.rows.is_empty();
        if empty {
            self.rows = LruCache::unbounded_with_hasher(hasher);
        }
        empty
    }

    /// Changes the bounds; rows over them are forgotten at once.
    pub fn set_bounds(&mut self, max_rows: usize, max_bytes: Option<u64>) {
        self.max_rows = max_rows.max(MIN_ROWS);
        self.max_bytes = max_bytes.map(|b| b.max(MIN_ROWS as u64 * ROW_OVERHEAD));
        self.shrink();
    }

    /// The generation of `namespace`, remembered as recently used so that namespaces in
    /// use are the last to be forgotten.
    pub fn get(&mut self, namespace: &str) -> u64 {
        if let Some(g) = self.rows.get(namespace) {
            return *g;
        }
        let g = self.floor;
        self.put(namespace, g);
        g
    }

    /// The generation of `namespace`, without remembering the read.
    pub fn peek(&self, namespace: &str) -> u64 {
        self.rows.peek(namespace).copied().unwrap_or(self.floor)
    }

    /// Moves `namespace` to its next generation (saturating at `u64::MAX`); the new one.
    pub fn invalidate(&mut self, namespace: &str) -> u64 {
        let g = self.peek(namespace).saturating_add(1);
        self.put(namespace, g);
        g
    }

    /// Raises `namespace` to `generation`; never lowers it.
    pub fn raise(&mut self, namespace: &str, generation: u64) {
        if generation > self.peek(namespace) {
            self.put(namespace, generation);
        }
    }

    /// Takes in another table's view (a snapshot's `floor` and `rows`): every namespace
    /// ends at the larger of the two generations it had, so it never goes back here and
    /// the snapshot's entries of generations it had left there stay dead. A row of the
    /// snapshot counts for its namespace even below the snapshot's floor.
    pub fn merge(&mut self, floor: u64, rows: &[(String, u64)]) {
        for (name, g) in rows {
            // A row even when equal: the floor may rise past it just below.
            let g = self.peek(name).max(*g);
            self.put(name, g);
        }
        // Every row rises to the floor but the listed ones, which keep what they have now:
        // found through the table itself rather than a set of the listed names (a set
        // would bring its own hasher and hash table into the wasm module).
        let listed: Vec<(&str, Option<u64>)> = rows.iter().map(|(n, _)| (n.as_str(), self.rows.peek(n.as_str()).copied())).collect();
        for (_, g) in self.rows.iter_mut() {
            *g = (*g).max(floor);
        }
        for (name, g) in listed {
            if let (Some(row), Some(g)) = (self.rows.peek_mut(name), g) {
                *row = g;
            }
        }
        self.floor = self.floor.max(floor);
    }

    /// What a namespace without a row reads as.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    /// Rows held.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Bytes the rows are charged.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Every row, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.rows.iter().map(|(n, g)| (n.as_str(), *g))
    }

    /// Checks the bounds and the byte count; for property tests and fuzzing.
    pub fn validate(&self) -> Result<(), String> {
        let bytes: u64 = self.rows.iter().map(|(n, _)| row_cost(n)).sum();
        if bytes != self.bytes {
            return Err(format!("generation rows charged {} but hold {bytes}", self.bytes));
        }
        if self.rows.len() > 1 && (self.rows.len() > self.max_rows || self.max_bytes.is_some_and(|m| self.bytes > m)) {
            return Err(format!("{} generation rows ({} bytes) over their bounds", self.rows.len(), self.bytes));
        }
        Ok(())
    }

    fn put(&mut self, namespace: &str, generation: u64) {
        match self.rows.get_mut(namespace) {
            Some(g) => *g = generation,
            None => {
                self.bytes += row_cost(namespace);
                self.rows.put(namespace.to_owned(), generation);
            }
        }
        self.shrink();
    }

    /// Forgets least recently used rows while over a bound, keeping the newest one.
    fn shrink(&mut self) {
        while self.rows.len() > 1 && (self.rows.len() > self.max_rows || self.max_bytes.is_some_and(|m| self.bytes > m)) {
            let (name, g) = self.rows.pop_lru().expect("more than one row");
            self.bytes -= row_cost(&name);
            self.floor = self.floor.max(g);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hasher::seeded_hasher;

    fn table(rows: usize) -> Generations {
        Generations::new(seeded_hasher([1, 2, 3, 4]), rows, None)
    }

    #[test]
    fn a_forgotten_namespace_never_reads_an_older_generation() {
        let mut t = table(MIN_ROWS);
        assert_eq!(t.invalidate("a"), 2);
        for i in 0..MIN_ROWS {
            t.invalidate(&format!("other{i}"));
        }
        assert_eq!(t.len(), MIN_ROWS, "the oldest row went");
        assert!(t.peek("a") >= 2, "read {} after being forgotten at 2", t.peek("a"));
        assert_eq!(t.invalidate("a"), 3);
        t.validate().unwrap();
    }

    #[test]
    fn a_table_is_reseeded_only_while_it_holds_no_row() {
        let mut t = table(10);
        let floor = t.floor();
        assert!(t.reseed(seeded_hasher([5, 6, 7, 8])));
        assert_eq!((t.floor(), t.len()), (floor, 0));
        t.invalidate("a");
        assert!(!t.reseed(seeded_hasher([9; 4])), "a row is held: its hash must not change");
        assert_eq!((t.peek("a"), t.len()), (2, 1));
        t.validate().unwrap();
    }

    #[test]
    fn byte_bound_counts_name_lengths() {
        let mut t = Generations::new(seeded_hasher([0; 4]), usize::MAX, Some(0));
        let long = "n".repeat(1000);
        for i in 0..1000 {
            t.invalidate(&format!("{long}{i}"));
        }
        assert!(t.bytes() <= MIN_ROWS as u64 * ROW_OVERHEAD || t.len() == 1, "{} bytes", t.bytes());
        t.validate().unwrap();
    }

    #[test]
    fn merging_keeps_the_larger_generation_of_each_namespace() {
        let mut t = table(10);
        t.invalidate("a");
        for _ in 0..5 {
            t.invalidate("b");
        }
        t.invalidate("c");
        // The snapshot lists "c" below its own floor: its row counts for "c".
        t.merge(4, &[("b".into(), 3), ("c".into(), 2), ("d".into(), 9)]);
        let got: Vec<u64> = ["a", "b", "c", "d", "new"].iter().map(|n| t.peek(n)).collect();
        assert_eq!(got, vec![4, 6, 2, 9, 4]);
        t.validate().unwrap();
    }
}
