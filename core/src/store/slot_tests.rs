//! A store on dense slots ([`crate::Slots`]: LRU and cull in arrays, the adaptive
//! policy's keys in an array) against the same store hashing its keys: the same answers,
//! order and counters after every operation, in every policy, with expiries, a byte
//! bound, policy changes and loads, over slots freed and reused.

use super::*;
use crate::policy::Slots;
use crate::seeded_hasher;
use crate::test_rng::Rng;


type Dense = Store<u32, u32, Slots<KeyHasher>>;
type Hashed = Store<u32, u32>;

fn pair(config: Config) -> (Dense, Hashed) {
    let h = seeded_hasher([9, 8, 7, 6]);
    (Store::with_hasher(config, Slots(h.clone()), [1, 2, 3, 4]).unwrap(), Store::with_hasher(config, h, [1, 2, 3, 4]).unwrap())
}

/// The host key a recycling store's `slot` stands for (`held`: host key -> slot).
fn host(held: &std::collections::HashMap<u32, u32>, slot: u32) -> u32 {
    *held.iter().find(|(_, s)| **s == slot).expect("a held slot").0
}

fn agree(d: &Dense, h: &Hashed, now: u64, what: &str) {
    assert_eq!(d.keys(now), h.keys(now), "order {what}");
    assert_eq!(d.stats(), h.stats(), "counters {what}");
    assert_eq!(d.bytes(), h.bytes(), "bytes {what}");
    assert_eq!(d.lru_key(), h.last_key().copied(), "the next victim {what}");
    d.validate().unwrap();
}

#[test]
fn slots_decide_as_hashed_keys_in_every_policy() {
    let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(24) };
    let sized = Config { max_bytes: Some(60), ..Config::lru(24) };
    for (n, config) in [Config::lru(24), Config::django(24, 3), Config::django(24, 0), adaptive, sized].into_iter().enumerate() {
        let (mut d, mut h) = pair(config);
        let mut rng = Rng(0x2545_f491_4f6c_dd1d ^ n as u64);
        let mut now = 1_000;
        for step in 0..12_000 {
            let k = rng.below(60) as u32;
            let what = format!("at {step} ({config:?})");
            match rng.below(20) {
                0..=7 => assert_eq!(d.get(&k, now), h.get(&k, now), "get {k} {what}"),
                8..=13 => {
                    let expiry = match rng.below(4) {
                        0 => Expiry::At(now + rng.below(400)),
                        _ => Expiry::Never,
                    };
                    let charge = rng.below(8) as usize;
                    let fp = rng.below(1 << 20);
                    d.next_key_fingerprint(fp);
                    h.next_key_fingerprint(fp);
                    assert_eq!(d.set(k, k, charge, expiry, now).is_ok(), h.set(k, k, charge, expiry, now).is_ok(), "set {k} {what}");
                }
                14 | 15 => assert_eq!(d.delete(&k, now), h.delete(&k, now), "delete {k} {what}"),
                16 => assert_eq!(d.touch(&k, Expiry::At(now + 300), now), h.touch(&k, Expiry::At(now + 300), now), "touch {what}"),
                17 => assert_eq!((d.rewrite(&k), d.recycle_lru()), (h.rewrite(&k), h.recycle_lru()), "rewrite {what}"),
                18 if step % 7 == 0 => {
                    d.clear();
                    h.clear();
                }
                18 => assert_eq!(d.purge_expired(now), h.purge_expired(now)),
                _ if step % 1_500 == 19 => {
                    // Into and out of the adaptive policy, and a smaller bound.
                    let next = Config { max_entries: 8 + rng.below(30) as usize, eviction: [Eviction::Lru, Eviction::Adaptive][step % 2], ..config };
                    d.set_config(next).unwrap();
                    h.set_config(next).unwrap();
                }
                _ => {
                    // A load of what the other holds, as the JS binding loads a dump.
                    let entries: Vec<_> = h.entries(now).map(|(k, v, e, c)| (*k, *v, c, e)).collect();
                    assert_eq!(d.load_prepared(entries.clone(), &[], now), h.load_prepared(entries, &[], now), "load {what}");
                }
            }
            assert_eq!(d.drain_dead().collect::<Vec<_>>(), h.drain_dead().collect::<Vec<_>>(), "freed {what}");
            now += rng.below(9);
            if step % 53 == 0 {
                agree(&d, &h, now, &what);
            }
        }
        agree(&d, &h, now, "at the end");
    }
}

