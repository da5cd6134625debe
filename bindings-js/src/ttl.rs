//! How a JS caller names an expiry, turned into the core's `Timeout`/`Expiry`.
//!
//! Two dialects reach here, each as a `(kind, amount)` pair of numbers so the hot path
//! passes no objects: lru-cache's `ttl` in milliseconds (0 means "no TTL", as in
//! lru-cache) and Django's `timeout` in seconds (`null` never, 0 or less already expired).

use polycache::{Error, Expiry, Timeout};

use crate::error::{cat, show};

pub const KIND_DEFAULT: u32 = 0;
pub const KIND_NEVER: u32 = 1;
pub const KIND_SECONDS: u32 = 2;
pub const KIND_MILLIS: u32 = 3;
/// Django's own default (300 s), for caches built with `timeouts: 'django'`.
pub const KIND_DJANGO_DEFAULT: u32 = 4;

/// A requested lifetime, before the time is known.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ttl {
    Default,
    Timeout(Timeout),
    Millis(f64),
}

impl Ttl {
    pub fn decode(kind: u32, amount: f64) -> Result<Ttl, Error> {
        match kind {
            KIND_DEFAULT => Ok(Ttl::Default),
            KIND_NEVER => Ok(Ttl::Timeout(Timeout::Never)),
            KIND_SECONDS => Ok(Ttl::Timeout(Timeout::Seconds(amount))),
            KIND_MILLIS if amount == 0.0 => Ok(Ttl::Timeout(Timeout::Never)),
            KIND_MILLIS => Ok(Ttl::Millis(amount)),
            KIND_DJANGO_DEFAULT => Ok(Ttl::Timeout(Timeout::Default)),
            _ => Err(Error::InvalidTimeout(cat(&["unknown timeout kind ", &show(kind.into())]))),
        }
    }

    /// Checks a cache-wide default: NaN is refused by the core; a negative `ttl` default
    /// would expire every entry the moment it is written, which is never what was meant.
    pub fn check_default(self) -> Result<(), Error> {
        match self {
            Ttl::Millis(ms) if ms < 0.0 => Err(Error::InvalidConfig(cat(&["ttl must not be negative, got ", &show(ms)]))),
            Ttl::Millis(ms) => Expiry::after_ms(0, ms).map(|_| ()),
            Ttl::Timeout(t) => t.check(),
            Ttl::Default => Ok(()),
        }
    }

    /// The absolute expiry at `now`, `default` standing in for `Ttl::Default`.
    pub fn expiry(self, now: u64, default: Ttl) -> Result<Expiry, Error> {
        let resolved = if self == Ttl::Default { default } else { self };
        match resolved {
            Ttl::Default => Ok(Expiry::Never),
            // Only KIND_DJANGO_DEFAULT yields `Timeout::Default`: the core resolves it to 300 s.
            Ttl::Timeout(t) => t.expiry(now, Timeout::Default),
            Ttl::Millis(ms) => Expiry::after_ms(now, ms),
        }
    }
}

/// A JS time (`Date.now()` or the user's `now()`) as the core's epoch milliseconds.
/// Fractions are dropped; negative or NaN times read as 0.
#[inline]
pub fn now_ms(now: f64) -> u64 {
    now as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lru_cache_zero_ttl_means_no_ttl() {
        assert_eq!(Ttl::decode(KIND_MILLIS, 0.0).unwrap().expiry(5, Ttl::Default).unwrap(), Expiry::Never);
        assert!(Ttl::decode(KIND_MILLIS, -1.0).unwrap().expiry(5, Ttl::Default).unwrap().is_expired(5));
    }

    #[test]
    fn default_resolves_to_cache_default() {
        let d = Ttl::Timeout(Timeout::Seconds(2.0));
        assert_eq!(Ttl::Default.expiry(1_000, d).unwrap(), Expiry::At(3_000));
        assert_eq!(Ttl::Default.expiry(1_000, Ttl::Default).unwrap(), Expiry::Never);
        let django = Ttl::decode(KIND_DJANGO_DEFAULT, 0.0).unwrap();
        assert_eq!(Ttl::Default.expiry(1_000, django).unwrap(), Expiry::At(301_000));
        assert!(Ttl::Millis(-5.0).check_default().is_err());
        assert!(Ttl::Millis(f64::NAN).check_default().is_err());
    }
}
