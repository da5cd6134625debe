//! moka's hit ratio (TinyLFU admission) on the traces `make bench-hit-ratio` dumps as
//! text (core/examples/hit_ratio.rs --dump DIR), as JSON lines for bench/hit_ratio_peers.py.
//!
//! cargo run -p polycache-bench --release --example hit_ratio_moka -- DIR TRACE:SIZE,SIZE ...

use std::io::{BufRead, BufReader};

fn read(path: &str) -> Vec<u64> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    BufReader::new(f).lines().map(|l| l.expect("line").trim().parse().expect("a key")).collect()
}

fn hit_ratio(requests: &[u64], size: usize) -> f64 {
    let cache = moka::sync::Cache::<u64, ()>::new(size as u64);
    let mut hits = 0u64;
    for &k in requests {
        if cache.get(&k).is_some() {
            hits += 1;
        } else {
            cache.insert(k, ());
            // moka applies its policy in batches; running them now makes the bound exact.
            cache.run_pending_tasks();
        }
    }
    hits as f64 / requests.len() as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = &args[0];
    for spec in &args[1..] {
        let (trace, sizes) = spec.split_once(':').expect("TRACE:SIZE,SIZE");
        let requests = read(&format!("{dir}/{trace}.txt"));
        for size in sizes.split(',').map(|s| s.parse::<usize>().expect("a size")) {
            let r = hit_ratio(&requests, size);
            println!("{{\"policy\": \"moka 0.12\", \"trace\": \"{trace}\", \"size\": {size}, \"hit_ratio\": {r:.6}}}");
        }
    }
}
