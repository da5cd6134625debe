//! polycache's store beside the raw `lru` crate, `quick_cache`, `moka` and `schnellru`,
//! on one Zipf workload, in one run. `make bench-rust` turns the results into
//! docs/bench-rust.md with our overhead over raw `lru` as a ratio.
//!
//! Workload: 100,000 distinct string keys (`"user:{n}:profile"`), Zipf(s = 1.0)
//! popularity, cache capacity 10,000 entries, batches of 1,000 operations.

use std::hint::black_box;
use std::num::NonZeroUsize;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use polycache::{CacheBuilder, Config, Eviction, Expiry, Key, Store, Timeout};
use polycache_bench::zipf_indices;

const KEYS: usize = 100_000;
const CAPACITY: usize = 10_000;
const BATCH: usize = 1_000;

/// The adaptive policy at the same capacity.
fn adaptive_config() -> Config {
    Config { eviction: Eviction::Adaptive, ..Config::lru(CAPACITY) }
}


struct Workload {
    keys: Vec<String>,
    trace: Vec<usize>,
}

impl Workload {
    fn new() -> Self {
        let keys = (0..KEYS).map(|i| format!("user:{i}:profile")).collect();
        Workload { keys, trace: zipf_indices(KEYS, 1.0, 200_000, 42) }
    }
    /// Batches cycle through the trace so every sample sees the same mix.
    fn batch(&self, i: &mut usize) -> &[usize] {
        let start = (*i * BATCH) % (self.trace.len() - BATCH);
        *i += 1;
        &self.trace[start..start + BATCH]
    }
}

fn bench_get(c: &mut Criterion) {
    let w = Workload::new();
    let mut g = c.benchmark_group("get_zipf");
    g.throughput(Throughput::Elements(BATCH as u64));

    let mut raw = lru::LruCache::<String, u64>::new(NonZeroUsize::new(CAPACITY).unwrap());
    let mut ours: Store<Key, u64> = Store::new(Config::lru(CAPACITY)).unwrap();
    let mut adaptive: Store<Key, u64> = Store::new(adaptive_config()).unwrap();
    let cache = CacheBuilder::<u64>::new(CAPACITY).eviction(Eviction::Lru).default_timeout(Timeout::Never).build().unwrap();
    let qc = quick_cache::unsync::Cache::<String, u64>::new(CAPACITY);
    let moka = moka::sync::Cache::<String, u64>::new(CAPACITY as u64);
    let mut schnell = schnellru::LruMap::<String, u64>::new(schnellru::ByLength::new(CAPACITY as u32));
    let mut qc = qc;
    // Fill each with the same warm set: the trace's first accesses.
    for &k in &w.trace[..100_000] {
        let key = &w.keys[k];
        if raw.get(key).is_none() {
            raw.put(key.clone(), k as u64);
        }
        if ours.get_with(key.as_str(), 0, |v| *v).is_none() {
            ours.set(Key::from(key.as_str()), k as u64, 1, Expiry::Never, 0).unwrap();
        }
        if adaptive.get_with(key.as_str(), 0, |v| *v).is_none() {
            adaptive.set(Key::from(key.as_str()), k as u64, 1, Expiry::Never, 0).unwrap();
        }
        if cache.get(key).is_none() {
            cache.set(key, k as u64, Timeout::Never).unwrap();
        }
        if qc.get(key).is_none() {
            qc.insert(key.clone(), k as u64);
        }
        if moka.get(key).is_none() {
            moka.insert(key.clone(), k as u64);
        }
        if schnell.get(key).is_none() {
            schnell.insert(key.clone(), k as u64);
        }
    }
    let mut i = 0;
    g.bench_function(BenchmarkId::new("lru", "raw"), |b| {
        b.iter(|| {
            let mut hits = 0u64;
            for &k in w.batch(&mut i) {
                hits += raw.get(w.keys[k].as_str()).is_some() as u64;
            }
            black_box(hits)
        })
    });
    g.bench_function(BenchmarkId::new("polycache", "Store"), |b| {
        b.iter(|| {
            let mut hits = 0u64;
            for &k in w.batch(&mut i) {
                hits += ours.get_with(w.keys[k].as_str(), 1, |v| *v).is_some() as u64;
            }
            black_box(hits)
        })
    });
    g.bench_function(BenchmarkId::new("polycache", "Store adaptive"), |b| {
        b.iter(|| {
            let mut hits = 0u64;
            for &k in w.batch(&mut i) {
                hits += adaptive.get_with(w.keys[k].as_str(), 1, |v| *v).is_some() as u64;
            }
            black_box(hits)
        })
    });
    g.bench_function(BenchmarkId::new("polycache", "Cache (Mutex + clock)"), |b| {
        b.iter(|| {
            let mut hits = 0u64;
            for &k in w.batch(&mut i) {
                hits += cache.get(&w.keys[k]).is_some() as u64;
            }
            black_box(hits)
        })
    });
    g.bench_function(BenchmarkId::new("quick_cache", "unsync"), |b| {
        b.iter(|| {
            let mut hits = 0u64;
            for &k in w.batch(&mut i) {
                hits += qc.get(w.keys[k].as_str()).is_some() as u64;
            }
            black_box(hits)
        })
    });
    g.bench_function(BenchmarkId::new("moka", "sync"), |b| {
        b.iter(|| {
            let mut hits = 0u64;
            for &k in w.batch(&mut i) {
                hits += moka.get(w.keys[k].as_str()).is_some() as u64;
            }
            black_box(hits)
        })
    });
    g.bench_function(BenchmarkId::new("schnellru", "ByLength"), |b| {
        b.iter(|| {
            let mut hits = 0u64;
            for &k in w.batch(&mut i) {
                hits += schnell.get(w.keys[k].as_str()).is_some() as u64;
            }
            black_box(hits)
        })
    });
    g.finish();
}

