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

/// A dense LRU and a hashed one of capacity `cap`, and the random steps to drive both.
fn twins(cap: usize, seed: u64) -> (Dense<u32, u64>, Lru<u32, u64, crate::KeyHasher>, Rng) {
    (Dense::new(cap), Lru::new(cap, seeded_hasher([1, 2, 3, 4])), Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

#[test]
fn matches_the_hashed_lru_under_random_operations() {
    for (cap, keys, seed) in [(1, 4, 1), (8, 12, 2), (64, 100, 3), (64, 400, 4), (300, 1_000, 5u64)] {
        let (mut dense, mut lru, mut rng) = twins(cap, seed);
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

#[test]
fn runs_of_touches_match_the_hashed_lru() {
    // Runs as a host replays them: scans from the least recently used (each hit on the
    // tail, past a whole round of the list too), broken by other hits, repeats, keys not
    // held and keys past the arrays; between runs, writes and removals. The same counts
    // and order as `touch` one key at a time.
    for (cap, keys, seed) in [(1, 3, 11), (2, 4, 12), (8, 12, 13), (64, 80, 14), (300, 400, 15u64)] {
        let (mut dense, mut lru, mut rng) = twins(cap, seed);
        for step in 0..4_000u64 {
            let k = rng.below(keys) as u32;
            match rng.below(4) {
                0 => assert_eq!(dense.push(k, step), lru.push(k, step)),
                1 if step % 3 == 0 => assert_eq!(dense.remove(&k), lru.remove(&k)),
                _ => {
                    let from_tail: Vec<u32> = lru.iter().rev().map(|(k, _)| *k).collect();
                    let len = rng.below(2 * from_tail.len() as u64 + 4) as usize;
                    let mut run = Vec::with_capacity(len);
                    for j in 0..len {
                        run.push(match rng.below(12) {
                            0 => rng.below(keys + 3) as u32,
                            1 => u32::MAX,
                            2 if !run.is_empty() => run[run.len() - 1],
                            _ if from_tail.is_empty() => k,
                            _ => from_tail[j % from_tail.len()],
                        });
                    }
                    let held = run.iter().filter(|k| lru.get(k).is_some()).count();
                    assert_eq!(dense.touch_all(run.iter().copied()), held, "run {run:?} at {step}");
                }
            }
            dense.validate();
            assert_eq!(order(dense.iter()), order(lru.iter()), "order at {step} (cap {cap})");
            assert_eq!(order(dense.iter().rev()), order(lru.iter().rev()));
        }
    }
}

#[test]
fn a_scan_from_the_tail_rotates_the_list() {
    let mut d: Dense<u32, u64> = Dense::new(4);
    for k in 0..4 {
        d.push(k, u64::from(k));
    }
    // Oldest first: 0, 1, 2. A whole round and one more: 0, 1, 2, 3, 0.
    assert_eq!(d.touch_all([0, 1, 2].into_iter()), 3);
    assert_eq!(order(d.iter()).iter().map(|p| p.0).collect::<Vec<_>>(), vec![2, 1, 0, 3]);
    assert_eq!(d.touch_all([3, 0, 1, 2, 3, 7, 2].into_iter()), 6);
    assert_eq!(order(d.iter()).iter().map(|p| p.0).collect::<Vec<_>>(), vec![2, 3, 1, 0]);
    d.validate();
}

#[test]
fn the_links_a_host_reads_list_the_victims() {
    // What the JS LRUCache reads in place to name its victims without a call (its test in
    // bindings-js/src/lru_tests.rs reads the memory): index 0's previous is the least
    // recently used index, each index's previous the next victim after it.
    let (mut dense, _, _) = twins(4, 9);
    for k in [3u32, 1, 0, 2] {
        dense.push(k, 0);
    }
    dense.touch(&1);
    let (ptr, len) = dense.links().expect("a dense policy's links");
    assert_eq!((ptr, len), (dense.links.as_ptr().cast(), 4 + 2));
    let mut victims = Vec::new();
    let mut at = dense.links[HEAD].prev;
    while at != 0 {
        victims.push(at - 1);
        at = dense.links[at as usize].prev;
    }
    assert_eq!(victims, vec![3, 0, 2, 1], "least recently used first");
    assert_eq!(victims.first(), dense.last());
    assert_eq!(std::mem::size_of::<Link>(), 8);
    assert_eq!(Lru::<u32, u64, crate::KeyHasher>::new(4, seeded_hasher([1, 2, 3, 4])).links(), None);
}
