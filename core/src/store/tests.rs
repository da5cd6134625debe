use super::*;

fn lru(n: usize) -> Store<String, i64> {
    Store::new(Config::lru(n)).unwrap()
}

#[test]
fn evicts_least_recently_used() {
    let mut s = lru(2);
    s.set("a".into(), 1, 1, Expiry::Never, 0).unwrap();
    s.set("b".into(), 2, 1, Expiry::Never, 0).unwrap();
    assert_eq!(s.get("a", 0), Some(1));
    s.set("c".into(), 3, 1, Expiry::Never, 0).unwrap();
    assert_eq!(s.get("b", 0), None);
    assert_eq!(s.stats().evictions, 1);
    s.validate().unwrap();
}

#[test]
fn last_key_is_the_next_lru_victim() {
    let mut s = lru(3);
    assert_eq!(s.last_key(), None);
    for (i, k) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
        s.set(k.into(), i as i64, 1, Expiry::Never, 0).unwrap();
        s.get("a", 0);
    }
    assert_eq!(s.keys(0), ["a", "e", "d"]);
    assert_eq!(s.last_key().map(String::as_str), Some("d"));
    s.set("f".into(), 5, 1, Expiry::Never, 0).unwrap();
    assert_eq!(s.keys(0), ["f", "a", "e"], "d was the victim");
}

#[test]
fn rewrite_of_a_held_entry_that_never_expires_is_a_set_of_the_same_entry() {
    let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(3) };
    for config in [Config::lru(3), Config::django(3, 2), adaptive] {
        let (mut by_set, mut by_rewrite) = (Store::<String, i64>::new(config).unwrap(), Store::new(config).unwrap());
        for s in [&mut by_set, &mut by_rewrite] {
            for (i, k) in ["a", "b", "c"].into_iter().enumerate() {
                s.set(k.into(), i as i64, 0, Expiry::Never, 0).unwrap();
            }
        }
        for k in ["a", "c", "a", "b"] {
            let v = by_set.peek(k, 0).copied().unwrap();
            by_set.set(k.into(), v, 0, Expiry::Never, 0).unwrap();
            assert!(by_rewrite.rewrite(k));
        }
        assert_eq!(by_rewrite.keys(0), by_set.keys(0));
        assert_eq!(by_rewrite.stats(), by_set.stats());
        by_rewrite.validate().unwrap();
        // Shrinking evicts by the policy's own order (the adaptive one spares the newest
        // write): the same victims either way.
        for s in [&mut by_set, &mut by_rewrite] {
            s.set_config(Config { max_entries: 1, ..config }).unwrap();
        }
        assert_eq!(by_rewrite.keys(0), by_set.keys(0), "{config:?}");
    }
    let mut s = lru(2);
    s.set("t".into(), 1, 0, Expiry::At(50), 0).unwrap();
    assert!(!s.rewrite("t"), "an entry that expires is not rewritten");
    assert!(!s.rewrite("missing"));
    assert_eq!(s.stats().sets, 1);
}

#[test]
fn a_failed_incr_leaves_recency_alone() {
    let mut s = lru(2);
    s.set("a".into(), i64::MAX, 1, Expiry::Never, 0).unwrap();
    s.set("b".into(), 1, 1, Expiry::Never, 0).unwrap();
    assert_eq!(s.incr("a", 1, 0), Err(Error::Overflow(String::new())));
    s.set("c".into(), 3, 1, Expiry::Never, 0).unwrap();
    assert_eq!(s.get("a", 0), None, "the failed incr did not make `a` recent");
    assert_eq!(s.incr("b", 1, 0), Ok(2));
    s.set("d".into(), 4, 1, Expiry::Never, 0).unwrap();
    assert_eq!(s.get("b", 0), Some(2), "a successful incr is a use");
    s.validate().unwrap();
}

#[test]
fn django_cull_matches_django_test_cull() {
    // Django's test_cull: MAX_ENTRIES 30, CULL_FREQUENCY 3, 49 sets leave 29.
    let mut s: Store<String, i64> = Store::new(Config::django(30, 3)).unwrap();
    for i in 1..50 {
        s.set(format!("cull{i}"), i, 1, Expiry::At(1_000_000), 0).unwrap();
    }
    assert_eq!(s.len(), 29);
    let mut z: Store<String, i64> = Store::new(Config::django(30, 0)).unwrap();
    for i in 1..50 {
        z.set(format!("cull{i}"), i, 1, Expiry::At(1_000_000), 0).unwrap();
    }
    assert_eq!(z.len(), 19);
}

