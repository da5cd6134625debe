//! Fuzz the snapshot decoder: any bytes give a snapshot or an error, never a panic,
//! and whatever decodes re-encodes to the same bytes.
//!
//! Run: `cd core/fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run snapshot_decode`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use polycache::snapshot::{LoadOptions, Snapshot};

fuzz_target!(|data: &[u8]| {
    let signed = Snapshot::decode(data, LoadOptions { key: Some(b"fuzz-key"), allow_unsigned: false });
    if let Ok(loaded) = &signed {
        assert!(loaded.verified);
        assert_eq!(loaded.snapshot.encode(Some(b"fuzz-key")), data);
    }
    if let Ok(loaded) = Snapshot::decode(data, LoadOptions { key: None, allow_unsigned: true }) {
        assert!(!loaded.verified);
        if data.get(9) == Some(&0) {
            assert_eq!(loaded.snapshot.encode(None), data);
        }
    }
});
