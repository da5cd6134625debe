//! Tests of the ring and the expiries JS reads (views.rs).

use super::*;

#[test]
fn ring_replays_in_order_once() {
    let mut v = Views::new(4, RING);
    v.push(3);
    v.push(OP_MISS);
    v.push(-(2 * 7 + 2));
    v.push(0);
    v.push(-(2 * 7 + 3));
    v.push(-(2 * 1_000_000 + 3));
    v.push(-2);
    let seen: Vec<Op> = (1..=v.take()).map(|i| v.op(i)).collect();
    assert_eq!(seen, vec![Op::Hit(3), Op::Miss, Op::Update(7), Op::Hit(0), Op::Insert(7), Op::Insert(1_000_000), Op::Update(0)]);
    assert_eq!(v.take(), 0, "replayed once");
}

/// Two LRU stores of `max` on slots, each holding slots `0..held` written in order: one
/// to replay a ring into, one to apply the same operations to one by one.
fn twins(max: usize, held: u32) -> (SlotMap, SlotMap) {
    use polycache::{Config, Slots};
    let new = || SlotMap::with_hasher(Config::lru(max), Slots(SlotHasher::default()), [1, 2, 3, 4]).unwrap();
    let (mut by_ring, mut one_by_one) = (new(), new());
    for slot in 0..held {
        by_ring.set(slot, slot, 0, Expiry::Never, 0).unwrap();
        one_by_one.set(slot, slot, 0, Expiry::Never, 0).unwrap();
    }
    (by_ring, one_by_one)
}

/// Queues each of `ops` in `v`'s ring and applies it to `store` as the call it stands for.
fn queue_and_apply(v: &mut Views, store: &mut SlotMap, ops: &[i32]) {
    for &op in ops {
        v.push(op);
        match decode(op) {
            Op::Hit(slot) => drop(store.read_held(&slot)),
            Op::Miss => drop(read(store, u32::MAX, 0)),
            Op::Insert(slot) | Op::Update(slot) => store.set(slot, slot, 0, Expiry::Never, 0).unwrap(),
        }
    }
}

#[test]
fn runs_of_hits_replay_as_single_reads() {
    // Hits, misses and queued writes in one ring: the order and counters of reading
    // each in turn (a run of hits is read at once where nothing expires).
    let (mut by_ring, mut one_by_one) = twins(8, 6);
    let mut v = Views::new(9, RING);
    queue_and_apply(&mut v, &mut one_by_one, &[3, 5, 3, 0, OP_MISS, 7, 1, 2, -(2 * 6 + 3), 4, 4, 6]);
    let write = |store: &mut SlotMap, op| {
        if let Op::Insert(slot) | Op::Update(slot) = op {
            store.set(slot, slot, 0, Expiry::Never, 0).unwrap();
        }
    };
    v.flush::<true>(&mut by_ring, write, |_, _| 0);
    assert_eq!(by_ring.keys(0), one_by_one.keys(0));
    assert_eq!(by_ring.keys(0), vec![6, 4, 2, 1, 0, 3, 5]);
    assert_eq!(by_ring.stats(), one_by_one.stats());
    assert_eq!((by_ring.stats().hits, by_ring.stats().misses), (9, 2), "slot 7 is not held");
}

#[test]
fn runs_of_new_keys_are_stored_at_once_and_never_expire() {
    // New keys in runs between other ops: `inserts` gets each run from its first key
    // on and stores it at once; the order and counters of writing each in turn, and
    // each new key's expiry in the view is never (as `write`'s would be).
    let (mut by_ring, mut one_by_one) = twins(16, 4);
    let mut v = Views::new(16, RING);
    for slot in 4..12 {
        v.set_expiry(slot, Expiry::At(5));
    }
    let insert = |slot: i32| -(2 * slot + 3);
    let ops = [1, insert(6), insert(7), insert(4), 6, insert(8), -(2 * 2 + 2), insert(9), insert(10)];
    queue_and_apply(&mut v, &mut one_by_one, &ops);
    let mut runs = vec![];
    let write = |store: &mut SlotMap, op| {
        let Op::Update(slot) = op else { panic!("{op:?} went to write") };
        store.set(slot, slot, 0, Expiry::Never, 0).unwrap();
    };
    v.flush::<true>(&mut by_ring, write, |store, ops| {
        let took = store.insert_all_below_bound(|n| new_key(ops, n).map(|slot| (slot, slot, 0)));
        runs.push(took);
        took
    });
    assert_eq!(runs, vec![3, 1, 2], "each run whole, from its first key");
    assert_eq!(by_ring.keys(0), one_by_one.keys(0));
    assert_eq!(by_ring.keys(0), vec![10, 9, 2, 8, 6, 4, 7, 1, 3, 0]);
    assert_eq!(by_ring.stats(), one_by_one.stats());
    let never = expiry_ms(Expiry::Never);
    assert_eq!([4, 6, 7, 8, 9, 10].map(|i| v.expiries[i] == never), [true; 6]);
    assert_ne!(v.expiries[5], never, "a slot no op named keeps its expiry");
}