#[test]
fn byte_bound_is_never_passed_and_oversize_keeps_old_value() {
    let mut s: Store<String, i64> =
        Store::new(Config { max_entries: 100, max_bytes: Some(10), eviction: Eviction::Lru }).unwrap();
    s.set("a".into(), 1, 4, Expiry::Never, 0).unwrap();
    s.set("b".into(), 2, 4, Expiry::Never, 0).unwrap();
    s.set("c".into(), 3, 4, Expiry::Never, 0).unwrap();
    assert!(s.bytes() <= 10);
    assert_eq!(s.peek("a", 0), None);
    assert!(matches!(s.set("c".into(), 9, 11, Expiry::Never, 0), Err(Error::ValueTooLarge { .. })));
    assert_eq!(s.peek("c", 0), Some(&3));
    s.validate().unwrap();
}

#[test]
fn expired_entries_are_not_read_and_are_reclaimed() {
    let mut s = lru(10);
    s.set("a".into(), 1, 1, Expiry::At(100), 0).unwrap();
    assert_eq!(s.get("a", 99), Some(1));
    assert_eq!(s.get("a", 100), None);
    assert_eq!(s.len(), 0);
    s.set("b".into(), 1, 1, Expiry::At(100), 0).unwrap();
    s.set("c".into(), 1, 1, Expiry::Never, 200).unwrap();
    assert_eq!(s.len(), 1, "a write reclaims expired entries");
    assert_eq!(s.stats().expirations, 2);
}

#[test]
fn incr_keeps_expiry() {
    let mut s = lru(10);
    s.set("n".into(), 5, 1, Expiry::At(1000), 0).unwrap();
    assert_eq!(s.incr("n", 3, 10), Ok(8));
    assert_eq!(s.expiry("n", 10), Some(Expiry::At(1000)));
    assert_eq!(s.incr("missing", 1, 10), Err(Error::KeyNotFound(String::new())));
    assert_eq!(s.incr("n", i64::MAX, 10), Err(Error::Overflow(String::new())));
    assert_eq!(s.incr("n", 1, 1000), Err(Error::KeyNotFound(String::new())));
}

