//! Key building: Django's `prefix:version:key`, structured keys with an unambiguous
//! encoding, SHA-256 shortening of long keys, and Django's memcached key warnings.
//!
//! Lengths are counted in Unicode scalar values (what Python's `len` counts), never in
//! UTF-16 units or bytes, so the three bindings agree on every key.

use sha2::{Digest, Sha256};

/// Memcached's key limit, which Django warns about.
pub const MEMCACHE_MAX_KEY_LENGTH: usize = 250;

/// Longest key [`KeyBuilder::build`] returns by default: 200 characters, which leaves
/// 50 for `prefix:version:` before the full key reaches Django's 250.
pub const DEFAULT_MAX_KEY_LENGTH: usize = 200;

/// Length of the shortened form's hash part: `#` and 64 hex digits.
const HASH_SUFFIX_LEN: usize = 65;

/// Django's default key function: `"{prefix}:{version}:{key}"`.
///
/// ```
/// assert_eq!(polycache::make_key("site", 1, "user:42"), "site:1:user:42");
/// assert_eq!(polycache::make_key("", 2, "k"), ":2:k");
/// ```
pub fn make_key(prefix: &str, version: i64, key: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + key.len() + 8);
    out.push_str(prefix);
    out.push(':');
    if version < 0 {
        out.push('-');
    }
    push_decimal(&mut out, version.unsigned_abs());
    out.push(':');
    out.push_str(key);
    out
}

/// A reason Django gives for warning about a key (`CacheKeyWarning`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyWarning {
    /// Longer than 250 characters.
    TooLong,
    /// Contains a control character, a space, or DEL (memcached rejects them).
    ForbiddenCharacter,
}

impl KeyWarning {
    /// A stable name for the warning, shared by the vectors and every binding.
    pub fn name(self) -> &'static str {
        match self {
            KeyWarning::TooLong => "too_long",
            KeyWarning::ForbiddenCharacter => "forbidden_character",
        }
    }
}

/// Django's `memcache_key_warnings`: every warning a key deserves, in Django's order.
///
/// ```
/// use polycache::{key_warnings, KeyWarning};
/// assert!(key_warnings("fine:key").is_empty());
/// assert_eq!(key_warnings("has space"), vec![KeyWarning::ForbiddenCharacter]);
/// assert_eq!(key_warnings(&"x".repeat(251)), vec![KeyWarning::TooLong]);
/// ```
pub fn key_warnings(key: &str) -> Vec<KeyWarning> {
    let mut out = Vec::new();
    if key.len() > MEMCACHE_MAX_KEY_LENGTH && key.chars().count() > MEMCACHE_MAX_KEY_LENGTH {
        out.push(KeyWarning::TooLong);
    }
    if key.chars().any(|c| (c as u32) < 33 || c as u32 == 127) {
        out.push(KeyWarning::ForbiddenCharacter);
    }
    out
}

/// Escapes one component of a structured key: `%`, the separators
/// `: , ? & = @ # |`, space, control characters and DEL become `%XX` (upper-case hex of
/// the byte). Everything else, including non-ASCII text, is kept as it is.
///
/// ```
/// assert_eq!(polycache::escape_component("a:b c"), "a%3Ab%20c");
/// ```
pub fn escape_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(s, &mut out);
    out
}

fn escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '%' | ':' | ',' | '?' | '&' | '=' | '@' | '#' | '|' | '\u{0}'..='\u{20}' | '\u{7f}' => {
                out.push('%');
                push_hex_byte(out, c as u8, b"0123456789ABCDEF");
            }
            _ => out.push(c),
        }
    }
}

/// Shortens `key` to at most `max_len` characters when it is longer: the first
/// `max_len - 65` characters, then `#`, then the lower-case hex SHA-256 of the whole
/// UTF-8 key. Shorter keys come back unchanged. `max_len` below 65 is raised to 65.
///
/// Keys built by [`KeyBuilder`] never contain a bare `#`, so a shortened key can never
/// equal an unshortened one.
///
/// ```
/// let long = "a".repeat(300);
/// let short = polycache::shorten_key(&long, 200);
/// assert_eq!(short.chars().count(), 200);
/// assert!(short.starts_with(&"a".repeat(135)));
/// assert_eq!(polycache::shorten_key("short", 200), "short");
/// ```
pub fn shorten_key(key: &str, max_len: usize) -> String {
    let max_len = max_len.max(HASH_SUFFIX_LEN);
    if key.len() <= max_len || key.chars().count() <= max_len {
        return key.to_owned();
    }
    let keep = max_len - HASH_SUFFIX_LEN;
    let cut = key.char_indices().nth(keep).map(|(i, _)| i).unwrap_or(key.len());
    let mut out = String::with_capacity(cut + HASH_SUFFIX_LEN);
    out.push_str(&key[..cut]);
    out.push('#');
    out.push_str(&sha256_hex(key.as_bytes()));
    out
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        push_hex_byte(&mut out, *b, b"0123456789abcdef");
    }
    out
}

/// The key of `key` inside namespace `namespace` at generation `generation`:
/// `"{escaped namespace}|{generation}|{key}"`. Bumping the generation makes every key of
/// the old generation unreachable at once.
///
/// ```
/// assert_eq!(polycache::namespaced_key("books", 3, "list:1"), "books|3|list:1");
/// assert_eq!(polycache::namespaced_key("a|b", 1, "k"), "a%7Cb|1|k");
/// ```
pub fn namespaced_key(namespace: &str, generation: u64, key: &str) -> String {
    let mut out = String::with_capacity(namespace.len() + key.len() + 8);
    escape_into(namespace, &mut out);
    out.push('|');
    push_decimal(&mut out, generation);
    out.push('|');
    out.push_str(key);
    out
}