/// Get, and on a miss insert (evicting when full): a cache in front of a slow source.
fn bench_get_or_insert(c: &mut Criterion) {
    let w = Workload::new();
    let mut g = c.benchmark_group("get_or_insert_zipf");
    g.throughput(Throughput::Elements(BATCH as u64));

    let mut raw = lru::LruCache::<String, u64>::new(NonZeroUsize::new(CAPACITY).unwrap());
    let mut i = 0;
    g.bench_function(BenchmarkId::new("lru", "raw"), |b| {
        b.iter(|| {
            for &k in w.batch(&mut i) {
                let key = &w.keys[k];
                if raw.get(key.as_str()).is_none() {
                    raw.put(key.clone(), k as u64);
                }
            }
        })
    });
    let mut ours: Store<Key, u64> = Store::new(Config::lru(CAPACITY)).unwrap();
    g.bench_function(BenchmarkId::new("polycache", "Store"), |b| {
        b.iter(|| {
            for &k in w.batch(&mut i) {
                let key = &w.keys[k];
                if ours.get_with(key.as_str(), 0, |v| *v).is_none() {
                    ours.set(Key::from(key.as_str()), k as u64, 1, Expiry::Never, 0).unwrap();
                }
            }
            drop(ours.take_dead());
        })
    });
    let mut adaptive: Store<Key, u64> = Store::new(adaptive_config()).unwrap();
    g.bench_function(BenchmarkId::new("polycache", "Store adaptive"), |b| {
        b.iter(|| {
            for &k in w.batch(&mut i) {
                let key = &w.keys[k];
                if adaptive.get_with(key.as_str(), 0, |v| *v).is_none() {
                    adaptive.set(Key::from(key.as_str()), k as u64, 1, Expiry::Never, 0).unwrap();
                }
            }
            drop(adaptive.take_dead());
        })
    });
    let cache = CacheBuilder::<u64>::new(CAPACITY).eviction(Eviction::Lru).default_timeout(Timeout::Never).build().unwrap();
    g.bench_function(BenchmarkId::new("polycache", "Cache (Mutex + clock)"), |b| {
        b.iter(|| {
            for &k in w.batch(&mut i) {
                let key = &w.keys[k];
                if cache.get(key).is_none() {
                    cache.set(key, k as u64, Timeout::Never).unwrap();
                }
            }
        })
    });
    let mut qc = quick_cache::unsync::Cache::<String, u64>::new(CAPACITY);
    g.bench_function(BenchmarkId::new("quick_cache", "unsync"), |b| {
        b.iter(|| {
            for &k in w.batch(&mut i) {
                let key = &w.keys[k];
                if qc.get(key.as_str()).is_none() {
                    qc.insert(key.clone(), k as u64);
                }
            }
        })
    });
    let moka = moka::sync::Cache::<String, u64>::new(CAPACITY as u64);
    g.bench_function(BenchmarkId::new("moka", "sync"), |b| {
        b.iter(|| {
            for &k in w.batch(&mut i) {
                let key = &w.keys[k];
                if moka.get(key.as_str()).is_none() {
                    moka.insert(key.clone(), k as u64);
                }
            }
        })
    });
    let mut schnell = schnellru::LruMap::<String, u64>::new(schnellru::ByLength::new(CAPACITY as u32));
    g.bench_function(BenchmarkId::new("schnellru", "ByLength"), |b| {
        b.iter(|| {
            for &k in w.batch(&mut i) {
                let key = &w.keys[k];
                if schnell.get(key.as_str()).is_none() {
                    schnell.insert(key.clone(), k as u64);
                }
            }
        })
    });
    g.finish();
}

/// Pure eviction: every set is a new key into a full cache.
fn bench_evict(c: &mut Criterion) {
    let keys: Vec<String> = (0..1_000_000).map(|i| format!("user:{i}:profile")).collect();
    let mut g = c.benchmark_group("set_evict");
    g.throughput(Throughput::Elements(BATCH as u64));
    let mut raw = lru::LruCache::<String, u64>::new(NonZeroUsize::new(CAPACITY).unwrap());
    let mut i = 0usize;
    g.bench_function(BenchmarkId::new("lru", "raw"), |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                i = (i + 1) % keys.len();
                raw.put(keys[i].clone(), i as u64);
            }
        })
    });
    let mut ours: Store<Key, u64> = Store::new(Config::lru(CAPACITY)).unwrap();
    g.bench_function(BenchmarkId::new("polycache", "Store"), |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                i = (i + 1) % keys.len();
                ours.set(Key::from(keys[i].as_str()), i as u64, 1, Expiry::Never, 0).unwrap();
            }
            drop(ours.take_dead());
        })
    });
    let mut schnell = schnellru::LruMap::<String, u64>::new(schnellru::ByLength::new(CAPACITY as u32));
    g.bench_function(BenchmarkId::new("schnellru", "ByLength"), |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                i = (i + 1) % keys.len();
                schnell.insert(keys[i].clone(), i as u64);
            }
        })
    });
    let mut qc = quick_cache::unsync::Cache::<String, u64>::new(CAPACITY);
    g.bench_function(BenchmarkId::new("quick_cache", "unsync"), |b| {
        b.iter(|| {
            for _ in 0..BATCH {
                i = (i + 1) % keys.len();
                qc.insert(keys[i].clone(), i as u64);
            }
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).warm_up_time(std::time::Duration::from_millis(500)).measurement_time(std::time::Duration::from_secs(2));
    targets = bench_get, bench_get_or_insert, bench_evict
}
criterion_main!(benches);
