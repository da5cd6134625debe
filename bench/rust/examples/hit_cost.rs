//! The cost of `get` under each eviction policy, for instruction counting: the same
//! warm Zipf workload as `get_zipf` in benches/store.rs, then `GETS` gets inside one
//! function (`measured_gets`) that callgrind can count alone:
//!
//! valgrind --tool=callgrind --toggle-collect='*measured_gets*' --callgrind-out-file=/dev/null \
//!     target/release/examples/hit_cost lru|adaptive [gets]
//!
//! Instructions are repeatable on a noisy shared machine where wall time is not
//! (docs/bench-rust.md, "Adaptive hit cost").

use std::hint::black_box;
use std::sync::Arc;

use polycache::{Config, Eviction, Expiry, Store};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const KEYS: usize = 100_000;
const CAPACITY: usize = 10_000;

fn zipf_indices(n: usize, s: f64, count: usize, seed: u64) -> Vec<usize> {
    let mut cdf = Vec::with_capacity(n);
    let mut total = 0.0;
    for i in 1..=n {
        total += 1.0 / (i as f64).powf(s);
        cdf.push(total);
    }
    let mut rng = StdRng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let u = rng.random::<f64>() * total;
            cdf.partition_point(|&c| c < u).min(n - 1)
        })
        .collect()
}

#[inline(never)]
fn measured_gets(store: &mut Store<Arc<str>, u64>, keys: &[String], trace: &[usize]) -> u64 {
    let mut hits = 0u64;
    for &k in trace {
        hits += store.get_with(keys[k].as_str(), 1, |v| *v).is_some() as u64;
    }
    hits
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let eviction = match args.first().map(String::as_str) {
        Some("lru") => Eviction::Lru,
        Some("adaptive") => Eviction::Adaptive,
        other => panic!("usage: hit_cost lru|adaptive [gets]; got {other:?}"),
    };
    let gets: usize = args.get(1).map_or(200_000, |n| n.parse().expect("gets: a number"));
    let keys: Vec<String> = (0..KEYS).map(|i| format!("user:{i}:profile")).collect();
    let trace = zipf_indices(KEYS, 1.0, 100_000 + gets, 42);
    let mut store: Store<Arc<str>, u64> =
        Store::new(Config { eviction, ..Config::lru(CAPACITY) }).expect("config");
    for &k in &trace[..100_000] {
        let key = &keys[k];
        if store.get_with(key.as_str(), 0, |v| *v).is_none() {
            store.set(Arc::from(key.as_str()), k as u64, 1, Expiry::Never, 0).expect("set");
        }
    }
    let hits = black_box(measured_gets(&mut store, &keys, &trace[100_000..]));
    println!("{eviction:?}: {gets} gets, {hits} hits");
}
