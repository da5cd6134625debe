//! The adaptive policy on the patterns that defeat LRU (core/tests/common/synthetic.rs),
//! each beside LRU on the same requests, so the test shows the pattern really is hard.

#[path = "common/synthetic.rs"]
mod synthetic;
#[path = "common/trace.rs"]
mod trace;

use polycache::{Config, Eviction, Expiry, Store};
use synthetic::{loop_over, popularity_shift, Rng, Zipf};
use trace::{adaptive_hit_ratio, hit_ratio, lru_hit_ratio};

fn adaptive(size: usize) -> Config {
    Config { max_entries: size, max_bytes: None, eviction: Eviction::Adaptive }
}

/// Warms a cache of 1,000 on 600 hot keys, scans 10,000 never-seen keys, and counts the
/// hot keys still held.
fn hot_keys_left_after_scan(config: Config) -> usize {
    let mut store: Store<u64, ()> = Store::new(config).unwrap();
    let zipf = Zipf::new(600, 0.5, 0);
    let mut rng = Rng::new(7);
    let access = |store: &mut Store<u64, ()>, k: u64| {
        if store.get_with(&k, 0, |_| ()).is_none() {
            store.set(k, (), 1, Expiry::Never, 0).unwrap();
        }
    };
    for k in 0..600 {
        access(&mut store, k);
    }
    for _ in 0..20_000 {
        let k = zipf.draw(&mut rng);
        access(&mut store, k);
    }
    for k in 1_000_000..1_010_000 {
        access(&mut store, k);
    }
    (0..600).filter(|k| store.contains(k, 0)).count()
}

#[test]
fn a_one_off_scan_does_not_flush_the_hot_set() {
    assert_eq!(hot_keys_left_after_scan(Config::lru(1_000)), 0, "LRU loses every hot key");
    let kept = hot_keys_left_after_scan(adaptive(1_000));
    assert!(kept >= 570, "adaptive kept {kept} of 600 hot keys");
}

#[test]
fn a_loop_one_entry_larger_than_the_cache_hits() {
    let requests = loop_over(1_000, 30);
    assert_eq!(lru_hit_ratio(&requests, 1_000), 0.0);
    let got = adaptive_hit_ratio(&requests, 1_000);
    println!("adaptive hit ratio on the loop: {got}");
    // The first round can only miss: 29 of 30 rounds hit at best (96.7%).
    assert!(got > 0.95, "adaptive hit ratio {got}");
}

/// The price of admission (README, "Which eviction policy"): in a full cache of keys that
/// were read, a key written once and never read leaves after a few newer writes, where
/// LRU keeps it until a whole capacity's worth of newer keys has passed.
#[test]
fn a_key_written_once_and_never_read_leaves_sooner_than_under_lru() {
    let survives = |config: Config, newer: u64| {
        let mut s: Store<u64, ()> = Store::new(config).unwrap();
        for k in 0..100 {
            s.set(k, (), 1, Expiry::Never, 0).unwrap();
        }
        for k in 0..100 {
            assert!(s.get_with(&k, 0, |_| ()).is_some());
        }
        s.set(1_000, (), 1, Expiry::Never, 0).unwrap();
        for k in 0..newer {
            s.set(2_000 + k, (), 1, Expiry::Never, 0).unwrap();
        }
        s.contains(&1_000, 0)
    };
    assert!(survives(Config::lru(100), 99), "LRU keeps it for 99 newer writes");
    assert!(!survives(Config::lru(100), 100));
    assert!(survives(adaptive(100), 0), "the write itself keeps what it wrote");
    assert!(!survives(adaptive(100), 5), "adaptive lets it go within 5 newer writes");
}