#[test]
fn a_slot_past_the_laid_out_arrays_and_the_largest_slot() {
    for config in [Config::lru(3), Config { eviction: Eviction::Adaptive, ..Config::lru(3) }] {
        let (mut d, _) = pair(config);
        d.set(100_000, 1, 0, Expiry::Never, 0).unwrap();
        d.set(2, 2, 0, Expiry::Never, 0).unwrap();
        assert_eq!(d.get(&100_000, 0), Some(1));
        assert_eq!(d.get(&u32::MAX, 0), None, "a slot never written reads as missing");
        assert!(!d.delete(&u32::MAX, 0));
        d.validate().unwrap();
    }
}

#[test]
fn retime_writes_as_set_does() {
    // A host that keeps its values writes a held key again with a new expiry: `retime`
    // where it applies, else `set`, must leave what `set` alone leaves.
    let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(16) };
    let sized = Config { max_bytes: Some(40), ..Config::lru(16) };
    for (n, config) in [Config::lru(16), Config::django(16, 3), adaptive, sized].into_iter().enumerate() {
        let (mut by_set, _) = pair(config);
        let (mut by_retime, _) = pair(config);
        let mut rng = Rng(0x9e37_79b9 ^ n as u64);
        let mut now = 1_000;
        let mut retimed = 0;
        for step in 0..8_000 {
            let k = rng.below(40) as u32;
            let what = format!("at {step} ({config:?})");
            match rng.below(6) {
                0 | 1 => assert_eq!(by_set.get(&k, now), by_retime.get(&k, now), "get {k} {what}"),
                2 => assert_eq!(by_set.delete(&k, now), by_retime.delete(&k, now)),
                _ => {
                    let expiry = match rng.below(5) {
                        0 => Expiry::Never,
                        1 => Expiry::At(now.saturating_sub(rng.below(3))),
                        _ => Expiry::At(now + 1 + rng.below(300)),
                    };
                    let charge = rng.below(2) as usize;
                    let held = by_set.holds(&k);
                    by_set.set(k, k, charge, expiry, now).unwrap();
                    if by_retime.retime(&k, charge, expiry, now) {
                        retimed += 1;
                    } else {
                        by_retime.set(k, k, charge, expiry, now).unwrap();
                    }
                    // `set` hands back the value it replaced; `retime` keeps it in place.
                    let mut freed: Vec<u32> = by_set.drain_dead().collect();
                    if held && by_set.holds(&k) {
                        let at = freed.iter().position(|&s| s == k).expect("the replaced value");
                        freed.remove(at);
                    }
                    let mut other: Vec<u32> = by_retime.drain_dead().collect();
                    if held && by_retime.holds(&k) {
                        if let Some(at) = other.iter().position(|&s| s == k) {
                            other.remove(at);
                        }
                    }
                    assert_eq!(freed, other, "freed {what}");
                }
            }
            by_set.drain_dead().for_each(drop);
            by_retime.drain_dead().for_each(drop);
            now += rng.below(7);
            assert_eq!(by_set.keys(now), by_retime.keys(now), "order {what}");
            assert_eq!(by_set.stats(), by_retime.stats(), "counters {what}");
            assert_eq!(by_set.bytes(), by_retime.bytes(), "bytes {what}");
            by_retime.validate().unwrap();
        }
        assert!(retimed > 200, "retime applied {retimed} times ({config:?})");
    }
}

