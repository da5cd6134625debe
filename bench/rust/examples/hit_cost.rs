//! The cost of `get` under each eviction policy, for instruction counting: the same
//! warm Zipf workload as `get_zipf` in benches/store.rs, then `GETS` gets inside one
//! function (`measured_gets`) that callgrind can count alone:
//!
//! valgrind --tool=callgrind --toggle-collect='*measured_gets*' --callgrind-out-file=/dev/null \
//!     target/release/examples/hit_cost lru|adaptive [gets]
//!
//! Instructions are repeatable on a noisy shared machine where wall time is not
//! (docs/bench-rust.md, "Adaptive hit cost").
//!
//! `hit_cost lru|adaptive GETS ENTRIES` fills a store of ENTRIES entries instead and reads
//! keys drawn uniformly from all of them (every get a hit, as `bench/django_sizes.py`
//! does): the case where a large cache pays for memory traffic.
//!
//! `hit_cost ab [rounds [batch]]` times both policies in one process instead, alternating
//! batches of gets (1,000 by default: LRU, adaptive, LRU, ...) so that both see the same
//! machine load, and prints the median of the per-round time ratios. Small batches start
//! each store's batch with the other's data in the CPU caches (which favours the
//! adaptive store's compact slots); large ones (100,000) let each warm up first.
//!
//! `hit_cost ab-uniform [entries [rounds [batch]]]` does the same on two full stores of
//! `entries` (1,000,000) entries with 24-byte values (the Python binding's `Value`), gets
//! drawn uniformly (as `bench/django_sizes.py` does): the million-entry case in wall time.
//!
//! Keys are `polycache::Key` (short ones inline), as `Cache` and the Python binding hold
//! them; `HIT_COST_KEY=arc` runs the same with `Arc<str>` keys, as before keys went inline.

use std::borrow::Borrow;
use std::hash::Hash;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use polycache::{Config, Eviction, Expiry, Key, Store};
use polycache_bench::zipf_indices;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const KEYS: usize = 100_000;
const CAPACITY: usize = 10_000;

/// What a store key needs to be here: `Key` or `Arc<str>`.
trait StoreKey: Hash + Eq + Ord + Clone + Borrow<str> + for<'a> From<&'a str> {}
impl<K: Hash + Eq + Ord + Clone + Borrow<str> + for<'a> From<&'a str>> StoreKey for K {}

#[inline(never)]
fn measured_gets<K: StoreKey>(store: &mut Store<K, u64>, keys: &[String], trace: &[usize]) -> u64 {
    let mut hits = 0u64;
    for &k in trace {
        hits += store.get_with(keys[k].as_str(), 1, |v| *v).is_some() as u64;
    }
    hits
}

/// A store of `eviction` warmed by the trace's first 100,000 accesses (insert on miss).
fn warm<K: StoreKey>(eviction: Eviction, keys: &[String], trace: &[usize]) -> Store<K, u64> {
    let mut store: Store<K, u64> =
        Store::new(Config { eviction, ..Config::lru(CAPACITY) }).expect("config");
    for &k in &trace[..100_000] {
        let key = &keys[k];
        if store.get_with(key.as_str(), 0, |v| *v).is_none() {
            store.set(K::from(key.as_str()), k as u64, 1, Expiry::Never, 0).expect("set");
        }
    }
    store
}

fn ab<K: StoreKey>(keys: &[String], rounds: usize, batch_len: usize) {
    let trace = zipf_indices(KEYS, 1.0, 300_000, 42);
    let (mut lru, mut adaptive) = (warm::<K>(Eviction::Lru, keys, &trace), warm::<K>(Eviction::Adaptive, keys, &trace));
    let gets = &trace[100_000..];
    let mut ratios = Vec::with_capacity(rounds);
    let (mut t_lru, mut t_adaptive) = (0u128, 0u128);
    for r in 0..rounds {
        let start = (r * batch_len) % (gets.len() - batch_len);
        let batch = &gets[start..start + batch_len];
        let t = Instant::now();
        black_box(measured_gets(&mut lru, keys, batch));
        let a = t.elapsed().as_nanos();
        let t = Instant::now();
        black_box(measured_gets(&mut adaptive, keys, batch));
        let b = t.elapsed().as_nanos();
        t_lru += a;
        t_adaptive += b;
        ratios.push(b as f64 / a.max(1) as f64);
    }
    report(&format!("{rounds} rounds of {batch_len} gets each"), t_lru, t_adaptive, ratios, batch_len);
}

/// One line: ns per get of each policy over all rounds, and the median, p10 and p90 of the
/// per-round adaptive/LRU time ratios.
fn report(what: &str, t_lru: u128, t_adaptive: u128, mut ratios: Vec<f64>, batch_len: usize) {
    ratios.sort_by(f64::total_cmp);
    let rounds = ratios.len();
    let per_get = |t: u128| t as f64 / (rounds * batch_len) as f64;
    println!(
        "{what}: LRU {:.1} ns/get, adaptive {:.1} ns/get; adaptive/LRU median of rounds {:.3} (p10 {:.3}, p90 {:.3})",
        per_get(t_lru),
        per_get(t_adaptive),
        ratios[rounds / 2],
        ratios[rounds / 10],
        ratios[rounds * 9 / 10]
    );
}

/// Keys shaped as Django's default key function makes them (`bench/django_sizes.py`'s).
fn django_keys(entries: usize) -> Vec<String> {
    (0..entries).map(|i| format!(":1:user:{i}:profile")).collect()
}

