//! Fuzz the snapshot decoder: any bytes give a snapshot or an error, never a panic,
//! and whatever decodes re-encodes to the same bytes.
//!
//! Run: `cd core/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run snapshot_decode`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polycache::snapshot::{LoadOptions, MaxAge, Snapshot, SnapshotKey};

fuzz_target!(|data: &[u8]| {
    let key = SnapshotKey::new(b"the fuzzing key, 16+ bytes").unwrap();
    let signed = Snapshot::decode(data, LoadOptions { key: Some(&key), ..Default::default() });
    if let Ok(loaded) = &signed {
        assert!(loaded.verified);
        assert_eq!(loaded.snapshot.encode(Some(&key)).unwrap(), data);
    }
    let lax = LoadOptions { allow_unsigned: true, ..Default::default() };
    if let Ok(loaded) = Snapshot::decode(data, lax) {
        assert!(!loaded.verified);
        if data.get(9) == Some(&0) {
            assert_eq!(loaded.snapshot.encode(None).unwrap(), data);
        }
        // An age limit refuses or accepts by created_at alone, never panics.
        let limit = MaxAge { now_ms: 1_700_000_000_000, max_age_ms: 60_000 };
        let aged = Snapshot::decode(data, LoadOptions { max_age: Some(limit), ..lax });
        assert_eq!(aged.is_ok(), loaded.snapshot.created_at.abs_diff(limit.now_ms) <= limit.max_age_ms);
    }
});
