//! Synthetic request patterns that break LRU, written here so every policy and peer can
//! be run on the same bytes: Zipf popularity with one-off scans, a loop one entry larger
//! than the cache, and a popularity shift. Seeded (SplitMix64), so every run and every
//! host generates the same requests. Shared by core/tests/patterns.rs and the
//! `hit_ratio` example.
#![allow(dead_code)]

/// SplitMix64: a tiny seeded generator, enough to draw requests.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Draws keys `base..base + n` with Zipf(`s`) popularity (key `base` the most popular).
pub struct Zipf {
    cdf: Vec<f64>,
    base: u64,
}

impl Zipf {
    pub fn new(n: usize, s: f64, base: u64) -> Self {
        let mut total = 0.0;
        let mut cdf: Vec<f64> = (1..=n)
            .map(|i| {
                total += 1.0 / (i as f64).powf(s);
                total
            })
            .collect();
        cdf.iter_mut().for_each(|c| *c /= total);
        Zipf { cdf, base }
    }
    pub fn draw(&self, rng: &mut Rng) -> u64 {
        let u = rng.unit();
        self.base + self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1) as u64
    }
}

/// Zipf(0.9) over 10,000 keys, with a scan of 20,000 never-seen keys after every 50,000
/// requests: 300,000 requests.
pub fn zipf_with_scans() -> Vec<u64> {
    let zipf = Zipf::new(10_000, 0.9, 0);
    let mut rng = Rng::new(1);
    let mut out = Vec::new();
    let mut fresh = 1_000_000_000u64;
    for _ in 0..4 {
        out.extend((0..50_000).map(|_| zipf.draw(&mut rng)));
        out.extend(fresh..fresh + 20_000);
        fresh += 20_000;
    }
    out.extend((0..20_000).map(|_| zipf.draw(&mut rng)));
    out
}

/// Keys `0..=size` (one more than a cache of `size` entries holds), `rounds` times over.
pub fn loop_over(size: usize, rounds: usize) -> Vec<u64> {
    (0..rounds).flat_map(|_| 0..=size as u64).collect()
}

/// Zipf(0.9) over 10,000 keys for 200,000 requests, then over 10,000 other keys: what
/// was hot must make room for what is hot now.
pub fn popularity_shift() -> Vec<u64> {
    let before = Zipf::new(10_000, 0.9, 0);
    let after = Zipf::new(10_000, 0.9, 500_000);
    let mut rng = Rng::new(2);
    let mut out: Vec<u64> = (0..200_000).map(|_| before.draw(&mut rng)).collect();
    out.extend((0..200_000).map(|_| after.draw(&mut rng)));
    out
}

/// The patterns by name, for tables: (name, cache size, requests).
pub fn all() -> Vec<(&'static str, usize, Vec<u64>)> {
    vec![
        ("zipf+scans", 1_000, zipf_with_scans()),
        ("loop (size+1)", 1_000, loop_over(1_000, 50)),
        ("popularity shift", 1_000, popularity_shift()),
    ]
}