#[test]
fn yesterdays_hot_keys_make_room_after_a_popularity_shift() {
    let requests = popularity_shift();
    let (before, after) = requests.split_at(200_000);
    // The hit ratio over the last half of the new phase, with the cache warmed by all
    // that came before it.
    let tail_ratio = |config: Config| {
        let whole = hit_ratio(&requests, config) * requests.len() as f64;
        let head =
            hit_ratio(&requests[..before.len() + after.len() / 2], config) * (before.len() + after.len() / 2) as f64;
        (whole - head) / (after.len() / 2) as f64
    };
    let lru = tail_ratio(Config::lru(1_000));
    let ours = tail_ratio(adaptive(1_000));
    let settled = hit_ratio(before, adaptive(1_000));
    assert!(ours >= lru, "adaptive {ours} below LRU {lru} after the shift");
    assert!(ours >= settled - 0.02, "adaptive {ours} after the shift vs {settled} before it");
}

#[test]
fn byte_bound_ttl_and_delete_keep_their_rules() {
    let mut s: Store<String, i64> =
        Store::new(Config { max_entries: 100, max_bytes: Some(10), eviction: Eviction::Adaptive }).unwrap();
    for (i, k) in ["a", "b", "c", "d"].iter().enumerate() {
        s.set(k.to_string(), i as i64, 4, Expiry::Never, 0).unwrap();
        assert_eq!(s.peek(*k, 0), Some(&(i as i64)), "a write keeps what it wrote");
        assert!(s.bytes() <= 10);
    }
    assert_eq!(s.len(), 2);
    s.set("t".into(), 9, 1, Expiry::At(50), 0).unwrap();
    assert_eq!(s.get("t", 49), Some(9));
    assert_eq!(s.get("t", 50), None, "expired");
    assert!(s.delete("d", 60));
    assert_eq!(s.get("d", 60), None);
    s.validate().unwrap();
}

#[test]
fn switching_policy_keeps_the_entries() {
    let mut s: Store<String, i64> = Store::new(Config::lru(10)).unwrap();
    for i in 0..10 {
        s.set(format!("k{i}"), i, 1, Expiry::Never, 0).unwrap();
    }
    s.set_config(adaptive(10)).unwrap();
    assert_eq!(s.len(), 10);
    s.set_config(adaptive(5)).unwrap();
    assert_eq!(s.len(), 5);
    s.set_config(Config::django(5, 3)).unwrap();
    assert_eq!(s.len(), 5);
    assert_eq!(s.stats().evictions, 5);
    s.validate().unwrap();
}

/// A host whose store keys are stand-ins reused by other keys (the JS binding's slots)
/// makes the same decisions as a store keyed by the real keys, when it passes each new
/// key's fingerprint; without them, history follows the stand-ins.
#[test]
fn stand_in_keys_with_fingerprints_decide_as_real_keys() {
    let requests: Vec<String> = loop_over(40, 6).into_iter().chain(0..300).map(|k| format!("k{}", k % 57)).collect();
    let mut real: Store<String, ()> = Store::new(adaptive(40)).unwrap();
    let replay = |fingerprints: bool| {
        let mut slots: Store<u32, u32> = Store::new(adaptive(40)).unwrap();
        let mut slot_of = std::collections::HashMap::new();
        let mut free: Vec<u32> = Vec::new();
        let mut next = 0;
        let mut hits = Vec::new();
        for key in &requests {
            let hit = slot_of.get(key).is_some_and(|s| slots.get(s, 0).is_some());
            hits.push(hit);
            if !hit {
                let slot = free.pop().unwrap_or_else(|| {
                    next += 1;
                    next
                });
                if fingerprints {
                    slots.next_key_fingerprint(polycache::fingerprint(key.as_str()));
                }
                slots.set(slot, slot, 1, Expiry::Never, 0).unwrap();
                slot_of.insert(key.clone(), slot);
                for gone in slots.take_dead() {
                    free.push(gone);
                    slot_of.retain(|_, s| *s != gone);
                }
            }
        }
        hits
    };
    let want: Vec<bool> = requests
        .iter()
        .map(|k| {
            let hit = real.get(k.as_str(), 0).is_some();
            if !hit {
                real.set(k.clone(), (), 1, Expiry::Never, 0).unwrap();
            }
            hit
        })
        .collect();
    assert_eq!(replay(true), want);
    assert_ne!(replay(false), want, "the pattern must depend on history for this test to mean anything");
}
