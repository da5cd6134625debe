//! Tests of `LruStore` (lru.rs): its answers, the fused writes, the ring and the
//! fresh-until times.

use super::*;
use crate::lru_slots::fresh_until;
use crate::views::{FREED_MANY, RING};

pub(super) const KEEP: f64 = f64::NAN;

pub(super) fn store(max: f64, max_size: f64) -> LruStore {
    LruStore::new(max, max_size).unwrap()
}

/// A store of `max` holding slots 0..max of `size` each, untimed, 0 the oldest.
fn filled(max: f64, max_size: f64, size: f64) -> LruStore {
    let mut s = store(max, max_size);
    for slot in 0..max as u32 {
        s.set(slot, size, KEEP, 0.0);
    }
    s
}

#[test]
fn entry_bound_evicts_least_recently_used() {
    let mut s = store(2.0, 0.0);
    assert_eq!(s.set(0, 0.0, KEEP, 0.0), FREED_NONE);
    assert_eq!(s.set(1, 0.0, KEEP, 0.0), FREED_NONE);
    s.promote(0);
    assert_eq!(s.set(2, 0.0, KEEP, 0.0), 1.0);
    assert_eq!(s.order(), vec![2, 0]);
    assert_eq!(s.lru(), 0.0);
}

#[test]
fn size_bound_evicts_as_many_as_needed_oldest_first() {
    let mut s = store(0.0, 10.0);
    for slot in 0..4 {
        s.set(slot, 3.0, KEEP, 0.0);
    }
    // 9 held after one eviction; an entry of 8 leaves room only for itself.
    assert_eq!(s.calculated_size(), 9.0);
    let answer = s.set(9, 8.0, KEEP, 0.0);
    assert_eq!(answer, -5.0, "three slots, in the ring");
    assert_eq!(s.views.handed_over(answer), vec![1, 2, 3]);
    assert!(s.take_freed().is_empty());
    assert_eq!(s.calculated_size(), 8.0);
    // Replacing a slot's size in place frees nothing but the others it must.
    assert_eq!(s.set(9, 10.0, KEEP, 0.0), FREED_NONE);
    assert_eq!(s.size(9), 10.0);
}

#[test]
fn stale_is_strictly_older_than_ttl_and_asks_for_the_time_only_when_timed() {
    let mut s = store(5.0, 0.0);
    s.set(0, 0.0, KEEP, 0.0);
    assert_eq!(s.stale(0, None), FRESH);
    s.set_age(0, 10.0, 100.0);
    assert_eq!(s.stale(0, None), NEEDS_TIME);
    assert_eq!(s.stale(0, Some(110.0)), FRESH);
    assert_eq!(s.stale(0, Some(110.5)), STALE);
    assert_eq!(s.remaining(0, 111.0), -1.0);
    assert_eq!(s.stale_slots(111.0), vec![0]);
    s.restart(0, 111.0);
    assert_eq!(s.stale(0, Some(121.0)), FRESH);
}

#[test]
fn a_reused_slot_starts_untimed_and_stale_entries_stay_until_removed() {
    let mut s = store(1.0, 0.0);
    s.set(0, 0.0, KEEP, 0.0);
    s.set_age(0, 1.0, 1.0);
    assert_eq!(s.stale(0, Some(50.0)), STALE);
    assert_eq!(s.len(), 1);
    assert!(s.delete(0));
    assert!(!s.delete(0));
    s.set(0, 0.0, KEEP, 0.0);
    assert!(!s.timed(0));
}

#[test]
fn a_held_slot_written_again_moves_to_the_head_and_keeps_or_takes_a_lifetime() {
    let mut s = filled(3.0, 0.0, 0.0);
    s.set_age(0, 10.0, 100.0);
    assert_eq!(s.set(0, 0.0, KEEP, 0.0), FREED_NONE);
    assert_eq!(s.order(), vec![0, 2, 1]);
    assert_eq!((s.ttl(0), s.start(0)), (10.0, 100.0));
    assert_eq!(s.set(1, 0.0, 5.0, 7.0), FREED_NONE);
    assert_eq!(s.order(), vec![1, 0, 2]);
    assert_eq!((s.ttl(1), s.start(1)), (5.0, 7.0));
    assert_eq!(s.len(), 3);
}

