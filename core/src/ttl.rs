//! Timeouts as Django defines them, absolute expiries in Unix-epoch milliseconds,
//! and the clocks that tell the core what time it is.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// Django's default timeout, in seconds.
pub const DEFAULT_TIMEOUT_SECS: f64 = 300.0;

/// Expiries past this instant (about the year 287,000) are treated as "never":
/// no real deadline is that far and it keeps arithmetic far from overflow.
pub const MAX_EXPIRY_MS: u64 = 1 << 53;

/// A timeout as a caller says it, with Django's rules:
/// `Default` is the cache's default, `Never` never expires (`None` in Django),
/// `Seconds(s)` with `s <= 0` is already expired, fractions are allowed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Timeout {
    Default,
    Never,
    Seconds(f64),
}

/// When an entry stops being readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Expiry {
    /// Never expires.
    Never,
    /// Expires at this Unix-epoch millisecond: readable while `now < at`.
    At(u64),
}

impl Expiry {
    /// True when an entry with this expiry may no longer be read at `now`.
    #[inline]
    pub fn is_expired(self, now_ms: u64) -> bool {
        matches!(self, Expiry::At(at) if at <= now_ms)
    }

    /// Milliseconds left at `now`; `None` for an entry that never expires.
    pub fn remaining_ms(self, now_ms: u64) -> Option<u64> {
        match self {
            Expiry::Never => None,
            Expiry::At(at) => Some(at.saturating_sub(now_ms)),
        }
    }

    /// The expiry `ms` milliseconds after `now_ms`, with the same rules as a timeout in
    /// seconds: zero or negative is already expired, fractions round *up*, anything past
    /// [`MAX_EXPIRY_MS`] (or `+inf`) never expires, NaN is an error. Hosts whose users
    /// speak milliseconds (JS `ttl`) use it directly: going through seconds would lose
    /// whole milliseconds to rounding (`2007 / 1000 * 1000` is not 2007 in binary).
    ///
    /// ```
    /// use polycache::Expiry;
    /// assert_eq!(Expiry::after_ms(1_000, 2_007.0).unwrap(), Expiry::At(3_007));
    /// assert_eq!(Expiry::after_ms(1_000, 0.5).unwrap(), Expiry::At(1_001));
    /// assert!(Expiry::after_ms(1_000, -1.0).unwrap().is_expired(1_000));
    /// assert_eq!(Expiry::after_ms(1_000, f64::INFINITY).unwrap(), Expiry::Never);
    /// assert!(Expiry::after_ms(1_000, f64::NAN).is_err());
    /// ```
    pub fn after_ms(now_ms: u64, ms: f64) -> Result<Expiry> {
        if ms.is_nan() {
            return Err(Error::InvalidTimeout("timeout is NaN".into()));
        }
        if ms <= 0.0 {
            return Ok(Expiry::At(0));
        }
        let ms = ms.ceil();
        if ms >= (MAX_EXPIRY_MS - now_ms.min(MAX_EXPIRY_MS)) as f64 {
            Ok(Expiry::Never)
        } else {
            Ok(Expiry::At(now_ms + ms as u64))
        }
    }

    /// The expiry as the epoch millisecond it names; `None` for never.
    pub fn as_epoch_ms(self) -> Option<u64> {
        match self {
            Expiry::Never => None,
            Expiry::At(at) => Some(at),
        }
    }
}

impl Timeout {
    /// Turns a timeout into an absolute expiry, following Django:
    ///
    /// * `Default` uses `default` (itself a timeout, normally 300 s);
    /// * `Never` never expires;
    /// * zero or negative seconds are already expired;
    /// * a positive timeout is rounded *up* to whole milliseconds, so it never
    ///   yields an entry that is expired the moment it is written;
    /// * `+inf` or anything past [`MAX_EXPIRY_MS`] never expires;
    /// * NaN is an error.
    ///
    /// ```
    /// use polycache::{Timeout, Expiry};
    /// let now = 1_000_000;
    /// assert_eq!(Timeout::Seconds(1.5).expiry(now, Timeout::Never).unwrap(), Expiry::At(1_001_500));
    /// assert!(Timeout::Seconds(0.0).expiry(now, Timeout::Never).unwrap().is_expired(now));
    /// assert_eq!(Timeout::Default.expiry(now, Timeout::Seconds(300.0)).unwrap(), Expiry::At(1_300_000));
    /// assert!(Timeout::Seconds(f64::NAN).expiry(now, Timeout::Never).is_err());
    /// ```
    pub fn expiry(self, now_ms: u64, default: Timeout) -> Result<Expiry> {
        let t = match self {
            Timeout::Default => match default {
                Timeout::Default => Timeout::Seconds(DEFAULT_TIMEOUT_SECS),
                other => other,
            },
            other => other,
        };
        match t {
            Timeout::Never => Ok(Expiry::Never),
            Timeout::Default => unreachable!("resolved above"),
            Timeout::Seconds(s) => Expiry::after_ms(now_ms, s * 1000.0),
        }
    }

    /// Validates a timeout without computing an expiry (NaN is the only bad value).
    pub fn check(self) -> Result<()> {
        self.expiry(0, Timeout::Never).map(|_| ())
    }
}

/// A source of the current time in Unix-epoch milliseconds.
///
/// Hosts provide it: `time.time()` in Python, `Date.now()` or a user `now()` in JS.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> u64;
}

/// The operating system's wall clock (not available on `wasm32-unknown-unknown`,
/// where the JS host passes the time in instead).
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(0)
    }
}

/// A clock that moves only when told: tests advance it instead of sleeping.
///
/// ```
/// use polycache::{Clock, MockClock};
/// let clock = MockClock::new(1_000);
/// clock.advance(500);
/// assert_eq!(clock.now_ms(), 1_500);
/// ```
#[derive(Debug, Clone, Default)]
pub struct MockClock(Arc<AtomicU64>);

impl MockClock {
    pub fn new(start_ms: u64) -> Self {
        MockClock(Arc::new(AtomicU64::new(start_ms)))
    }
    pub fn advance(&self, ms: u64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn set(&self, ms: u64) {
        self.0.store(ms, Ordering::SeqCst);
    }
}

impl Clock for MockClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_zero_are_expired() {
        for s in [0.0, -1.0, -0.001, f64::NEG_INFINITY] {
            assert!(Timeout::Seconds(s).expiry(5, Timeout::Never).unwrap().is_expired(5));
        }
    }

    #[test]
    fn tiny_positive_timeout_is_still_live() {
        let e = Timeout::Seconds(0.0001).expiry(10, Timeout::Never).unwrap();
        assert_eq!(e, Expiry::At(11));
        assert!(!e.is_expired(10));
        assert!(e.is_expired(11));
    }

    #[test]
    fn huge_and_infinite_never_expire() {
        assert_eq!(Timeout::Seconds(f64::INFINITY).expiry(1, Timeout::Never).unwrap(), Expiry::Never);
        assert_eq!(Timeout::Seconds(1e300).expiry(1, Timeout::Never).unwrap(), Expiry::Never);
    }

    #[test]
    fn whole_milliseconds_are_kept_exactly() {
        for ms in [1u64, 2_007, 2_011, 59_999, 86_400_000] {
            assert_eq!(Expiry::after_ms(5, ms as f64).unwrap(), Expiry::At(5 + ms));
        }
        assert_eq!(Expiry::after_ms(5, -0.0).unwrap(), Expiry::At(0));
    }

    #[test]
    fn default_of_default_is_300s() {
        assert_eq!(Timeout::Default.expiry(0, Timeout::Default).unwrap(), Expiry::At(300_000));
    }
}
