//! lru-cache's lifetime rule, for hosts that speak it (the JS `LRUCache`).
//!
//! An entry remembers when its life started and how long it may live, both as the
//! host's clock reads them (`performance.now()` milliseconds, fractions included), and
//! is *stale* once its age is strictly greater than its ttl. A ttl or start of 0 (or
//! NaN) means the entry has no lifetime at all: lru-cache stores a start of 0 for
//! "not timed", so a clock that reads 0 starts an untimed entry, and this rule keeps
//! that. Stale entries stay until a read, a purge or the LRU removes them; the store
//! never drops them on its own, which is why this is not an [`crate::Expiry`].

/// When an entry's life started and how long it lasts, in the host clock's units.
/// (`repr(C)`: the JS `LRUCache` writes an array of them in wasm memory, ttl then start.)
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(C)]
pub struct Age {
    pub ttl: f64,
    pub start: f64,
}

/// A number JS would call falsy (0, -0 or NaN).
fn falsy(x: f64) -> bool {
    x == 0.0 || x.is_nan()
}

impl Age {
    /// A lifetime of `ttl` starting at `start`; a ttl of 0 records no start.
    ///
    /// ```
    /// use polycache::Age;
    /// let a = Age::new(10.0, 100.0);
    /// assert!(!a.is_stale(110.0)); // age 10 is not greater than 10
    /// assert!(a.is_stale(110.5));
    /// assert_eq!(a.remaining(104.0), 6.0);
    /// assert_eq!(Age::new(0.0, 100.0).remaining(1e9), f64::INFINITY);
    /// ```
    pub fn new(ttl: f64, start: f64) -> Age {
        Age { ttl, start: if ttl == 0.0 { 0.0 } else { start } }
    }

    /// True when the entry can go stale (it has both a ttl and a start).
    pub fn is_timed(self) -> bool {
        !falsy(self.ttl) && !falsy(self.start)
    }

    /// True when the entry's age at `now` is greater than its ttl.
    pub fn is_stale(self, now: f64) -> bool {
        self.is_timed() && now - self.start > self.ttl
    }

    /// Time left at `now`: negative once stale, `Infinity` for an untimed entry.
    pub fn remaining(self, now: f64) -> f64 {
        if self.is_timed() {
            self.ttl - (now - self.start)
        } else {
            f64::INFINITY
        }
    }

    /// The same ttl, restarted at `now` (lru-cache's `updateAgeOnGet`/`updateAgeOnHas`).
    pub fn restarted(self, now: f64) -> Age {
        Age::new(self.ttl, now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_only_when_age_exceeds_ttl() {
        let a = Age::new(5.0, 1.0);
        assert!(!a.is_stale(6.0));
        assert!(a.is_stale(6.000_1));
        assert_eq!(a.remaining(6.0), 0.0);
        assert_eq!(a.remaining(8.0), -2.0);
    }

    #[test]
    fn zero_or_nan_ttl_or_start_is_untimed() {
        for a in [Age::new(0.0, 5.0), Age::new(5.0, 0.0), Age::new(f64::NAN, 5.0), Age::new(5.0, f64::NAN)] {
            assert!(!a.is_timed());
            assert!(!a.is_stale(1e12));
            assert_eq!(a.remaining(1e12), f64::INFINITY);
        }
        assert_eq!(Age::new(0.0, 5.0).start, 0.0);
    }

    #[test]
    fn negative_ttl_is_stale_at_once_and_infinite_never() {
        assert!(Age::new(-1.0, 3.0).is_stale(3.0));
        assert!(!Age::new(f64::INFINITY, 3.0).is_stale(1e300));
        assert_eq!(Age::new(f64::INFINITY, 3.0).remaining(10.0), f64::INFINITY);
    }

    #[test]
    fn restart_keeps_ttl_and_moves_start() {
        let a = Age::new(10.0, 1.0).restarted(50.0);
        assert_eq!(a, Age { ttl: 10.0, start: 50.0 });
        assert!(!a.is_stale(60.0));
        assert_eq!(Age::new(0.0, 1.0).restarted(50.0).start, 0.0);
    }
}