#[test]
fn reuse_lru_evicts_the_tail_and_stores_its_slot_anew_at_the_head() {
    let mut s = store(3.0, 0.0);
    assert_eq!(s.reuse_lru(0.0, KEEP, 0.0), FREED_NONE);
    for slot in 0..3 {
        s.set(slot, 0.0, KEEP, 0.0);
    }
    s.set_age(0, 10.0, 100.0);
    s.promote(1);
    assert_eq!(s.reuse_lru(0.0, KEEP, 0.0), 0.0);
    assert_eq!(s.order(), vec![0, 1, 2]);
    assert!(!s.timed(0), "the new entry starts untimed");
    assert_eq!(s.reuse_lru(0.0, 4.0, 9.0), 2.0);
    assert_eq!(s.order(), vec![2, 0, 1]);
    assert_eq!((s.ttl(2), s.start(2)), (4.0, 9.0));
    assert_eq!(s.len(), 3);
}

#[test]
fn reuse_lru_with_another_size_evicts_what_the_size_bound_needs() {
    let mut s = filled(3.0, 10.0, 3.0);
    // Slot 0 reused, slot 1 evicted for the bytes: both handed over, the reused first.
    let answer = s.reuse_lru(7.0, KEEP, 0.0);
    assert_eq!(answer, -4.0);
    assert_eq!(s.views.handed_over(answer), vec![0, 1]);
    assert!(s.take_freed().is_empty());
    assert_eq!(s.order(), vec![0, 2]);
    assert_eq!((s.size(0), s.calculated_size()), (7.0, 10.0));
    // Nothing more to evict: the reused slot alone.
    assert_eq!(s.reuse_lru(1.0, KEEP, 0.0), 2.0);
    assert_eq!(s.order(), vec![2, 0]);
    assert_eq!(s.calculated_size(), 8.0);
    // A size too large for the bound: refused, nothing changed.
    assert_eq!(s.reuse_lru(11.0, KEEP, 0.0), FAILED);
    assert_eq!((s.order(), s.calculated_size()), (vec![2, 0], 8.0));
}

#[test]
fn reuse_lru_hands_over_more_slots_than_the_ring_holds_through_take_freed() {
    let n = RING as u32 + 10;
    let mut s = filled(f64::from(n), f64::from(n), 1.0);
    // The new entry takes the whole bound: every other slot leaves, slot 0 first.
    assert_eq!(s.reuse_lru(f64::from(n), KEEP, 0.0), FREED_MANY);
    assert_eq!(s.take_freed(), (0..n).collect::<Vec<_>>());
    assert_eq!(s.order(), vec![0]);
    assert_eq!(s.calculated_size(), f64::from(n));
}

#[test]
fn hit_promotes_only_a_fresh_slot() {
    let mut s = filled(3.0, 0.0, 0.0);
    s.set_age(0, 10.0, 100.0);
    assert_eq!(s.hit(0, None), NEEDS_TIME);
    assert_eq!(s.hit(0, Some(200.0)), STALE);
    assert_eq!(s.order(), vec![2, 1, 0]);
    assert_eq!(s.hit(0, Some(105.0)), FRESH);
    assert_eq!(s.hit(1, None), FRESH);
    assert_eq!(s.order(), vec![1, 0, 2]);
}

#[test]
fn a_refused_write_changes_nothing_and_leaves_its_message() {
    let mut s = store(3.0, 10.0);
    s.set(0, 3.0, 5.0, 1.0);
    assert_eq!(s.set(0, 11.0, KEEP, 0.0), FAILED);
    assert!(s.take_error().contains("ValueTooLarge"), "coded as the core's error");
    assert_eq!((s.size(0), s.ttl(0), s.calculated_size()), (3.0, 5.0, 3.0));
    assert_eq!(s.reuse_lru(11.0, KEEP, 0.0), FAILED);
    assert!(s.take_error().contains("ValueTooLarge"));
    assert_eq!((s.len(), s.calculated_size()), (1, 3.0), "nothing evicted");
}

