//! Property tests: random operation sequences against a plain model of the same rules,
//! with the store's invariants checked after every step.

// Only the shared module this test uses: each test crate compiles its own copy.
#[path = "common/model.rs"]
mod model;

use model::{run, Op};
use polycache::{Config, Eviction};
use proptest::prelude::*;

fn op() -> impl Strategy<Value = Op> {
    let key = 0u8..24;
    let ttl = proptest::option::of(0u8..60);
    prop_oneof![
        4 => (key.clone(), any::<u8>(), ttl.clone()).prop_map(|(key, charge, ttl)| Op::Set { key, charge, ttl }),
        1 => (key.clone(), any::<u8>(), ttl.clone()).prop_map(|(key, charge, ttl)| Op::Add { key, charge, ttl }),
        4 => key.clone().prop_map(|key| Op::Get { key }),
        1 => key.clone().prop_map(|key| Op::Delete { key }),
        1 => (key.clone(), ttl).prop_map(|(key, ttl)| Op::Touch { key, ttl }),
        1 => (key, any::<i8>()).prop_map(|(key, delta)| Op::Incr { key, delta }),
        1 => Just(Op::Purge),
        2 => (0u8..40).prop_map(|ms| Op::Advance { ms }),
        1 => Just(Op::Clear),
    ]
}

fn config() -> impl Strategy<Value = Config> {
    let eviction = prop_oneof![
        Just(Eviction::Lru),
        Just(Eviction::Adaptive),
        (0usize..5).prop_map(|frequency| Eviction::Cull { frequency }),
    ];
    (1usize..20, proptest::option::of(1usize..2000), eviction).prop_map(|(max_entries, max_bytes, eviction)| Config {
        max_entries,
        max_bytes,
        eviction,
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn store_agrees_with_model(config in config(), ops in proptest::collection::vec(op(), 1..300)) {
        if let Err(e) = run(config, &ops) {
            prop_assert!(false, "{}", e);
        }
    }
}

#[test]
fn decoded_fuzz_bytes_run() {
    // The fuzzer's decoder on a fixed input, so its path is exercised in every test run.
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).map(|b| b.wrapping_mul(37)).collect();
    run(Config::lru(5), &Op::decode(&bytes)).unwrap();
    run(Config::django(5, 2), &Op::decode(&bytes)).unwrap();
    run(Config { eviction: Eviction::Adaptive, ..Config::lru(5) }, &Op::decode(&bytes)).unwrap();
}
