//! LRU hit ratio of the store on the OLTP trace (Megiddo & Modha, "ARC: A Self-Tuning,
//! Low Overhead Replacement Cache", FAST 2003), as JSON for bench/report.py.
//!
//! cargo run -p polycache --release --example hit_ratio [path/to/OLTP.lis.zst]

#[path = "../tests/common/trace.rs"]
mod trace;

fn main() {
    let path = std::env::args().nth(1).unwrap_or_else(trace::default_path);
    let requests = trace::read(&path);
    let rows: Vec<String> = trace::REFERENCE
        .iter()
        .map(|&(size, reference)| {
            let got = trace::lru_hit_ratio(&requests, size);
            format!("{{\"size\": {size}, \"hit_ratio\": {got:.6}, \"reference_percent\": {reference}}}")
        })
        .collect();
    println!("{{\"trace\": \"OLTP\", \"requests\": {}, \"lru\": [{}]}}", requests.len(), rows.join(", "));
}