#[test]
fn place_stores_at_the_slot_given_where_it_fits_else_where_the_lru_entry_was() {
    // Bounded by size alone (no max): slots 0..4 of 3 each, 12 of 13 held.
    let mut s = store(0.0, 13.0);
    for slot in 0..4 {
        s.set(slot, 3.0, KEEP, 0.0);
    }
    // 1 fits beside 12: stored at the slot given, nothing freed.
    assert_eq!(s.place(7, 1.0, KEEP, 0.0), FREED_NONE);
    assert_eq!((s.order(), s.calculated_size()), (vec![7, 3, 2, 1, 0], 13.0));
    // 3 does not: slot 0 (the least recently used) takes it, answered alone; 9 unused.
    assert_eq!(s.place(9, 3.0, KEEP, 0.0), 0.0);
    assert_eq!((s.order(), s.size(0), s.calculated_size()), (vec![0, 7, 3, 2, 1], 3.0, 13.0));
    // 8 needs three more to leave: slot 1 takes it, 2 and 3 leave after it (the ring).
    let answer = s.place(9, 8.0, KEEP, 0.0);
    assert_eq!(s.views.handed_over(answer), vec![1, 2, 3]);
    assert_eq!((s.order(), s.size(1), s.calculated_size()), (vec![1, 0, 7], 8.0, 12.0));
    // Past the bound: refused, nothing changed.
    assert_eq!(s.place(9, 14.0, KEEP, 0.0), FAILED);
    assert!(s.take_error().contains("ValueTooLarge"));
    assert_eq!((s.order(), s.calculated_size()), (vec![1, 0, 7], 12.0));
}

#[test]
fn hits_in_the_ring_are_replayed_in_order_before_the_order_is_read_or_changed() {
    let mut s = filled(3.0, 0.0, 0.0);
    s.views.push(0);
    s.views.push(1);
    assert_eq!(s.order(), vec![1, 0, 2]);
    s.views.push(2);
    s.views.push(0);
    assert_eq!(s.set(3, 0.0, KEEP, 0.0), 1.0, "the least recently used after the hits");
    s.views.push(2);
    assert_eq!(s.lru(), 0.0);
    assert_eq!(s.order(), vec![2, 3, 0]);
}

/// The store's counters JS's writes stand for (`set` of a new slot also counts the miss
/// of its held test, which no JS reads).
fn counts(s: &LruStore) -> (u64, u64, u64, u64, u64) {
    let st = s.store.stats();
    (st.hits, st.sets, st.deletes, st.evictions, st.entries)
}

#[test]
fn queued_new_slots_and_hits_replay_as_the_calls_they_stand_for() {
    // What JS queues (lru-views.js `insert` and `hit`: new slots below the bound, hits)
    // against the same operations as calls, on a twin store: the same order and
    // counters, with runs of each and slots freed by deletes taken again, up to the bound
    // and then past it (where JS calls the store itself).
    let (mut queued, mut called) = (store(64.0, 0.0), store(64.0, 0.0));
    let mut r: u32 = 99;
    let mut next = move || {
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        r
    };
    let mut held: Vec<u32> = Vec::new();
    let mut free: Vec<u32> = Vec::new();
    for step in 0..6_000 {
        match next() % 8 {
            0..=3 if held.len() < 64 => {
                let slot = free.pop().unwrap_or(held.len() as u32);
                queued.views.push(-(2 * slot as i32 + 3));
                assert_eq!(called.set(slot, 0.0, KEEP, 0.0), FREED_NONE);
                held.push(slot);
            }
            0..=5 if !held.is_empty() => {
                let slot = held[next() as usize % held.len()];
                queued.views.push(slot as i32);
                called.promote(slot);
            }
            6 if !held.is_empty() => {
                let slot = held.swap_remove(next() as usize % held.len());
                assert!(queued.delete(slot) && called.delete(slot));
                free.push(slot);
            }
            _ => {
                let victim = queued.recycle_lru(KEEP, 0.0);
                assert_eq!(victim, called.reuse_lru(0.0, KEEP, 0.0), "step {step}");
            }
        }
        if step % 97 == 0 {
            assert_eq!(queued.order(), called.order(), "step {step}");
            assert_eq!(counts(&queued), counts(&called), "step {step}");
        }
    }
    assert_eq!(queued.order(), called.order());
    assert_eq!(counts(&queued), counts(&called));
    assert_eq!(queued.len(), held.len() as u32);
    assert_eq!(queued.store.validate(), Ok(()));
}