/// A full store of `entries` entries (24-byte values), then `gets` hits on keys drawn
/// uniformly.
fn uniform<K: StoreKey>(eviction: Eviction, gets: usize, entries: usize) {
    let keys = django_keys(entries);
    let mut store = fill::<K>(eviction, &keys);
    let mut rng = StdRng::seed_from_u64(7);
    let trace: Vec<usize> = (0..gets).map(|_| rng.random_range(0..entries)).collect();
    let hits = black_box(measured_wide_gets(&mut store, &keys, &trace));
    println!("{eviction:?}: {entries} entries, {gets} uniform gets, {hits} hits");
}

/// A 24-byte value, the size of the Python binding's `Value`, so that a slot or a node is
/// as large as under Django.
type Wide = [u64; 3];

#[inline(never)]
fn measured_wide_gets<K: StoreKey>(store: &mut Store<K, Wide>, keys: &[String], trace: &[usize]) -> u64 {
    let mut hits = 0u64;
    for &k in trace {
        hits += store.get_with(keys[k].as_str(), 1, |v| v[0]).is_some() as u64;
    }
    hits
}

/// A full store of one entry per key, in order.
fn fill<K: StoreKey>(eviction: Eviction, keys: &[String]) -> Store<K, Wide> {
    let mut store: Store<K, Wide> = Store::new(Config { eviction, ..Config::lru(keys.len()) }).expect("config");
    for (i, key) in keys.iter().enumerate() {
        store.set(K::from(key.as_str()), [i as u64; 3], 1, Expiry::Never, 0).expect("set");
    }
    store
}

/// `ab-uniform ENTRIES [rounds [batch]]`: two full stores of ENTRIES entries (LRU, then
/// adaptive; 24-byte values), then batches of gets on keys drawn uniformly (a fresh batch
/// for each store, the first to run alternating), timed; prints the median of the
/// per-round adaptive/LRU ratios.
fn ab_uniform<K: StoreKey>(entries: usize, rounds: usize, batch_len: usize) {
    let keys = django_keys(entries);
    let (mut lru, mut adaptive) = (fill::<K>(Eviction::Lru, &keys), fill::<K>(Eviction::Adaptive, &keys));
    let mut rng = StdRng::seed_from_u64(7);
    let mut ratios = Vec::with_capacity(rounds);
    let (mut t_lru, mut t_adaptive) = (0u128, 0u128);
    for r in 0..rounds {
        // Each store reads its own batch (a second pass over the same keys would find them
        // in the CPU caches), and the first to run alternates.
        let mut time = |store: &mut Store<K, Wide>| {
            let batch: Vec<usize> = (0..batch_len).map(|_| rng.random_range(0..entries)).collect();
            let t = Instant::now();
            black_box(measured_wide_gets(store, &keys, &batch));
            t.elapsed().as_nanos()
        };
        let (a, b) = if r % 2 == 0 {
            let a = time(&mut lru);
            (a, time(&mut adaptive))
        } else {
            let b = time(&mut adaptive);
            (time(&mut lru), b)
        };
        t_lru += a;
        t_adaptive += b;
        ratios.push(b as f64 / a.max(1) as f64);
    }
    report(&format!("{entries} entries, {rounds} rounds of {batch_len} uniform gets"), t_lru, t_adaptive, ratios, batch_len);
}

fn main() {
    match std::env::var("HIT_COST_KEY").as_deref() {
        Ok("arc") => run::<Arc<str>>(),
        Ok("inline") | Err(_) => run::<Key>(),
        Ok(other) => panic!("HIT_COST_KEY: arc or inline, not {other:?}"),
    }
}

fn run<K: StoreKey>() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let keys: Vec<String> = (0..KEYS).map(|i| format!("user:{i}:profile")).collect();
    let eviction = match args.first().map(String::as_str) {
        Some("lru") => Eviction::Lru,
        Some("adaptive") => Eviction::Adaptive,
        Some("ab") => {
            let rounds = args.get(1).map_or(20_000, |n| n.parse().expect("rounds: a number"));
            return ab::<K>(&keys, rounds, args.get(2).map_or(1_000, |n| n.parse().expect("batch: a number")));
        }
        Some("ab-uniform") => {
            let entries = args.get(1).map_or(1_000_000, |n| n.parse().expect("entries: a number"));
            let rounds = args.get(2).map_or(200, |n| n.parse().expect("rounds: a number"));
            return ab_uniform::<K>(entries, rounds, args.get(3).map_or(10_000, |n| n.parse().expect("batch: a number")));
        }
        other => panic!(
            "usage: hit_cost lru|adaptive [gets [entries]] | ab [rounds [batch]] | ab-uniform [entries [rounds [batch]]]; got {other:?}"
        ),
    };
    let gets: usize = args.get(1).map_or(200_000, |n| n.parse().expect("gets: a number"));
    if let Some(entries) = args.get(2).map(|n| n.parse::<usize>().expect("entries: a number")) {
        return uniform::<K>(eviction, gets, entries);
    }
    let trace = zipf_indices(KEYS, 1.0, 100_000 + gets, 42);
    let mut store = warm::<K>(eviction, &keys, &trace);
    let hits = black_box(measured_gets(&mut store, &keys, &trace[100_000..]));
    println!("{eviction:?}: {gets} gets, {hits} hits");
}
