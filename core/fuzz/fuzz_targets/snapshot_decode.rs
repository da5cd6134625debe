//! Fuzz the snapshot decoder: any bytes give a snapshot or an error, never a panic,
//! and whatever decodes re-encodes to the same bytes.
//!
//! Run: `cd core/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run snapshot_decode`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polycache::snapshot::{LoadOptions, MaxAge, Snapshot, SnapshotKey, Windows, HEAD_LEN};

/// The generation floor reading `data` in windows of 7 bytes (as the JS binding does with
/// 1 MiB) finds, or `None` when it refuses the input.
fn windows_accept(data: &[u8], opts: LoadOptions<'_>) -> Option<u64> {
    let Ok(mut w) = Windows::open(&data[..data.len().min(HEAD_LEN)], data.len(), opts) else { return None };
    w.mac_update(&data[..w.body_end()]);
    if w.mac_verify(&data[w.body_end()..]).is_err() {
        return None;
    }
    let mut need = 7;
    loop {
        let at = w.pos().min(data.len());
        let end = data.len().min(at.saturating_add(need.max(7)));
        match w.walk(&data[at..end], |_| ()) {
            Ok(None) => return Some(w.generation_floor()),
            Ok(Some(n)) => need = n,
            Err(_) => return None,
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let key = SnapshotKey::new(b"the fuzzing key, 16+ bytes").unwrap();
    let strict = LoadOptions { key: Some(&key), ..Default::default() };
    let signed = Snapshot::decode(data, strict);
    assert_eq!(windows_accept(data, strict), signed.as_ref().ok().map(|l| l.snapshot.generation_floor));
    if let Ok(loaded) = &signed {
        assert!(loaded.verified);
        assert_eq!(loaded.snapshot.encode(Some(&key)).unwrap(), data);
    }
    let lax = LoadOptions { allow_unsigned: true, ..Default::default() };
    let whole = Snapshot::decode(data, lax);
    assert_eq!(windows_accept(data, lax), whole.as_ref().ok().map(|l| l.snapshot.generation_floor));
    if let Ok(loaded) = whole {
        assert!(!loaded.verified);
        assert!(loaded.snapshot.generation_floor >= 1);
        // Unsigned (bit 0 clear), with or without a floor: one way to write each snapshot.
        if data.get(9).is_some_and(|f| f & 1 == 0) {
            assert_eq!(loaded.snapshot.encode(None).unwrap(), data);
        }
        // An age limit refuses or accepts by created_at alone, never panics.
        let limit = MaxAge { now_ms: 1_700_000_000_000, max_age_ms: 60_000 };
        let aged = Snapshot::decode(data, LoadOptions { max_age: Some(limit), ..lax });
        assert_eq!(aged.is_ok(), loaded.snapshot.created_at.abs_diff(limit.now_ms) <= limit.max_age_ms);
    }
});