#[test]
fn fresh_until_never_says_fresh_where_the_age_rule_says_stale() {
    let mut r = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        r ^= r << 13;
        r ^= r >> 7;
        r ^= r << 17;
        r
    };
    let mut near = 0;
    for _ in 0..200_000 {
        let start = (next() % 10_000_000) as f64 / 1000.0 + [0.1, 1e9, 1.7e12][(next() % 3) as usize];
        let ttl = (next() % 1_000_000) as f64 / 1000.0 + [0.2, 3.0, 86_400_000.0][(next() % 3) as usize];
        let age = Age::new(ttl, start);
        let until = fresh_until(age);
        // Times at, just under and just over the bound and the exact end.
        for now in [until, f64::from_bits(until.to_bits() - 1), start + ttl, f64::from_bits((start + ttl).to_bits() + 1)] {
            if now <= until {
                assert!(!age.is_stale(now), "start {start} ttl {ttl} now {now}");
                near += 1;
            }
        }
    }
    assert!(near > 200_000);
    assert_eq!(fresh_until(Age::new(0.0, 5.0)), f64::INFINITY);
    assert_eq!(fresh_until(Age::new(-1.0, 5.0)), f64::NEG_INFINITY);
    assert_eq!(fresh_until(Age::new(f64::INFINITY, 5.0)), f64::NEG_INFINITY);
}

#[test]
fn fresh_follows_every_change_of_age() {
    let mut s = store(3.0, 0.0);
    s.set(0, 0.0, 10.0, 100.0);
    assert!(s.slots.fresh[0] < 110.0 && s.slots.fresh[0] > 109.99);
    s.restart(0, 200.0);
    assert!(s.slots.fresh[0] > 209.99);
    s.set_age(0, 0.0, 5.0);
    assert_eq!(s.slots.fresh[0], f64::INFINITY);
    s.set(1, 0.0, 5.0, 1.0);
    s.set(2, 0.0, KEEP, 0.0);
    assert_eq!(s.reuse_lru(0.0, KEEP, 0.0), 0.0);
    assert_eq!(s.slots.fresh[0], f64::INFINITY, "a new entry is untimed");
    assert_eq!(s.reuse_lru(0.0, 2.0, 3.0), 1.0);
    assert!(s.slots.fresh[1] < 5.0);
    assert_eq!(s.fresh_len() as usize, s.slots.ages.len());
}

#[test]
fn recycle_lru_is_reuse_lru_where_nothing_is_sized() {
    // Two stores, one evicting with reuse_lru and one with recycle_lru, through hits,
    // rewrites and evictions, first untimed (recycle_lru(NaN): no age written), then with
    // lifetimes: the same victims, order, ages and fresh-until times throughout.
    let (mut a, mut b) = (filled(16.0, 0.0, 0.0), filled(16.0, 0.0, 0.0));
    let mut r: u32 = 12345;
    let mut next = move || {
        r ^= r << 13;
        r ^= r >> 17;
        r ^= r << 5;
        r
    };
    for step in 0..20_000 {
        let timed = step >= 10_000;
        let (ttl, start) = if timed { (f64::from(next() % 50 + 1), f64::from(step)) } else { (KEEP, 0.0) };
        match next() % 4 {
            0 => {
                let slot = next() % 16;
                a.promote(slot);
                b.promote(slot);
            }
            1 => {
                let slot = next() % 16;
                assert_eq!(a.set(slot, 0.0, ttl, start), b.set(slot, 0.0, ttl, start));
            }
            _ => assert_eq!(a.reuse_lru(0.0, ttl, start), b.recycle_lru(ttl, start), "step {step}"),
        }
        if step % 500 == 0 {
            assert_eq!(a.order(), b.order(), "step {step}");
        }
    }
    assert_eq!(a.order(), b.order());
    assert_eq!((a.slots.ages.clone(), a.slots.fresh.clone()), (b.slots.ages.clone(), b.slots.fresh.clone()));
    assert!(a.slots.ages.iter().any(|age| age.is_timed()));
    assert_eq!(store(3.0, 0.0).recycle_lru(KEEP, 0.0), FREED_NONE, "empty");
}

