//! Hit ratios of the store's LRU and adaptive policies on the OLTP trace (Megiddo & Modha,
//! "ARC: A Self-Tuning, Low Overhead Replacement Cache", FAST 2003) and on the synthetic
//! patterns of core/tests/common/synthetic.rs, as JSON for bench/report.py.
//!
//! cargo run -p polycache --release --example hit_ratio [--dump DIR] [path/to/OLTP.lis.zst]
//!
//! `--dump DIR` also writes every trace as text (one key a line: `OLTP.txt`, and one file
//! per synthetic pattern), so that the peers in bench/hit_ratio_peers.py and
//! bench/rust/examples/hit_ratio_moka.rs replay exactly the same requests.

#[path = "../tests/common/synthetic.rs"]
mod synthetic;
#[path = "../tests/common/trace.rs"]
mod trace;

use std::io::Write;

fn dump(dir: &str, name: &str, requests: &[u64]) {
    std::fs::create_dir_all(dir).expect("dump folder");
    let path = format!("{dir}/{}.txt", file_name(name));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&path).expect("dump file"));
    for r in requests {
        writeln!(out, "{r}").expect("write");
    }
}

/// A pattern's name as a file name: "loop (size+1)" -> "loop-size-1".
fn file_name(name: &str) -> String {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    s.split('-').filter(|p| !p.is_empty()).collect::<Vec<_>>().join("-")
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let dump_dir = args.iter().position(|a| a == "--dump").map(|i| {
        let dir = args.get(i + 1).expect("--dump DIR").clone();
        args.drain(i..=i + 1);
        dir
    });
    let path = args.first().cloned().unwrap_or_else(trace::default_path);
    let requests = trace::read(&path);
    let rows = |ratio: fn(&[u64], usize) -> f64| -> Vec<String> {
        trace::REFERENCE
            .iter()
            .map(|&(size, reference)| {
                let got = ratio(&requests, size);
                format!("{{\"size\": {size}, \"hit_ratio\": {got:.6}, \"reference_percent\": {reference}}}")
            })
            .collect()
    };
    let lru = rows(trace::lru_hit_ratio);
    let adaptive = rows(trace::adaptive_hit_ratio);
    let synthetic: Vec<String> = synthetic::all()
        .into_iter()
        .map(|(name, size, reqs)| {
            if let Some(dir) = &dump_dir {
                dump(dir, name, &reqs);
            }
            format!(
                "{{\"name\": \"{name}\", \"file\": \"{}.txt\", \"size\": {size}, \"requests\": {}, \"lru\": {:.6}, \"adaptive\": {:.6}}}",
                file_name(name),
                reqs.len(),
                trace::lru_hit_ratio(&reqs, size),
                trace::adaptive_hit_ratio(&reqs, size)
            )
        })
        .collect();
    if let Some(dir) = &dump_dir {
        dump(dir, "OLTP", &requests);
    }
    println!(
        "{{\"trace\": \"OLTP\", \"requests\": {}, \"lru\": [{}], \"adaptive\": [{}], \"synthetic\": [{}]}}",
        requests.len(),
        lru.join(", "),
        adaptive.join(", "),
        synthetic.join(", ")
    );
}
