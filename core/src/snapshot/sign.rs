//! The snapshot key and its HMAC-SHA256, through RustCrypto's `hmac` crate (whose tag
//! check is constant-time): nothing here is cryptography of our own.
//!
//! A key is checked once, when it becomes a [`SnapshotKey`], so no snapshot can be
//! signed or verified under an empty or guessable-short key: the configuration
//! `SNAPSHOT_KEY = os.environ.get("X", "")` is an error, not a key everyone knows.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::error::{Error, Result};

/// The shortest key accepted, in bytes. 16 bytes is a 128-bit random key; Django's
/// `SECRET_KEY` (50 characters from `get_random_secret_key()`), `secrets.token_hex(16)`
/// and `secrets.token_urlsafe(16)` all pass. A key this short is only as good as its
/// randomness: the length is a floor against accidents, not a measure of strength.
pub const MIN_KEY_BYTES: usize = 16;

pub(crate) const MAC_LEN: usize = 32;

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// A key that snapshots may be signed and verified with.
///
/// ```
/// use polycache::snapshot::SnapshotKey;
/// assert!(SnapshotKey::new(b"a key of at least sixteen bytes").is_ok());
/// let err = SnapshotKey::new(b"").unwrap_err();
/// assert!(err.to_string().contains("empty"), "{err}");
/// assert!(SnapshotKey::new(b"s3cret").is_err());
/// ```
#[derive(Clone)]
pub struct SnapshotKey(Vec<u8>);

impl SnapshotKey {
    /// The key, or [`Error::InvalidConfig`] when it is shorter than [`MIN_KEY_BYTES`].
    pub fn new(key: &[u8]) -> Result<SnapshotKey> {
        if key.is_empty() {
            return Err(Error::InvalidConfig(format!(
                "the snapshot key is empty (an unset environment variable?): an empty key signs \
                 nothing, so it is refused; give at least {MIN_KEY_BYTES} bytes, or no key at all"
            )));
        }
        if key.len() < MIN_KEY_BYTES {
            return Err(Error::InvalidConfig(format!(
                "the snapshot key has {} bytes, fewer than the {MIN_KEY_BYTES} a key needs \
                 (Django's SECRET_KEY or secrets.token_hex(16) will do)",
                key.len()
            )));
        }
        Ok(SnapshotKey(key.to_vec()))
    }

    pub(crate) fn mac(&self) -> HmacSha256 {
        // HMAC takes keys of any length: this cannot fail.
        <HmacSha256 as KeyInit>::new_from_slice(&self.0).expect("HMAC accepts every key length")
    }
}

impl std::fmt::Debug for SnapshotKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SnapshotKey({} bytes)", self.0.len())
    }
}

/// HMAC-SHA256 (RFC 2104) of `msg` under any `key`, for checking against published
/// vectors; snapshots sign only with a [`SnapshotKey`].
///
/// ```
/// // RFC 4231, test case 2.
/// let mac = polycache::snapshot::hmac_sha256(b"Jefe", b"what do ya want for nothing?");
/// assert_eq!(polycache::snapshot::hex(&mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
/// ```
pub fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = <HmacSha256 as KeyInit>::new_from_slice(key).expect("HMAC accepts every key length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_vectors() {
        // Test case 1, and test case 6: a 131-byte key is hashed first.
        assert_eq!(
            hex(&hmac_sha256(&[0x0b; 20], b"Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        );
        assert_eq!(
            hex(&hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
        // Test case 3: 50 bytes of 0xdd under a 20-byte key.
        assert_eq!(
            hex(&hmac_sha256(&[0xaa; 20], &[0xdd; 50])),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
        );
    }

    #[test]
    fn empty_and_short_keys_are_refused_and_the_minimum_is_accepted() {
        for short in [&b""[..], b"k", &[7u8; MIN_KEY_BYTES - 1]] {
            let err = SnapshotKey::new(short).unwrap_err();
            assert!(matches!(err, Error::InvalidConfig(_)), "{err}");
        }
        assert!(SnapshotKey::new(&[7u8; MIN_KEY_BYTES]).is_ok());
        // Django's get_random_secret_key() gives 50 characters of this alphabet.
        assert!(SnapshotKey::new(b"django-insecure-0123456789abcdefghijklmnopqrstuvwxyz!@#$%^&*(-_=+)").is_ok());
    }

    #[test]
    fn debug_does_not_show_the_key() {
        let k = SnapshotKey::new(b"a very secret key here").unwrap();
        assert_eq!(format!("{k:?}"), "SnapshotKey(22 bytes)");
    }
}