#[test]
fn recycle_lru_until_writes_as_set_does() {
    // A new key into a full store: `recycle_lru_until` where it applies (the victim's
    // slot stands for the new key), else `set`, must leave what `set` alone leaves.
    let sized = Config { max_bytes: Some(40), ..Config::lru(8) };
    for (n, config) in [Config::lru(8), Config::django(8, 3), sized].into_iter().enumerate() {
        let (mut by_set, _) = pair(config);
        let (mut by_recycle, _) = pair(config);
        let mut rng = Rng(0x51_7cc1_b727 ^ n as u64);
        let mut now = 1_000;
        let mut recycled = 0;
        // Store keys 0..16 stand for the host's keys; `held` maps host keys to the
        // recycling store's slots, which differ once a slot stands for another key.
        let mut held: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        let mut free: Vec<u32> = (0..16).rev().collect();
        for step in 0..6_000 {
            let k = 100 + rng.below(30) as u32;
            let what = format!("at {step} ({config:?})");
            let expiry = if rng.below(4) == 0 { Expiry::Never } else { Expiry::At(now + 1 + rng.below(200)) };
            if rng.below(3) == 0 {
                let a = by_set.get(&k, now).is_some();
                let b = by_recycle.get(held.get(&k).unwrap_or(&u32::MAX), now).is_some();
                assert_eq!(a, b, "get {k} {what}");
            } else if !by_set.holds(&k) {
                assert!(!held.contains_key(&k), "held by one store only {what}");
                by_set.set(k, k, 0, expiry, now).unwrap();
                match by_recycle.recycle_lru_until(expiry, now) {
                    Some(slot) => {
                        recycled += 1;
                        held.retain(|_, s| *s != slot);
                        held.insert(k, slot);
                    }
                    None => {
                        let slot = free.pop().expect("a free slot");
                        by_recycle.set(slot, slot, 0, expiry, now).unwrap();
                        held.insert(k, slot);
                    }
                }
            }
            by_set.drain_dead().for_each(drop);
            for slot in by_recycle.drain_dead() {
                held.retain(|_, s| *s != slot);
                free.push(slot);
            }
            free.sort_unstable_by(|a, b| b.cmp(a));
            free.dedup();
            assert_eq!(by_set.stats(), by_recycle.stats(), "counters {what}");
            let order: Vec<u32> = by_recycle
                .keys(now)
                .iter()
                .map(|s| host(&held, *s))
                .collect();
            assert_eq!(by_set.keys(now), order, "order {what}");
            by_recycle.validate().unwrap();
            now += rng.below(15);
        }
        assert_eq!(recycled > 0, n == 0, "only in LRU without a byte bound");
    }
}

