//! Shared by the benchmarks (benches/store.rs) and the hit-cost example
//! (examples/hit_cost.rs).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// `count` Zipf-distributed indices below `n` (exponent `s`), from an inverse CDF table;
/// the same `seed` gives the same indices.
pub fn zipf_indices(n: usize, s: f64, count: usize, seed: u64) -> Vec<usize> {
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
