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
//! With a second argument `evict`, each store is filled first (not counted) and the
//! measured keys are 10,000 new ones past the bound, each evicting one.
//! Session 21 (docs/js-speed.md): LRU 81 instructions a key, adaptive 446, of which the
//! frequency sketch's increments ~136 and the window's overflow into probation ~80.
//! Session 22, this file as it is now: below the bound LRU 80, adaptive 450 -> 388 (the
//! fingerprint 8 bytes a step; an empty flush and an unread tail answered inline);
//! `evict` LRU 185, adaptive 900 -> 793.
use polycache::{fingerprint, Config, Eviction, Expiry, Slots, Store};
use std::hash::{BuildHasherDefault, DefaultHasher};

type S = Slots<BuildHasherDefault<DefaultHasher>>;

#[inline(never)]
fn measured_inserts(store: &mut Store<u32, u32, S>, keys: &[String], from: u32, learn: bool) {
    inserts(store, keys, from, learn);
}

fn inserts(store: &mut Store<u32, u32, S>, keys: &[String], from: u32, learn: bool) {
    for (i, k) in keys.iter().enumerate() {
        if learn {
            store.next_key_fingerprint(fingerprint(k.as_str()));
        }
        let slot = from + i as u32;
        let _ = store.set(slot, slot, 0, Expiry::Never, 0);
    }
}

fn main() {
    let policy = std::env::args().nth(1).unwrap_or_default();
    let n = 10_000;
    let eviction = if policy == "adaptive" { Eviction::Adaptive } else { Eviction::Lru };
    let evict = std::env::args().nth(2).as_deref() == Some("evict");
    let keys: Vec<String> = (0..2 * n).map(|i| format!("foo{i}bar")).collect();
    let learn = policy == "adaptive";
    for _ in 0..3 {
        let mut s: Store<u32, u32, S> = Store::with_hasher(Config { eviction, ..Config::lru(n) }, Slots(Default::default()), [1, 2, 3, 4]).unwrap();
        if evict {
            inserts(&mut s, &keys[..n], 0, learn);
            measured_inserts(&mut s, &keys[n..], n as u32, learn);
        } else {
            measured_inserts(&mut s, &keys[..n], 0, learn);
        }
        assert_eq!(s.len(), n);
    }
}