#[test]
fn freed_slots_come_back_as_the_slot_in_the_ring_or_by_call() {
    let mut v = Views::new(0, RING);
    let mut freed = vec![];
    assert_eq!(v.hand_over(&mut freed), FREED_NONE);
    freed.push(7);
    assert_eq!(v.hand_over(&mut freed), 7.0);
    assert!(freed.is_empty());
    freed.extend([4, 2, 9]);
    let answer = v.hand_over(&mut freed);
    assert_eq!(answer, -5.0);
    assert_eq!(v.handed_over(answer), vec![4, 2, 9], "in order, least recently used first");
    assert!(freed.is_empty() && !v.pending(), "the count stays 0: nothing to replay");
    // As many as the ring holds, then one more: that many stay for a call.
    freed.extend(0..RING as u32);
    let answer = v.hand_over(&mut freed);
    assert_eq!(v.handed_over(answer), (0..RING as u32).collect::<Vec<_>>());
    freed.extend(0..=RING as u32);
    assert_eq!(v.hand_over(&mut freed), FREED_MANY);
    assert_eq!(freed.len(), RING + 1);
    // Never over operations waiting to be replayed (no call hands over before its replay).
    freed.truncate(2);
    v.push(3);
    assert_eq!(v.hand_over(&mut freed), FREED_MANY);
    assert_eq!(v.take(), 1);
}

#[test]
fn a_small_cache_has_a_short_ring() {
    assert_eq!([ring_for(0), ring_for(3), ring_for(100), ring_for(1 << 16)], [RING, RING_MIN, 100, RING]);
    let mut v = Views::new(4, ring_for(4));
    assert_eq!(v.ring_len() as usize, RING_MIN + 1);
    let mut freed: Vec<u32> = (0..RING_MIN as u32).collect();
    let answer = v.hand_over(&mut freed);
    assert_eq!(v.handed_over(answer), (0..RING_MIN as u32).collect::<Vec<_>>(), "as many as it holds");
    freed.extend(0..=RING_MIN as u32);
    assert_eq!(v.hand_over(&mut freed), FREED_MANY, "one more than it holds");
    // A count past the ring (JS never writes one) replays only what the ring holds.
    v.ring[0] = RING as i32;
    assert_eq!(v.take(), RING_MIN);
}

#[test]
fn key_text_reads_only_within_the_buffer() {
    let mut keys = vec![0u8; 8];
    keys[..5].copy_from_slice("ké y".as_bytes());
    assert_eq!(key_text(&keys, 5), Some("ké y".as_bytes()));
    assert_eq!(key_text(&keys, 8).map(<[u8]>::len), Some(8));
    assert_eq!(key_text(&keys, 9), None);
    // Learnt as the text: the fingerprint the core gives the key itself.
    assert_eq!(polycache::fingerprint_utf8(key_text(&keys, 5).unwrap()), polycache::fingerprint_text("ké y"));
}

#[test]
fn queued_texts_read_in_order_and_none_past_them() {
    let mut keys = vec![0u8; 16];
    keys[..4].copy_from_slice(&[2, 0, b'a', b'b']);
    keys[4..9].copy_from_slice(&[3, 0, 0xc3, 0xa9, b'x']);
    assert_eq!(queued_text(&keys, 0), Some(("ab".as_bytes(), 4)));
    assert_eq!(queued_text(&keys, 4), Some(("éx".as_bytes(), 9)));
    keys[9..11].copy_from_slice(&[9, 0]);
    assert_eq!(queued_text(&keys, 9), None, "longer than the buffer");
    assert_eq!(queued_text(&keys, 15), None);
}

#[test]
fn key_buffers_only_for_the_adaptive_policy_and_by_bound() {
    assert_eq!(key_bytes(false, 10), 0);
    assert_eq!(key_bytes(true, 10), 256);
    assert_eq!(key_bytes(true, 100), 2400);
    assert_eq!(key_bytes(true, 10_000), KEY_BYTES);
    assert_eq!(key_bytes(true, 0), KEY_BYTES);
}

#[test]
fn expiries_grow_for_late_slots() {
    let mut v = Views::new(2, RING);
    v.set_expiry(1, Expiry::Never);
    v.set_expiry(100, Expiry::At(5));
    assert!(v.expiries_len() >= 101);
    assert_eq!(v.expiries[1], f64::INFINITY);
    assert_eq!(v.expiries[100], 5.0);
}
