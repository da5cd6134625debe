//! Counters every cache keeps, in every binding.

/// A snapshot of a cache's counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Reads that found a live entry.
    pub hits: u64,
    /// Reads that found nothing (or only an expired entry).
    pub misses: u64,
    /// Successful writes (`set`, `add` that stored, `incr`/`decr`).
    pub sets: u64,
    /// Live entries removed by `delete`.
    pub deletes: u64,
    /// Live entries removed to respect the entry or byte bound (LRU or Django's cull).
    pub evictions: u64,
    /// Entries removed because their expiry passed.
    pub expirations: u64,
    /// Entries held now (some may be expired but not yet purged).
    pub entries: u64,
    /// Bytes charged now.
    pub bytes: u64,
    /// Namespace generations remembered now (a bounded table; see `generations`).
    pub namespaces: u64,
}

impl Stats {
    /// `hits / (hits + misses)`, or 0 when nothing was read.
    pub fn hit_ratio(&self) -> f64 {
        let reads = self.hits + self.misses;
        if reads == 0 {
            0.0
        } else {
            self.hits as f64 / reads as f64
        }
    }
}