#[test]
fn recycle_lru_charged_writes_as_set_does() {
    // A new key charged 0-5 into a store full by its count or too full by its bytes:
    // `recycle_lru_charged` where it applies (the victim's slot stands for the new key),
    // else `set`, must leave what `set` alone leaves, and free the same keys in the same
    // order (`set` frees the recycled victim first).
    let sized = Config { max_bytes: Some(20), ..Config::lru(8) };
    let sized_cull = Config { max_bytes: Some(20), ..Config::django(8, 3) };
    let bytes_alone = Config { max_bytes: Some(20), ..Config::lru(1 << 20) };
    for (n, config) in [sized, Config::lru(8), bytes_alone, sized_cull].into_iter().enumerate() {
        let (mut by_set, _) = pair(config);
        let (mut by_recycle, _) = pair(config);
        let mut rng = Rng(0x7e_c1c1_ed ^ n as u64);
        let mut recycled = 0;
        // Host keys 100..130; `held` maps them to the recycling store's slots.
        let mut held: std::collections::HashMap<u32, u32> = std::collections::HashMap::new();
        let mut free: Vec<u32> = (0..40).rev().collect();
        for step in 0..6_000 {
            let k = 100 + rng.below(30) as u32;
            let what = format!("at {step} ({config:?})");
            if rng.below(3) == 0 {
                let a = by_set.get(&k, 0).is_some();
                let b = by_recycle.get(held.get(&k).unwrap_or(&u32::MAX), 0).is_some();
                assert_eq!(a, b, "get {k} {what}");
                continue;
            }
            if by_set.holds(&k) {
                continue;
            }
            let charge = rng.below(6) as usize;
            by_set.set(k, k, charge, Expiry::Never, 0).unwrap();
            let mut gone = Vec::new();
            match by_recycle.recycle_lru_charged(charge) {
                Some(slot) => {
                    recycled += 1;
                    gone.push(host(&held, slot));
                    held.insert(k, slot);
                    held.retain(|h, s| *s != slot || *h == k);
                }
                None => {
                    let slot = free.pop().expect("a free slot");
                    by_recycle.set(slot, slot, charge, Expiry::Never, 0).unwrap();
                    held.insert(k, slot);
                }
            }
            for slot in by_recycle.drain_dead().collect::<Vec<_>>() {
                gone.push(host(&held, slot));
                held.retain(|_, s| *s != slot);
                free.push(slot);
            }
            assert_eq!(by_set.drain_dead().collect::<Vec<_>>(), gone, "freed {what}");
            assert_eq!(by_set.stats(), by_recycle.stats(), "counters {what}");
            assert_eq!(by_set.bytes(), by_recycle.bytes(), "bytes {what}");
            let order: Vec<u32> = by_recycle.keys(0).iter().map(|s| host(&held, *s)).collect();
            assert_eq!(by_set.keys(0), order, "order {what}");
            by_recycle.validate().unwrap();
        }
        assert_eq!(recycled > 100, n < 3, "in LRU stores only: {recycled} ({config:?})");
    }
    // The adaptive policy picks its own victim (its decisions follow the keys, so it is
    // not compared with host keys above).
    let (mut adaptive, _) = pair(Config { eviction: Eviction::Adaptive, ..sized });
    for slot in 0..8 {
        adaptive.set(slot, slot, 1, Expiry::Never, 0).unwrap();
    }
    assert_eq!(adaptive.recycle_lru_charged(1), None);
    assert_eq!((adaptive.len(), adaptive.bytes()), (8, 8));
}

#[test]
fn insert_below_bound_writes_as_set_does() {
    // `insert_below_bound` (or `insert_unexpiring_below_bound`) where it applies, else
    // `set`, must leave what `set` alone leaves: the order, counters, bytes, freed slots
    // and expiries.
    let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(16) };
    let sized = Config { max_bytes: Some(40), ..Config::lru(16) };
    let sized_cull = Config { max_bytes: Some(30), ..Config::django(16, 3) };
    for (n, config) in [Config::lru(16), Config::django(16, 3), adaptive, sized, sized_cull].into_iter().enumerate() {
        let (mut by_set, _) = pair(config);
        let (mut by_insert, _) = pair(config);
        let mut rng = Rng(0x2f6b_41d3 ^ n as u64);
        let mut now = 1_000;
        let mut inserted = 0;
        for step in 0..8_000 {
            let k = rng.below(24) as u32;
            let what = format!("at {step} ({config:?})");
            match rng.below(10) {
                0..=2 => assert_eq!(by_set.get(&k, now), by_insert.get(&k, now), "get {k} {what}"),
                3 | 4 => assert_eq!(by_set.delete(&k, now), by_insert.delete(&k, now), "delete {k} {what}"),
                5 if step % 900 == 5 => {
                    by_set.clear();
                    by_insert.clear();
                }
                _ => {
                    let expiry = match rng.below(6) {
                        0..=2 => Expiry::Never,
                        3 => Expiry::At(now.saturating_sub(rng.below(3))),
                        _ => Expiry::At(now + 1 + rng.below(60)),
                    };
                    let charge = rng.below(if n >= 3 { 6 } else { 3 }) as usize;
                    by_set.set(k, k, charge, expiry, now).unwrap();
                    let quick = expiry == Expiry::Never && charge == 0 && step % 2 == 0;
                    let done = if quick {
                        by_insert.insert_unexpiring_below_bound(k, k)
                    } else {
                        by_insert.insert_below_bound(k, k, charge, expiry, now)
                    };
                    if done {
                        inserted += 1;
                    } else {
                        by_insert.set(k, k, charge, expiry, now).unwrap();
                    }
                }
            }
            let freed: Vec<u32> = by_set.drain_dead().collect();
            assert_eq!(freed, by_insert.drain_dead().collect::<Vec<_>>(), "freed {what}");
            now += rng.below(5);
            assert_eq!(by_set.keys(now), by_insert.keys(now), "order {what}");
            assert_eq!(by_set.stats(), by_insert.stats(), "counters {what}");
            assert_eq!(by_set.bytes(), by_insert.bytes(), "bytes {what}");
            assert_eq!(by_set.expiry(&k, now), by_insert.expiry(&k, now), "expiry {k} {what}");
            by_insert.validate().unwrap();
        }
        assert_eq!(inserted > 0, n != 2, "in the LRU family only (with room under a byte bound)");
    }
}