#[test]
fn drain_dead_gives_the_same_values_as_take_dead() {
    let mut s = lru(1);
    s.set("a".into(), 1, 1, Expiry::Never, 0).unwrap();
    s.set("b".into(), 2, 1, Expiry::Never, 0).unwrap();
    s.set("b".into(), 3, 1, Expiry::Never, 0).unwrap();
    assert_eq!(s.drain_dead().collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(s.drain_dead().count(), 0);
    assert!(s.take_dead().is_empty());
}

#[test]
fn holds_sees_expired_entries_until_reclaimed() {
    let mut s = lru(10);
    s.set("a".into(), 1, 1, Expiry::At(100), 0).unwrap();
    assert!(s.holds("a"));
    assert!(!s.contains("a", 100));
    assert!(s.holds("a"), "expired but not reclaimed");
    assert_eq!(s.get("a", 100), None);
    assert!(!s.holds("a"));
}

#[test]
fn snapshot_round_trip_keeps_recency_expiry_and_generations() {
    use crate::snapshot::{LoadOptions, Snapshot, SnapshotKey};
    let mut s: Store<String, i64> = Store::new(Config::lru(10)).unwrap();
    s.set("a".into(), 1, 1, Expiry::Never, 0).unwrap();
    s.set("b".into(), 2, 1, Expiry::At(500), 0).unwrap();
    s.set("gone".into(), 3, 1, Expiry::At(50), 0).unwrap();
    s.get("a", 10);
    s.invalidate("ns");
    let key = SnapshotKey::new(b"a key of 16+ bytes").unwrap();
    let bytes = s.to_snapshot(100, |v| Some((Codec::Json, v.to_string().into_bytes()))).encode(Some(&key)).unwrap();
    let loaded = Snapshot::decode(&bytes, LoadOptions { key: Some(&key), ..Default::default() }).unwrap();
    let mut t: Store<String, i64> = Store::new(Config::lru(10)).unwrap();
    t.invalidate("ns");
    t.invalidate("ns");
    let entries = loaded
        .snapshot
        .entries
        .iter()
        .map(|e| {
            let v: i64 = std::str::from_utf8(&e.value).unwrap().parse().unwrap();
            (e.key.clone(), v, 1, e.expires_at.map(Expiry::At).unwrap_or(Expiry::Never))
        })
        .collect();
    assert_eq!(t.load_prepared(entries, &loaded.snapshot.generations, 100), 2);
    assert_eq!(t.keys(100), vec!["a".to_string(), "b".to_string()]);
    assert_eq!(t.expiry("b", 100), Some(Expiry::At(500)));
    assert_eq!(t.generation("ns"), 3, "a generation never moves backwards");
    t.validate().unwrap();
}

#[test]
fn touch_and_namespaces() {
    let mut s = lru(10);
    s.set("a".into(), 1, 1, Expiry::At(100), 0).unwrap();
    assert!(s.touch("a", Expiry::Never, 50));
    assert_eq!(s.get("a", 10_000), Some(1));
    assert!(s.touch("a", Expiry::At(0), 10_000));
    assert_eq!(s.get("a", 10_000), None);
    assert_eq!(s.generation("ns"), 1);
    assert_eq!(s.invalidate("ns"), 2);
    s.clear();
    assert_eq!(s.generation("ns"), 2);
    s.validate().unwrap();
}

#[test]
fn recycle_lru_is_a_set_of_a_new_key_that_evicts_the_least_recently_used() {
    // Keys stand for slots: a store that sets a new key and evicts, beside one that
    // recycles the victim's key for it; the same order (by slot) and counters.
    let (mut by_set, mut by_recycle) = (lru(3), lru(3));
    for s in [&mut by_set, &mut by_recycle] {
        for (i, k) in ["a", "b", "c"].into_iter().enumerate() {
            s.set(k.into(), i as i64, 0, Expiry::Never, 0).unwrap();
        }
        s.get("a", 0);
    }
    by_set.set("d".into(), 3, 0, Expiry::Never, 0).unwrap();
    assert_eq!(by_recycle.recycle_lru().as_deref(), Some("b"), "b was the victim");
    assert_eq!(by_set.keys(0), ["d", "a", "c"]);
    assert_eq!(by_recycle.keys(0), ["b", "a", "c"], "b's key now stands for d's entry");
    assert_eq!(by_recycle.stats(), by_set.stats());
    by_recycle.validate().unwrap();
    // Not full, timed, sized, or another policy: nothing done.
    let mut not_full = lru(4);
    not_full.set("a".into(), 1, 0, Expiry::Never, 0).unwrap();
    let mut timed = lru(1);
    timed.set("a".into(), 1, 0, Expiry::At(50), 0).unwrap();
    let mut charged = lru(1);
    charged.set("a".into(), 1, 1, Expiry::Never, 0).unwrap();
    for mut s in [not_full, timed, charged] {
        let before = s.stats();
        assert_eq!(s.recycle_lru(), None);
        assert_eq!(s.stats(), before);
    }
    let mut culls = Store::<String, i64>::new(Config::django(1, 2)).unwrap();
    culls.set("a".into(), 1, 0, Expiry::Never, 0).unwrap();
    assert_eq!(culls.recycle_lru(), None);
}

#[test]
fn expiry_floor_is_at_or_before_every_live_expiry() {
    let mut s = lru(8);
    assert_eq!(s.expiry_floor(), NEVER, "nothing indexed");
    s.set("a".into(), 1, 0, Expiry::Never, 0).unwrap();
    assert_eq!(s.expiry_floor(), NEVER, "an entry that never expires is not indexed");
    s.set("b".into(), 2, 0, Expiry::At(500), 100).unwrap();
    s.set("c".into(), 3, 0, Expiry::At(300), 100).unwrap();
    assert_eq!(s.expiry_floor(), 300);
    // Written again later: the old record stays (stale) and the floor with it.
    s.set("c".into(), 3, 0, Expiry::At(900), 100).unwrap();
    assert_eq!(s.expiry_floor(), 300);
    // A write at or past it reclaims what expired and drops stale records on the way.
    s.set("d".into(), 4, 0, Expiry::At(1_000), 600).unwrap();
    assert_eq!(s.expiry_floor(), 900);
    assert!(s.get("b", 600).is_none());
}

#[test]
fn keys_reused_with_the_same_expiry_leave_no_records_behind() {
    // A JS cache bounded by bytes: slots freed by evictions are written again by new keys,
    // all in one clock reading, so with one expiry. A record that passed for any later
    // entry of its key with that expiry (session 10, reverted) was never dropped, and
    // the compaction ran on every write (10,000 evictions: 470 ms).
    let mut s: Store<u32, u32> =
        Store::new(Config { max_entries: 1 << 20, max_bytes: Some(1_000), eviction: Eviction::Lru }).unwrap();
    let mut free: Vec<u32> = Vec::new();
    let mut next = 0u32;
    for i in 0..20_000u32 {
        let k = free.pop().unwrap_or_else(|| {
            next += 1;
            next - 1
        });
        // As the JS store writes: the value is the slot, which drain_dead gives back.
        s.set(k, k, 1 + (i % 4) as usize, Expiry::At(60_000), 5).unwrap();
        free.extend(s.drain_dead().filter(|&d| d != k));
        // (Compaction counts the entries before this write's evictions: up to 4 more.)
        let bound = 2 * (s.map.len() + 4) + COMPACT_SLACK + 1;
        assert!(s.expiries.len() <= bound, "{} records for {} entries at {i}", s.expiries.len(), s.map.len());
    }
    // Every held entry still expires when it should.
    let held = s.len();
    assert!(held > 250, "{held} held");
    assert_eq!(s.purge_expired_at_most(60_000, usize::MAX), held);
    assert_eq!(s.len(), 0);
}

#[test]
fn a_load_is_bounded_by_a_scratch_store_then_swapped_in_keeping_the_history() {
    let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(4) };
    let sized = Config { max_bytes: Some(10), ..Config::lru(4) };
    for config in [Config::lru(4), Config::django(4, 2), adaptive, sized] {
        let mut s: Store<String, i64> = Store::new(config.clone()).unwrap();
        for i in 0..100 {
            let k = format!("h{}", i % 7);
            let _ = s.set(k.clone(), i, 2, Expiry::Never, 0);
            s.get(&k, 0);
        }
        s.invalidate("ns");
        let stats = s.stats();
        let mut scratch: Store<String, i64> = Store::new(config.clone()).unwrap();
        let input = [("a", 3, Expiry::Never), ("b", 2, Expiry::At(50)), ("a", 2, Expiry::Never), ("c", 11, Expiry::Never)];
        for (k, charge, expiry) in input {
            scratch.bound_one(k.to_string(), charge as i64, charge, expiry, 100, None);
        }
        // "b" expired, the first "a" replaced by the later, "c" over the byte bound where there is one.
        let sized = config.max_bytes.is_some();
        // (`keys`: most recently used first.)
        let expected: Vec<String> = if sized { vec!["a".into()] } else { vec!["c".into(), "a".into()] };
        assert_eq!(scratch.keys(100), expected, "{config:?}");
        // A later entry that expired removes the earlier one too.
        scratch.bound_one("a".to_string(), 9, 1, Expiry::At(99), 100, None);
        assert!(!scratch.holds("a"));
        // More than the bound: the first ones go as they come.
        for k in ["d", "e", "f", "g", "h"] {
            scratch.bound_one(k.to_string(), 1, 1, Expiry::At(500), 100, None);
        }
        assert_eq!(scratch.len(), 4, "{config:?}");
        let held: Vec<_> = scratch.entries(100).map(|(k, v, expiry, charge)| (k.clone(), *v, charge, expiry)).collect();
        let mut shown = Vec::new();
        let gens = [("ns".to_string(), 1), ("other".to_string(), 4)];
        let stored = s.replace_from(&scratch, 1, &gens, 100, |v| *v, |k, expiry| {
            shown.push((k.clone(), expiry));
            None
        });
        assert_eq!(shown, held.iter().map(|e| (e.0.clone(), e.3)).collect::<Vec<_>>(), "each key and expiry shown, in order");
        assert_eq!(stored, held.len());
        assert_eq!(s.keys(100), held.iter().rev().map(|e| e.0.clone()).collect::<Vec<_>>(), "{config:?}: in the scratch store's order");
        assert_eq!(s.expiry(&held[0].0, 100), Some(held[0].3));
        assert_eq!(s.generation("ns"), 2, "merged: the larger of the two");
        assert_eq!(s.generation("other"), 4);
        // Counted as a set an entry held, nothing else.
        let after = s.stats();
        assert_eq!((after.sets, after.evictions, after.deletes), (stats.sets + held.len() as u64, stats.evictions, stats.deletes), "{config:?}");
        s.validate().unwrap();
    }
}
