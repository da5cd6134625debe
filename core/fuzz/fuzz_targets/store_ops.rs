//! Fuzz the store with operation sequences checked against the model
//! (the same driver as the property tests in core/tests/model.rs).
//!
//! Run: `make fuzz` (or `cd core/fuzz && cargo fuzz run store_ops`).
#![no_main]

#[path = "../../tests/common/model.rs"]
mod model;

use libfuzzer_sys::fuzz_target;
use polycache::{Config, Eviction};

fuzz_target!(|data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let config = Config {
        max_entries: (data[0] % 16) as usize + 1,
        max_bytes: if data[1] & 1 == 0 { None } else { Some((data[1] as usize) * 8 + 1) },
        eviction: match data[1] >> 5 {
            0..=2 => Eviction::Lru,
            3 => Eviction::Adaptive,
            n => Eviction::Cull { frequency: (n - 4) as usize },
        },
    };
    let ops = model::Op::decode(&data[2..]);
    if let Err(e) = model::run(config, &ops) {
        panic!("{e}");
    }
});