#[test]
fn ages_are_laid_out_as_js_writes_them() {
    // lru-views.js `retime`: slot i's ttl at f64 index 2i, its start at 2i + 1, and the
    // fresh-until time it writes beside them is the store's own for that age.
    let mut s = store(3.0, 0.0);
    s.set(1, 0.0, 10.0, 100.0);
    let flat = s.slots.ages.as_ptr().cast::<f64>();
    // SAFETY: `Age` is `repr(C)`, two f64; `ages` holds at least two of them.
    let (ttl, start) = unsafe { (*flat.add(2), *flat.add(3)) };
    assert_eq!((ttl, start), (10.0, 100.0));
    assert_eq!(std::mem::size_of::<Age>(), 16);
    let end: f64 = 100.0 + 10.0;
    assert_eq!(s.slots.fresh[1], end - end * (8.0 * f64::EPSILON));
    assert_eq!(s.slots.ages.len(), s.fresh_len() as usize);
}

#[test]
fn bounds_out_of_range_are_refused() {
    for x in [-1.0, 1.5, f64::NAN, f64::INFINITY, 5e9] {
        assert!(bound(x, "max").is_err(), "{x}");
    }
    assert_eq!(bound(0.0, "max"), Ok(None));
    assert_eq!(bound(7.0, "max"), Ok(Some(7)));
}

#[test]
fn per_slot_arrays_are_laid_out_only_once_used() {
    // A cache with no lifetime and no size holds nothing per slot beyond the core's
    // entries, yet covers its bound (JS queues writes of the slots below it).
    let mut s = store(100.0, 0.0);
    for slot in 0..100 {
        s.set(slot, 0.0, KEEP, 0.0);
    }
    assert_eq!(s.covered_len(), 100);
    assert!(s.slots.ages.is_empty() && s.slots.fresh.is_empty() && s.slots.sizes.is_empty());
    assert_eq!((s.fresh_len(), s.ttl(5), s.start(5), s.size(5), s.stale(5, None)), (0, 0.0, 0.0, 0.0, FRESH));
    s.restart(5, 7.0);
    assert!(s.slots.ages.is_empty(), "restarting an untimed age writes nothing");
    // The first lifetime lays out ages and fresh-until times for every covered slot.
    s.set(3, 0.0, 10.0, 100.0);
    assert_eq!((s.slots.ages.len(), s.slots.fresh.len(), s.fresh_len()), (100, 100, 100));
    assert_eq!((s.slots.fresh[2], s.stale(3, Some(111.0))), (f64::INFINITY, STALE));
    assert!(s.slots.sizes.is_empty());
    // ...and stays laid out through a clear, as JS keeps tracking lifetimes after one.
    s.clear();
    assert_eq!((s.covered_len(), s.fresh_len()), (0, 0));
    s.set(0, 0.0, KEEP, 0.0);
    assert_eq!((s.covered_len(), s.fresh_len()), (64, 64), "laid out again with the slots");
    // JS asks for them at the first lifetime it tracks, before writing one itself.
    let mut t = store(10.0, 0.0);
    t.time_slots();
    assert_eq!((t.fresh_len(), t.covered_len(), t.slots.fresh[9]), (10, 10, f64::INFINITY));
}

#[test]
fn sizes_are_laid_out_at_the_first_one() {
    let mut s = store(10.0, 100.0);
    s.set(0, 0.0, KEEP, 0.0);
    assert!(s.slots.sizes.is_empty());
    s.set(1, 7.0, KEEP, 0.0);
    assert_eq!((s.slots.sizes.len(), s.size(1), s.size(0), s.calculated_size()), (10, 7.0, 0.0, 7.0));
    // A held slot written again with its size is a move; with another, a write.
    assert_eq!(s.set(1, 7.0, KEEP, 0.0), FREED_NONE);
    s.set(1, 9.0, KEEP, 0.0);
    assert_eq!((s.size(1), s.calculated_size()), (9.0, 9.0));
}
