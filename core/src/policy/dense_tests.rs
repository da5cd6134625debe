//! The dense LRU against the `lru` crate's (the hashed [`super::super::Lru`]): the same
//! answers, victims and order after every operation, over keys reused after removal,
//! eviction and clearing, and keys past the arrays' length.

use super::*;
use crate::policy::Recency;
use crate::policy::Lru;
use crate::seeded_hasher;
use crate::test_rng::Rng;


fn order<'a>(it: impl Iterator<Item = (&'a u32, &'a u64)>) -> Vec<(u32, u64)> {
    it.map(|(k, e)| (*k, *e)).collect()
}

#[test]
fn matches_the_hashed_lru_under_random_operations() {
    for (cap, keys, seed) in [(1, 4, 1), (8, 12, 2), (64, 100, 3), (64, 400, 4), (300, 1_000, 5u64)] {
        let mut dense: Dense<u32, u64> = Dense::new(cap);
        let mut lru: Lru<u32, u64, _> = Lru::new(cap, seeded_hasher([1, 2, 3, 4]));
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        for step in 0..20_000u64 {
            let k = rng.below(keys) as u32;
            match rng.below(10) {
                0..=3 => assert_eq!(dense.get(&k).copied(), lru.get(&k).copied(), "get {k} at {step}"),
                4..=6 => assert_eq!(dense.push(k, step), lru.push(k, step), "push {k} at {step}"),
                7 => assert_eq!(dense.remove(&k), lru.remove(&k), "remove {k} at {step}"),
                8 => assert_eq!(dense.pop_victim(), lru.pop_victim(), "victim at {step}"),
                9 if step % 2 == 0 => assert_eq!(dense.touch(&k), lru.get(&k).is_some(), "touch {k} at {step}"),
                // The hashed LRU's is the trait's default: its last key, touched.
                9 if step % 4 == 1 => assert_eq!(dense.recycle_last(), lru.recycle_last(), "recycle at {step}"),
                _ if step % 500 == 9 => {
                    while dense.pop_victim().is_some() {}
                    while lru.pop_victim().is_some() {}
                }
                _ => {
                    assert_eq!(dense.peek(&k), lru.peek(&k));
                    assert_eq!(dense.get_key_value_mut(&k).map(|(k, e)| (*k, *e)), lru.get_key_value_mut(&k).map(|(k, e)| (*k, *e)));
                }
            }
            assert_eq!(dense.len(), lru.len());
            assert_eq!(dense.last(), lru.last(), "cap {cap} step {step}");
            assert_eq!(dense.last_key(), lru.last().copied());
            if step % 97 == 0 {
                dense.validate();
                assert_eq!(order(dense.iter()), order(lru.iter()), "order at {step}");
                assert_eq!(order(dense.iter().rev()), order(lru.iter().rev()));
            }
        }
    }
}

#[test]
fn keys_past_the_arrays_grow_them_and_unknown_ones_read_as_missing() {
    let mut d: Dense<u32, u64> = Dense::new(4);
    assert_eq!(d.get(&1_000), None);
    assert_eq!(d.get(&u32::MAX), None, "the largest key does not wrap onto the sentinel");
    assert_eq!(d.remove(&u32::MAX), None);
    assert_eq!(d.push(1_000, 1), None);
    assert_eq!(d.push(3, 2), None);
    assert_eq!(d.get(&1_000), Some(&mut 1));
    assert_eq!(order(d.iter()), vec![(1_000, 1), (3, 2)]);
    d.validate();
}

#[test]
fn a_reused_key_starts_fresh_at_the_head() {
    let mut d: Dense<u32, u64> = Dense::new(3);
    for k in 0..3 {
        d.push(k, u64::from(k));
    }
    assert_eq!(d.push(3, 3), Some((0, 0)), "full: the least recently used leaves");
    assert_eq!(d.remove(&1), Some((1, 1)));
    assert_eq!(d.push(1, 10), None, "room again after the remove");
    assert_eq!(order(d.iter()), vec![(1, 10), (3, 3), (2, 2)]);
    assert_eq!(d.push(0, 20), Some((2, 2)), "the evicted key comes back as a new one");
    d.resize(1);
    assert_eq!(order(d.iter()), vec![(0, 20)]);
    d.validate();
}

#[test]
fn a_bound_past_the_reserve_lays_out_little_and_grows_as_keys_arrive() {
    // A bound it will reach is laid out whole; none (a size-bounded host's u32::MAX) is not.
    assert_eq!(Dense::<u32, u64>::new(1_000).slots.len(), 1_002);
    let mut d: Dense<u32, u64> = Dense::new(u32::MAX as usize);
    assert_eq!(d.slots.len(), GROW_FROM);
    for k in 0..10_000u32 {
        assert_eq!(d.push(k, u64::from(k)), None);
    }
    assert!(d.slots.len() >= 10_001 && d.slots.len() < 40_000, "doubled to fit: {}", d.slots.len());
    assert_eq!(d.len(), 10_000);
    assert_eq!(d.get(&0), Some(&mut 0));
    assert_eq!(d.pop_victim(), Some((1, 1)));
    d.validate();
}
