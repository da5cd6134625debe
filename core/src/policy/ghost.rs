//! A ghost list: the fingerprints of the last few entries one part of the cache gave up,
//! without their keys or values. A miss on a key still in the ghost is a miss that part
//! would have turned into a hit had it been a little larger (ARC's B1/B2 lists, Megiddo
//! & Modha, FAST 2003, §III; here only a few percent of the capacity long, so it speaks
//! for a small change of size, not a large one).
//!
//! Two flat arrays, laid out once: the fingerprints in the order pushed (a ring), and an
//! open-addressing table (linear probing, backward-shift deletion) of each one with how
//! many times it is in the ring (two keys may share one). Fingerprints are already well
//! mixed: a table index is the fingerprint's low bits. (A `HashMap` and a `VecDeque` did
//! the same with an allocation's worth of bookkeeping per push.)

pub struct Ghost {
    /// The last `capacity` fingerprints pushed; once full, `order[head]` is the oldest.
    order: Vec<u64>,
    head: usize,
    capacity: usize,
    /// `keys[i]` is held `counts[i]` times; a count of 0 is an empty place. A power of two
    /// at least twice the capacity long, so probes stay short.
    keys: Vec<u64>,
    counts: Vec<u32>,
}

impl Ghost {
    pub fn new(capacity: usize) -> Self {
        let places = if capacity == 0 { 0 } else { (2 * capacity).next_power_of_two() };
        Ghost { order: Vec::with_capacity(capacity), head: 0, capacity, keys: vec![0; places], counts: vec![0; places] }
    }

    /// Remembers `fp`, forgetting the oldest when full.
    pub fn push(&mut self, fp: u64) {
        if self.capacity == 0 {
            return;
        }
        if self.order.len() == self.capacity {
            let old = std::mem::replace(&mut self.order[self.head], fp);
            self.head = if self.head + 1 == self.capacity { 0 } else { self.head + 1 };
            self.forget(old);
        } else {
            self.order.push(fp);
        }
        let i = self.place(fp);
        self.keys[i] = fp;
        self.counts[i] += 1;
    }

    pub fn contains(&self, fp: u64) -> bool {
        !self.counts.is_empty() && self.counts[self.place(fp)] != 0
    }

    fn mask(&self) -> usize {
        self.counts.len() - 1
    }

    /// Where `fp` is, or the empty place where it would go.
    fn place(&self, fp: u64) -> usize {
        let mask = self.mask();
        let mut i = fp as usize & mask;
        while self.counts[i] != 0 && self.keys[i] != fp {
            i = (i + 1) & mask;
        }
        i
    }

    /// One fewer of `fp` (which is held); its place emptied at the last, the places after
    /// it shifted back over the gap so that every probe still finds what it looks for.
    fn forget(&mut self, fp: u64) {
        let mask = self.mask();
        let mut hole = self.place(fp);
        self.counts[hole] -= 1;
        if self.counts[hole] != 0 {
            return;
        }
        let mut j = hole;
        loop {
            j = (j + 1) & mask;
            if self.counts[j] == 0 {
                break;
            }
            // The entry at `j` may fill the hole when its own place is not after the
            // hole (cyclically, between the hole and `j`).
            let home = self.keys[j] as usize & mask;
            if j.wrapping_sub(home) & mask >= j.wrapping_sub(hole) & mask {
                self.keys[hole] = self.keys[j];
                self.counts[hole] = self.counts[j];
                self.counts[j] = 0;
                hole = j;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Ghost;
    use std::collections::{HashMap, VecDeque};

    #[test]
    fn remembers_the_last_few_only() {
        let mut g = Ghost::new(3);
        for fp in [1, 2, 3, 2, 4] {
            g.push(fp);
        }
        // [3, 2, 4] left: 1 and the first 2 fell off, the second 2 is still there.
        assert!(!g.contains(1));
        assert!(g.contains(2) && g.contains(3) && g.contains(4));
        g.push(5);
        assert!(!g.contains(3));
        let mut empty = Ghost::new(0);
        empty.push(9);
        assert!(!empty.contains(9));
    }

    #[test]
    fn answers_as_a_queue_and_counts_do_through_collisions_and_shifts() {
        // Fingerprints crowded onto few low bits (long probe runs, wrap-around, shifts on
        // every removal), repeats included, against the plain model.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        for capacity in [1, 2, 3, 5, 8, 13, 64] {
            let mut g = Ghost::new(capacity);
            let mut order = VecDeque::new();
            let mut count: HashMap<u64, u32> = HashMap::new();
            for step in 0..20_000 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Few distinct values, most sharing their low bits with others.
                let fp = (state % 23) << 40 | (state >> 60) * (capacity as u64 * 2).next_power_of_two() / 2;
                if order.len() == capacity {
                    let old = order.pop_front().unwrap();
                    let n = count.get_mut(&old).unwrap();
                    *n -= 1;
                    if *n == 0 {
                        count.remove(&old);
                    }
                }
                order.push_back(fp);
                *count.entry(fp).or_insert(0) += 1;
                g.push(fp);
                for probe in [fp, fp ^ 1, (state % 23) << 40, 0] {
                    assert_eq!(g.contains(probe), count.contains_key(&probe), "capacity {capacity}, step {step}, {probe:#x}");
                }
            }
        }
    }
}