#[test]
fn read_held_all_reads_as_read_held_does() {
    // A run of a host's hits read at once must leave the order and counters that
    // reading them one by one leaves, held or not, in every policy, with and without
    // entries that may expire.
    let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(16) };
    for (n, config) in [Config::lru(16), Config::django(16, 3), adaptive].into_iter().enumerate() {
        let (mut one_by_one, _) = pair(config);
        let (mut in_runs, _) = pair(config);
        let mut rng = Rng(0x7f4a_7c15 ^ n as u64);
        for step in 0..3_000 {
            let what = format!("at {step} ({config:?})");
            if rng.below(3) == 0 {
                // Some entries expire (far ahead): the runs then read each entry.
                let k = rng.below(24) as u32;
                let expiry = if step > 1_500 && rng.below(2) == 0 { Expiry::At(1 << 40) } else { Expiry::Never };
                one_by_one.set(k, k, 0, expiry, 0).unwrap();
                in_runs.set(k, k, 0, expiry, 0).unwrap();
            } else {
                let mut run: Vec<u32> = (0..rng.below(12)).map(|_| rng.below(30) as u32).collect();
                if rng.below(2) == 0 {
                    // A scan from the least recently used (the dense LRU rotates its list).
                    let from_tail: Vec<u32> = one_by_one.keys(0).into_iter().rev().collect();
                    let len = rng.below(2 * from_tail.len() as u64 + 2) as usize;
                    let at = run.len() / 2;
                    run.splice(at..at, from_tail.iter().cycle().take(len).copied());
                }
                for k in &run {
                    one_by_one.read_held(k);
                }
                in_runs.read_held_all(run.into_iter());
            }
            one_by_one.drain_dead().for_each(drop);
            in_runs.drain_dead().for_each(drop);
            assert_eq!(one_by_one.keys(0), in_runs.keys(0), "order {what}");
            assert_eq!(one_by_one.stats(), in_runs.stats(), "counters {what}");
            in_runs.validate().unwrap();
        }
    }
}

#[test]
fn recycles_replayed_as_hits_and_counted_are_recycle_lru() {
    // A host's recycles made without a call (each victim read from the links as the
    // least recently used at its turn, queued as a hit, then counted with
    // `count_recycles`) leave the order and counters of `recycle_lru` one by one:
    // runs shorter than the list, as long, and longer (round it more than once).
    for len in [1usize, 3, 16, 40] {
        let (mut called, _) = pair(Config::lru(16));
        let (mut queued, _) = pair(Config::lru(16));
        for k in 0..16u32 {
            called.set(k, k, 0, Expiry::Never, 0).unwrap();
            queued.set(k, k, 0, Expiry::Never, 0).unwrap();
        }
        // Some reads first, so that the order is not the writes'.
        for k in [3u32, 9, 0, 3] {
            called.read_held(&k);
            queued.read_held(&k);
        }
        let mut run = Vec::new();
        for _ in 0..len {
            run.push(called.recycle_lru().expect("full, untimed, unsized LRU"));
        }
        queued.read_held_all(run.into_iter());
        queued.count_recycles(len as u64);
        assert_eq!(called.keys(0), queued.keys(0), "order after a run of {len}");
        assert_eq!(called.stats(), queued.stats(), "counters after a run of {len}");
        queued.validate().unwrap();
    }
}