/// A builder for structured keys: a resource, identifiers, query parameters and an
/// optional user scope, encoded as
/// `resource[:id,id...][?k=v&k=v...][@scope]` with every component escaped by
/// [`escape_component`] and parameters sorted by (name, value) in code-point order.
///
/// ```
/// use polycache::KeyBuilder;
/// let key = KeyBuilder::new("books")
///     .id("42")
///     .param("page", "2")
///     .param("ordering", "-title")
///     .scope("user:7")
///     .build();
/// assert_eq!(key, "books:42?ordering=-title&page=2@user%3A7");
/// // Separators inside components are escaped, so these differ:
/// assert_ne!(KeyBuilder::new("a:b").id("c").build(), KeyBuilder::new("a").id("b:c").build());
/// ```
#[derive(Debug, Clone, Default)]
pub struct KeyBuilder {
    resource: String,
    ids: Vec<String>,
    params: Vec<(String, String)>,
    scope: Option<String>,
    max_len: Option<usize>,
}

impl KeyBuilder {
    pub fn new(resource: impl Into<String>) -> Self {
        KeyBuilder { resource: resource.into(), ..Default::default() }
    }

    /// Adds an identifier (order matters: `books:1,2` is not `books:2,1`).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.ids.push(id.into());
        self
    }

    /// Adds a query parameter (order does not matter; repeats are kept).
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.params.push((name.into(), value.into()));
        self
    }

    /// Scopes the key to a user (or any audience); unscoped keys are public.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Longest key to return (default [`DEFAULT_MAX_KEY_LENGTH`]); longer keys are
    /// shortened with [`shorten_key`].
    pub fn max_length(mut self, max_len: usize) -> Self {
        self.max_len = Some(max_len);
        self
    }

    /// The encoded key, shortened if it is too long.
    pub fn build(&self) -> String {
        let mut out = String::with_capacity(64);
        escape_into(&self.resource, &mut out);
        for (i, id) in self.ids.iter().enumerate() {
            out.push(if i == 0 { ':' } else { ',' });
            escape_into(id, &mut out);
        }
        let mut params: Vec<&(String, String)> = self.params.iter().collect();
        params.sort();
        for (i, (name, value)) in params.into_iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            escape_into(name, &mut out);
            out.push('=');
            escape_into(value, &mut out);
        }
        if let Some(scope) = &self.scope {
            out.push('@');
            escape_into(scope, &mut out);
        }
        let max_len = self.max_len.unwrap_or(DEFAULT_MAX_KEY_LENGTH);
        if out.chars().count() > max_len {
            shorten_key(&out, max_len)
        } else {
            out
        }
    }
}

// Numbers are written digit by digit rather than with `write!`: `core::fmt` is the bulk
// of what a panic-free wasm module would otherwise link for these three calls
// (docs/js-size-and-speed.md).

/// `n` in decimal.
fn push_decimal(out: &mut String, n: u64) {
    let mut digits = [0u8; 20];
    let mut len = 0;
    let mut rest = n;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (rest % 10) as u8;
        len += 1;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    for &d in digits.iter().skip(digits.len() - len) {
        out.push(char::from(d));
    }
}

/// `b` as two hex digits from `alphabet` (upper or lower case).
fn push_hex_byte(out: &mut String, b: u8, alphabet: &[u8; 16]) {
    out.push(char::from(alphabet[usize::from(b >> 4)]));
    out.push(char::from(alphabet[usize::from(b & 15)]));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escapes_read_as_formatting_wrote_them() {
        for v in [0i64, 7, 10, -1, 1234567890, i64::MAX, i64::MIN] {
            assert_eq!(make_key("p", v, "k"), format!("p:{v}:k"));
        }
        for g in [0u64, 1, 9, 10, 99, 100, u64::MAX] {
            assert_eq!(namespaced_key("n", g, "k"), format!("n|{g}|k"));
        }
        assert_eq!(escape_component("\u{0}\u{1f} %\u{7f}|"), "%00%1F%20%25%7F%7C");
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn empty_id_differs_from_no_id() {
        assert_ne!(KeyBuilder::new("r").build(), KeyBuilder::new("r").id("").build());
    }

    #[test]
    fn params_are_sorted_by_code_point() {
        let a = KeyBuilder::new("r").param("b", "1").param("a", "2").build();
        let b = KeyBuilder::new("r").param("a", "2").param("b", "1").build();
        assert_eq!(a, b);
        assert_eq!(a, "r?a=2&b=1");
    }

    #[test]
    fn shortened_keys_stay_within_bound_with_multibyte_text() {
        let long = "é😀".repeat(200);
        let k = KeyBuilder::new(long).build();
        assert_eq!(k.chars().count(), DEFAULT_MAX_KEY_LENGTH);
        assert!(k.contains('#'));
    }

    #[test]
    fn warnings_count_characters_not_bytes() {
        assert!(key_warnings(&"é".repeat(250)).is_empty());
        assert_eq!(key_warnings(&"é".repeat(251)), vec![KeyWarning::TooLong]);
        assert_eq!(key_warnings("a\u{7f}"), vec![KeyWarning::ForbiddenCharacter]);
    }
}

