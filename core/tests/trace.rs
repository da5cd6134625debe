//! LRU hit ratio on the OLTP trace used in Megiddo & Modha, "ARC: A Self-Tuning, Low
//! Overhead Replacement Cache" (FAST 2003). A correct LRU scores exactly the figures in
//! shared/DESIGN.md; each line of the trace is `start_block count _ _` and each of the
//! `count` blocks from `start_block` is one request.

use std::io::{BufRead, BufReader};

use polycache::{Config, Expiry, Store};

fn trace() -> Vec<u64> {
    let path = std::env::var("POLYCACHE_OLTP_TRACE")
        .unwrap_or_else(|_| format!("{}/../../shared/traces/OLTP.lis.zst", env!("CARGO_MANIFEST_DIR")));
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("trace {path}: {e}"));
    let decoder = ruzstd::decoding::StreamingDecoder::new(file).expect("zstd stream");
    let mut out = Vec::with_capacity(1_000_000);
    for line in BufReader::new(decoder).lines() {
        let line = line.expect("trace line");
        let mut f = line.split_whitespace();
        let start: u64 = f.next().unwrap().parse().unwrap();
        let count: u64 = f.next().unwrap().parse().unwrap();
        out.extend(start..start + count);
    }
    out
}

fn lru_hit_ratio(requests: &[u64], size: usize) -> f64 {
    let mut store: Store<u64, ()> = Store::new(Config::lru(size)).unwrap();
    for &block in requests {
        if store.get_with(&block, 0, |_| ()).is_none() {
            store.set(block, (), 1, Expiry::Never, 0).unwrap();
        }
    }
    let s = store.stats();
    assert_eq!(s.hits + s.misses, requests.len() as u64);
    s.hit_ratio()
}

#[test]
fn oltp_lru_hit_ratio_matches_reference() {
    let requests = trace();
    assert_eq!(requests.len(), 914_145);
    for (size, want) in [(250, 16.47), (500, 23.45), (1000, 32.83), (2000, 42.47), (5000, 53.65), (10000, 60.70)] {
        let got = lru_hit_ratio(&requests, size) * 100.0;
        println!("LRU {size:>6} entries: {got:.2}% (reference {want:.2}%)");
        assert!((got - want).abs() < 0.005, "size {size}: {got:.4}% vs {want}%");
    }
}
