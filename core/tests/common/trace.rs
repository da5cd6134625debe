//! The OLTP trace used in Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead Replacement
//! Cache" (FAST 2003), and the LRU hit ratio of polycache's store on it. Shared by the
//! trace test and the `hit_ratio` example (bench/report.py).
//!
//! Each line of the trace is `start_block count _ _`; each of the `count` blocks from
//! `start_block` is one request.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};

use polycache::{Config, Eviction, Expiry, Store};

/// Where the trace is: `POLYCACHE_OLTP_TRACE`, or `traces/OLTP.lis.zst` in this repository.
pub fn default_path() -> String {
    std::env::var("POLYCACHE_OLTP_TRACE")
        .unwrap_or_else(|_| format!("{}/../traces/OLTP.lis.zst", env!("CARGO_MANIFEST_DIR")))
}

/// Every request of the trace, in order.
pub fn read(path: &str) -> Vec<u64> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("trace {path}: {e}"));
    let decoder = ruzstd::decoding::StreamingDecoder::new(file).expect("zstd stream");
    let mut out = Vec::with_capacity(1_000_000);
    for line in BufReader::new(decoder).lines() {
        let line = line.expect("trace line");
        let mut f = line.split_whitespace();
        let start: u64 = f.next().expect("start").parse().expect("start block");
        let count: u64 = f.next().expect("count").parse().expect("count");
        out.extend(start..start + count);
    }
    out
}

/// Hits over requests for an LRU store of `size` entries that inserts on every miss.
pub fn lru_hit_ratio(requests: &[u64], size: usize) -> f64 {
    hit_ratio(requests, Config::lru(size))
}

/// Hits over requests for a store of `config` that inserts on every miss.
pub fn hit_ratio(requests: &[u64], config: Config) -> f64 {
    let mut store: Store<u64, ()> = Store::new(config).unwrap();
    for &block in requests {
        if store.get_with(&block, 0, |_| ()).is_none() {
            store.set(block, (), 1, Expiry::Never, 0).unwrap();
        }
    }
    let s = store.stats();
    assert_eq!(s.hits + s.misses, requests.len() as u64);
    s.hit_ratio()
}

/// Hits over requests for an adaptive store of `size` entries.
pub fn adaptive_hit_ratio(requests: &[u64], size: usize) -> f64 {
    hit_ratio(requests, Config { max_entries: size, max_bytes: None, eviction: Eviction::Adaptive })
}

/// The sizes and reference LRU figures (percent): Megiddo & Modha's LRU column, reproduced
/// by every correct LRU (libCacheSim's among them); see traces/README.md.
pub const REFERENCE: [(usize, f64); 6] =
    [(250, 16.47), (500, 23.45), (1000, 32.83), (2000, 42.47), (5000, 53.65), (10000, 60.70)];
