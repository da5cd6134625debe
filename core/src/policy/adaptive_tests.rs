//! Unit tests of the adaptive policy's internals: what a hit does and does not touch,
//! and how ghost hits move the window.

use std::collections::hash_map::RandomState;

use crate::policy::Hashed;

use super::*;

fn order(a: &Adaptive<u32, (), Hashed<RandomState>>) -> Vec<u32> {
    a.iter().map(|(k, _)| *k).collect()
}

#[test]
fn a_hit_moves_nothing_and_counts_on_the_entry_until_its_tail_is_reached() {
    let mut a = Adaptive::new(10, Hashed::new(RandomState::new()));
    for k in 0..10 {
        assert!(a.push(k, (), None).is_none());
    }
    let before = order(&a);
    for _ in 0..3 {
        assert!(a.get(&9).is_some()); // the window holds key 9; probation 0 (oldest) to 8
        assert!(a.get(&0).is_some());
    }
    assert_eq!(order(&a), before, "no entry moved on a hit");
    let fp0 = fingerprint(&0u32);
    assert_eq!(a.sketch.frequency(fp0), 1, "only the insertion reached the sketch");
    // New keys push the window over its share and the main space reaches its tail:
    // key 0, read three times, is settled there (promoted, its reads counted).
    for k in 100..104 {
        a.push(k, (), None);
    }
    assert_eq!(a.sketch.frequency(fp0), 4, "insertion + three settled reads");
    assert!(a.peek(&0).is_some(), "a read entry survives the evictions");
    assert_eq!(a.q.slots[a.find(&0).unwrap() as usize].queue, Queue::Protected);
}

#[test]
fn a_miss_on_a_ghost_moves_the_window_one_entry() {
    let mut a = Adaptive::new(100, Hashed::new(RandomState::new()));
    for k in 0..100 {
        a.push(k, (), None);
    }
    for k in 0..100 {
        assert!(a.get(&k).is_some());
    }
    let start = a.window_max;
    // Read keys outweigh new ones: new keys are refused at the window's tail.
    a.push(1_000, (), None);
    let mut next = 1_001;
    while a.peek(&1_000).is_some() {
        a.push(next, (), None);
        next += 1;
    }
    assert_eq!(a.window_max, start);
    a.push(1_000, (), None); // the window just gave it up
    assert_eq!(a.window_max, start + 1, "a rejected key back: the window grows");
    // A key read often enough is admitted over a main victim; that victim back
    // shrinks the window.
    let popular = 5_000;
    a.push(popular, (), None);
    let grown = a.window_max;
    let mut gone = None;
    for k in 6_000.. {
        assert!(a.get(&popular).is_some(), "the popular key stays");
        let in_main = |a: &Adaptive<u32, (), Hashed<RandomState>>, k: &u32| {
            a.find(k).is_some_and(|i| a.q.slots[i as usize].queue != Queue::Window)
        };
        let held: Vec<u32> = (0..100).filter(|k| in_main(&a, k)).collect();
        a.push(k, (), None);
        if let Some(v) = held.into_iter().find(|v| a.peek(v).is_none()) {
            gone = Some(v);
            break;
        }
    }
    a.push(gone.expect("a main entry left"), (), None);
    assert_eq!(a.window_max, grown - 1, "a main victim back: the window shrinks");
}

#[test]
fn a_bound_far_above_the_entries_held_sizes_the_history_for_what_is_held() {
    // JS gives a maxSize-only cache 2^32 - 1 entries: the sketch must not be sized (or,
    // on wasm32, overflow) for that.
    let mut a = Adaptive::new(u32::MAX as usize, Hashed::new(RandomState::new()));
    assert_eq!(a.history_for, HISTORY_FROM);
    assert_eq!(a.sketch.words.len(), HISTORY_FROM, "8 bytes of sketch per entry of history");
    for k in 0..40_000u32 {
        assert!(a.push(k, (), None).is_none());
    }
    assert_eq!(a.history_for, 4 * HISTORY_FROM, "doubled past 16,384 and 32,768 entries held");
    assert_eq!(a.sketch.words.len(), 4 * HISTORY_FROM);
    assert_eq!(a.len(), 40_000);
    // A bound within HISTORY_FROM keeps its whole-capacity history, as the pinned
    // decisions expect.
    let small = Adaptive::<u32, (), _>::new(10_000, Hashed::new(RandomState::new()));
    assert_eq!(small.history_for, 10_000);
}
