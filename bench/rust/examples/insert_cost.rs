//! What a new key below the bound costs the core, adaptive policy against LRU, as the JS
//! `Cache`'s replay writes them (the key's fingerprint learnt first for the adaptive
//! policy). Counted in instructions, repeatable where wall time is not:
//!
//! ```text
//! cargo build --release -p polycache-bench --example insert_cost
//! valgrind --tool=callgrind --toggle-collect='*measured_inserts*' \
//!     --callgrind-out-file=/tmp/cg.POLICY target/release/examples/insert_cost POLICY
//! ```
//!
//! POLICY: `lru` or `adaptive`; 3 fresh stores of 10,000 keys each (divide by 30,000).
//! Session 21 (docs/js-speed.md): LRU 81 instructions a key, adaptive 446, of which the
//! frequency sketch's increments ~136 and the window's overflow into probation ~80.
use polycache::{fingerprint, Config, Eviction, Expiry, Slots, Store};
use std::hash::{BuildHasherDefault, DefaultHasher};

type S = Slots<BuildHasherDefault<DefaultHasher>>;

#[inline(never)]
fn measured_inserts(store: &mut Store<u32, u32, S>, keys: &[String], learn: bool) {
    for (i, k) in keys.iter().enumerate() {
        if learn {
            store.next_key_fingerprint(fingerprint(k.as_str()));
        }
        let _ = store.set(i as u32, i as u32, 0, Expiry::Never, 0);
    }
}

fn main() {
    let policy = std::env::args().nth(1).unwrap_or_default();
    let n = 10_000;
    let eviction = if policy == "adaptive" { Eviction::Adaptive } else { Eviction::Lru };
    let keys: Vec<String> = (0..n).map(|i| format!("foo{i}bar")).collect();
    for _ in 0..3 {
        let mut s: Store<u32, u32, S> = Store::with_hasher(Config { eviction, ..Config::lru(n) }, Slots(Default::default()), [1, 2, 3, 4]).unwrap();
        measured_inserts(&mut s, &keys, policy == "adaptive");
        assert_eq!(s.len(), n);
    }
}
