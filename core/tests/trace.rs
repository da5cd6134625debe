//! LRU hit ratio on the OLTP trace of Megiddo & Modha, "ARC: A Self-Tuning, Low Overhead
//! Replacement Cache" (FAST 2003): a correct LRU scores exactly the reference figures.

// Only the shared module this test uses: each test crate compiles its own copy.
#[path = "common/trace.rs"]
mod trace;


#[test]
fn oltp_lru_hit_ratio_matches_reference() {
    let requests = trace::read(&trace::default_path());
    assert_eq!(requests.len(), 914_145);
    for (size, want) in trace::REFERENCE {
        let got = trace::lru_hit_ratio(&requests, size) * 100.0;
        println!("LRU {size:>6} entries: {got:.2}% (reference {want:.2}%)");
        assert!((got - want).abs() < 0.005, "size {size}: {got:.4}% vs {want}%");
    }
}
