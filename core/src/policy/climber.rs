//! The window's size by hill climbing (Einziger et al., "Adaptive Software Cache
//! Management", Middleware 2018, §4; the variant Caffeine ships): after each sample of
//! accesses, step the window in the direction that raised the hit ratio, reverse when it
//! fell, shrink the step each time, and take a full step again when the ratio jumps.
//! Integer arithmetic (parts per million), so every host computes the same steps.

/// A sample is this many accesses per entry of capacity.
const SAMPLE_PER_ENTRY: u64 = 10;
/// A full step is capacity / 128: larger steps chase the noise of a real trace (OLTP
/// loses 0.2-0.3 points at 5,000 entries with Caffeine's 1/16).
const STEP_DIVISOR: i64 = 128;
/// A change of the hit ratio this large (ppm, 5%) is a new phase: full step again.
const RESTART_PPM: i64 = 50_000;
/// Each step is 90% of the one before, so the window settles.
const DECAY: (i64, i64) = (90, 100);

pub struct Climber {
    hits: u64,
    /// Accesses left in the current sample: one decrement per access is all a hit pays.
    remaining: u64,
    sample: u64,
    previous_ppm: i64,
    /// Entries, times 1024 so that decayed steps keep their fraction.
    step: i64,
    full_step: i64,
}

impl Climber {
    pub fn new(capacity: usize) -> Self {
        let full_step = (capacity as i64 * 1024 / STEP_DIVISOR).max(1024);
        let sample = (capacity as u64 * SAMPLE_PER_ENTRY).max(1);
        Climber {
            hits: 0,
            remaining: sample,
            sample,
            previous_ppm: 0,
            step: full_step,
            full_step,
        }
    }

    /// The window a cache of `capacity` starts with: 30%, at least one entry. Caffeine
    /// starts at 1% and climbs; on OLTP the best fixed window is 30-35%, and a climb from
    /// 1% takes longer than the trace.
    pub fn initial_window(capacity: usize) -> usize {
        (capacity * 3 / 10).max(1)
    }

    /// Counts an access; at the end of a sample, the change of the window (entries).
    #[inline]
    pub fn record(&mut self, hit: bool) -> Option<i64> {
        self.hits += u64::from(hit);
        self.remaining -= 1;
        if self.remaining > 0 {
            return None;
        }
        self.end_of_sample()
    }

    fn end_of_sample(&mut self) -> Option<i64> {
        let ppm = (self.hits * 1_000_000 / self.sample) as i64;
        let change = ppm - self.previous_ppm;
        let amount = if change >= 0 { self.step } else { -self.step };
        self.step =
            if change.abs() >= RESTART_PPM { self.full_step * amount.signum() } else { amount * DECAY.0 / DECAY.1 };
        self.previous_ppm = ppm;
        self.hits = 0;
        self.remaining = self.sample;
        Some(amount / 1024)
    }
}
