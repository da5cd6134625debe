//! Tests of what JS reads of an `LruStore` in place (lru_views.rs): the victims in the
//! links, and the sized writes it queues on what it read.

use super::tests::{store, KEEP};
use super::*;

/// The victims JS reads in place (lru-views.js `recycle`): from the head's previous, each
/// index's previous, slot `n` at index `n + 1`.
fn victims_in_place(s: &LruStore) -> Vec<u32> {
    // (`links_ptr` is the address as wasm32 has it: natively, the core's own pointer.)
    assert_ne!(s.links_ptr(), 0);
    let (ptr, n) = s.store.recency_links().expect("a dense LRU");
    assert!(2 * n <= s.links_len() as usize);
    // SAFETY: the core's links are laid out for `n` indexes, two u32 each, and nothing
    // writes them while the slice lives.
    let links = unsafe { std::slice::from_raw_parts(ptr, 2 * n) };
    let mut out = Vec::new();
    let mut at = links[0];
    while at != 0 {
        out.push(at - 1);
        at = links[2 * at as usize];
    }
    out
}

#[test]
fn js_reads_the_victims_and_the_replays_in_place() {
    let mut s = store(4.0, 0.0);
    for slot in [2, 0, 3, 1] {
        s.set(slot, 0.0, KEEP, 0.0);
    }
    s.promote(0);
    let mut order = s.order();
    order.reverse();
    assert_eq!(victims_in_place(&s), order, "least recently used first");
    assert_eq!(victims_in_place(&s), vec![2, 3, 1, 0]);
    // A move JS queues is replayed at the next call, which counts the replay; the count
    // sits right after the ring's places.
    assert_eq!(s.replays_ptr(), s.ring_ptr() + 4 * s.ring_len());
    let before = s.views.replays();
    s.views.push(2);
    assert_eq!(s.views.replays(), before, "queued, not replayed");
    assert_eq!(s.lru(), 3.0);
    assert_eq!(s.views.replays(), before.wrapping_add(1));
    assert_eq!(victims_in_place(&s), vec![3, 1, 0, 2]);
}

#[test]
fn without_a_count_bound_the_links_stay_put_for_writes_below_covered_len() {
    // A cache bounded by size alone lays its links out as slots arrive: JS reads them
    // (and the per-slot arrays) through views it opens again only after a write of a
    // slot at or past `covered_len`. Writes below it, new slots included, must leave
    // every view's place as it was; the order read in place must be the store's.
    let mut s = store(0.0, 1_000_000.0);
    s.size_slots();
    let mut seen = (s.links_ptr(), s.covered_len(), s.sizes_ptr());
    let mut reopened = 0;
    let mut next = 0u32;
    let mut rng = 0x9e37_79b9_u64;
    for step in 0..6_000 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        // Mostly new slots in order (a fill), some rewrites of held ones.
        let slot = if rng % 4 == 0 && next > 0 { (rng >> 8) as u32 % next } else { next };
        if slot == next {
            next += 1;
        }
        let past = slot >= seen.1;
        s.set(slot, 1.0 + (rng >> 20) as f64 % 3.0, KEEP, 0.0);
        if past {
            // JS opens its views again: the places as they are now.
            seen = (s.links_ptr(), s.covered_len(), s.sizes_ptr());
            reopened += 1;
        } else {
            assert_eq!((s.links_ptr(), s.sizes_ptr()), (seen.0, seen.2), "moved by a write of slot {slot} below {} (step {step})", seen.1);
        }
        assert!(s.covered_len() >= seen.1, "covered shrank");
    }
    let mut order = s.order();
    order.reverse();
    assert_eq!(victims_in_place(&s), order, "the order read in place");
    // The covered slots grow as the allocations double: few writes open the views again.
    assert!(reopened < 40, "{reopened} writes past covered_len for {next} slots");
}

#[test]
fn a_sized_write_js_queued_is_charged_the_size_it_wrote() {
    let mut s = store(0.0, 10.0);
    s.size_slots();
    s.set(0, 4.0, KEEP, 0.0);
    // JS reads the byte sum in place (natively, the core's own pointer) ...
    // SAFETY: the store is not moved while the reference lives.
    let bytes = || unsafe { *s.store.bytes_ptr() };
    assert_eq!(bytes(), 4);
    // ... writes the new slot's size where `sizes_ptr` points, and queues its write.
    assert!(s.sizes_len() as usize > 1);
    s.slots.sizes[1] = 6.0;
    s.views.push(-(2 * 1 + 3));
    assert_eq!(s.calculated_size(), 10.0, "replayed, charged 6: nothing evicted");
    assert_eq!(s.order(), vec![1, 0]);
    // A held slot's write with the size it has is a move (JS queues it as a hit).
    assert_eq!(s.set(0, 4.0, KEEP, 0.0), FREED_NONE);
    assert_eq!(s.order(), vec![0, 1]);
}

#[test]
fn a_queued_rewrite_of_the_oldest_slot_evicts_for_its_new_size_what_follows_it() {
    // Full by count (4) and by size (4 x 2 = 8): JS reads slot 0 as the least recently
    // used, writes its new size, 5, and queues its write; for 5 the core must drop 1 and
    // 2 (2 + 2 + 2 + 5 = 11 > 8, then 9, then 7), which JS took back already.
    let mut s = store(4.0, 8.0);
    s.size_slots();
    for slot in 0..4 {
        s.set(slot, 2.0, KEEP, 0.0);
    }
    assert_eq!(s.order(), vec![3, 2, 1, 0]);
    s.slots.sizes[0] = 5.0;
    s.views.push(-(2 * 0 + 2));
    assert_eq!(s.calculated_size(), 7.0, "replayed: 5 + 2");
    assert_eq!(s.order(), vec![0, 3]);
    // Nothing reported: the next write (a free slot, 1) hands back no slot.
    assert_eq!(s.set(1, 1.0, KEEP, 0.0), FREED_NONE);
    assert_eq!(s.order(), vec![1, 0, 3]);
    assert_eq!(s.calculated_size(), 8.0);
}
