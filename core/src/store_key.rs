//! The key a [`crate::Cache`] (and the Python binding's caches) hold: a string whose bytes
//! sit inside the key itself when it is short, so inside the policy's slot or node, and
//! a shared `Arc<str>` when it is long.
//!
//! Why: a hit compares the key's bytes. With an `Arc<str>` those bytes live in an
//! allocation of their own; the LRU's node happens to be allocated right after it, but
//! the adaptive policy's slots sit in one vector, far from their keys, so at a million
//! entries a hit waited on one more cache line (issue 14; docs/bench-rust.md, "Keys
//! inline"). Inline keys also save a `set` its allocation. Long keys stay shared, so a
//! clone (the store's expiry index keeps one) costs a reference count, not a copy.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

use arrayvec::ArrayString;

/// Longest key, in bytes, held inline; the key is then 32 bytes, where an `Arc<str>` is
/// 16. Django keys such as `:1:user:123456:profile` fit; session, template-fragment and
/// `cache_page` keys (64-130 bytes) do not, and are shared (docs/bench-rust.md, "Keys
/// inline", has the sizes measured).
pub const INLINE_KEY_BYTES: usize = 24;

/// A store key: `&str` everywhere it is read (it hashes, compares and orders as its
/// `str`, so a store of `Key`s is looked up with a `&str`).
///
/// ```
/// use polycache::Key;
/// let short = Key::from(":1:user:42");
/// let long = Key::from("x".repeat(100).as_str());
/// assert!(short.is_inline() && !long.is_inline());
/// assert_eq!(&*short, ":1:user:42");
/// assert_eq!(long.len(), 100);
/// ```
#[derive(Clone)]
pub struct Key(Repr);

#[derive(Clone)]
enum Repr {
    Inline(ArrayString<INLINE_KEY_BYTES>),
    Shared(Arc<str>),
}

impl Key {
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline(s) => s.as_str(),
            Repr::Shared(s) => s,
        }
    }

    /// True when the bytes are held inside the key.
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline(_))
    }
}

impl From<&str> for Key {
    #[inline]
    fn from(s: &str) -> Self {
        Key(match ArrayString::from(s) {
            Ok(inline) => Repr::Inline(inline),
            Err(_) => Repr::Shared(Arc::from(s)),
        })
    }
}

impl From<String> for Key {
    fn from(s: String) -> Self {
        if s.len() <= INLINE_KEY_BYTES {
            Key::from(s.as_str())
        } else {
            Key(Repr::Shared(Arc::from(s)))
        }
    }
}

impl Deref for Key {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Key {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Key {
    #[inline]
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// As its `str` hashes: what `Borrow<str>` requires.
impl Hash for Key {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state)
    }
}

impl PartialEq for Key {
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::RandomState;
    use std::hash::BuildHasher;

    #[test]
    fn inline_up_to_the_limit_shared_beyond_and_the_same_str_either_way() {
        let at = "k".repeat(INLINE_KEY_BYTES);
        let over = "k".repeat(INLINE_KEY_BYTES + 1);
        assert!(Key::from(at.as_str()).is_inline());
        assert!(Key::from(at.clone()).is_inline());
        assert!(!Key::from(over.as_str()).is_inline());
        assert!(!Key::from(over.clone()).is_inline());
        // Multi-byte text: the limit counts bytes.
        let wide = "é".repeat(INLINE_KEY_BYTES / 2 + 1);
        assert!(!Key::from(wide.as_str()).is_inline());
        assert_eq!(Key::from(wide.as_str()).as_str(), wide);
        assert_eq!(Key::from(over.as_str()).as_str(), over);
        assert_eq!(Key::from(""), Key::from(String::new()));
    }

    #[test]
    fn hashes_compares_and_orders_as_its_str() {
        let h = RandomState::new();
        for s in ["", "a", ":1:user:42:profile", &"long key ".repeat(10)] {
            let k = Key::from(s);
            assert_eq!(h.hash_one(&k), h.hash_one(s), "{s:?}");
            assert_eq!(format!("{k}"), s);
            assert_eq!(format!("{k:?}"), format!("{s:?}"));
        }
        let (a, b) = (Key::from("a"), Key::from("b".repeat(40)));
        assert!(a < b && b > a && a != b);
        assert_eq!(a.cmp(&a.clone()), Ordering::Equal);
    }

    #[test]
    fn is_no_larger_than_the_limit_needs() {
        // The inline bytes, their length (u32) and the variant's tag, padded to 8.
        assert_eq!(std::mem::size_of::<Key>(), (INLINE_KEY_BYTES + 8).next_multiple_of(8));
        assert_eq!(std::mem::size_of::<Option<Key>>(), std::mem::size_of::<Key>());
    }
}
