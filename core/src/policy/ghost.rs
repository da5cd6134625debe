//! A ghost list: the fingerprints of the last few entries one part of the cache gave up,
//! without their keys or values. A miss on a key still in the ghost is a miss that part
//! would have turned into a hit had it been a little larger (ARC's B1/B2 lists, Megiddo
//! & Modha, FAST 2003, §III; here only a few percent of the capacity long, so it speaks
//! for a small change of size, not a large one).

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

/// Fingerprints are already well mixed: the map uses them as they are.
#[derive(Default)]
struct AsIs(u64);

impl Hasher for AsIs {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

pub struct Ghost {
    /// Oldest first.
    order: VecDeque<u64>,
    /// How many times each fingerprint is in `order` (two keys may share one).
    count: HashMap<u64, u32, BuildHasherDefault<AsIs>>,
    capacity: usize,
}

impl Ghost {
    pub fn new(capacity: usize) -> Self {
        Ghost { order: VecDeque::with_capacity(capacity), count: HashMap::default(), capacity }
    }

    /// Remembers `fp`, forgetting the oldest when full.
    pub fn push(&mut self, fp: u64) {
        if self.capacity == 0 {
            return;
        }
        if self.order.len() == self.capacity {
            let old = self.order.pop_front().expect("full");
            if let Some(n) = self.count.get_mut(&old) {
                *n -= 1;
                if *n == 0 {
                    self.count.remove(&old);
                }
            }
        }
        self.order.push_back(fp);
        *self.count.entry(fp).or_insert(0) += 1;
    }

    pub fn contains(&self, fp: u64) -> bool {
        self.count.contains_key(&fp)
    }
}

#[cfg(test)]
mod tests {
    use super::Ghost;

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
}
