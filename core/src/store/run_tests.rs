//! A host's run of new keys stored at once ([`Store::insert_all_below_bound`]) against
//! the same keys stored one by one: the same order, counters, bytes and freed slots, in
//! every policy, dense or hashed, with the run cut short by the count bound, the byte
//! bound and keys already held, and not taken at all where the single write would not
//! apply.

use super::*;
use crate::policy::Slots;
use crate::seeded_hasher;
use crate::test_rng::Rng;

fn dense(config: Config) -> Store<u32, u32, Slots<KeyHasher>> {
    Store::with_hasher(config, Slots(seeded_hasher([9, 8, 7, 6])), [1, 2, 3, 4]).unwrap()
}

/// Every run is replayed as the JS `LRUCache`'s store replays it: what the run method
/// does not take goes, in order, to `insert_below_bound` and then `set`.
fn runs_agree<S: Indexing<u32>>(make: impl Fn(Config) -> Store<u32, u32, S>) {
    let adaptive = Config { eviction: Eviction::Adaptive, ..Config::lru(16) };
    let sized = Config { max_bytes: Some(30), ..Config::lru(16) };
    let sized_cull = Config { max_bytes: Some(30), ..Config::django(16, 3) };
    let mut taken_somewhere = [false; 4];
    for (n, config) in [Config::lru(16), Config::django(16, 3), sized, sized_cull, adaptive].into_iter().enumerate() {
        let (mut one, mut runs) = (make(config), make(config));
        let mut rng = Rng(0x51f0_9e3b ^ n as u64);
        let mut now = 1_000;
        for step in 0..3_000 {
            let what = format!("at {step} ({config:?})");
            match rng.below(8) {
                0 => {
                    let k = rng.below(40) as u32;
                    assert_eq!(one.get(&k, now), runs.get(&k, now), "get {what}");
                }
                1 => {
                    let k = rng.below(40) as u32;
                    assert_eq!(one.delete(&k, now), runs.delete(&k, now), "delete {what}");
                }
                2 => {
                    // An entry that expires: no run is taken while the store indexes it.
                    let k = rng.below(40) as u32;
                    one.set(k, k, 0, Expiry::At(now + 5), now).unwrap();
                    runs.set(k, k, 0, Expiry::At(now + 5), now).unwrap();
                }
                _ => {
                    // Mostly new keys, sometimes a held one, up to past the bound.
                    let start = rng.below(40) as u32;
                    let keys: Vec<u32> = (0..1 + rng.below(20) as u32).map(|j| (start + j * (1 + (j % 3))) % 40).collect();
                    // Charged 0-3 where a byte bound counts them.
                    let charge = |k: u32| if config.max_bytes.is_some() { (k as usize * 7) % 4 } else { 0 };
                    for &k in &keys {
                        if !one.insert_below_bound(k, k, charge(k), Expiry::Never, now) {
                            one.set(k, k, charge(k), Expiry::Never, now).unwrap();
                        }
                    }
                    let took = runs.insert_all_below_bound(|n| keys.get(n).map(|&k| (k, k, charge(k))));
                    if n == 4 {
                        assert_eq!(took, 0, "the adaptive policy takes no run {what}");
                    } else {
                        taken_somewhere[n] |= took > 0;
                    }
                    for &k in &keys[took..] {
                        if !runs.insert_below_bound(k, k, charge(k), Expiry::Never, now) {
                            runs.set(k, k, charge(k), Expiry::Never, now).unwrap();
                        }
                    }
                }
            }
            assert_eq!(one.drain_dead().collect::<Vec<_>>(), runs.drain_dead().collect::<Vec<_>>(), "freed {what}");
            now += rng.below(3);
            assert_eq!(one.keys(now), runs.keys(now), "order {what}");
            assert_eq!(one.stats(), runs.stats(), "counters {what}");
            assert_eq!(one.bytes(), runs.bytes(), "bytes {what}");
            runs.validate().unwrap();
        }
    }
    assert_eq!(taken_somewhere, [true; 4], "some runs were stored at once in every LRU-family store");
}

#[test]
fn a_run_of_new_keys_stores_as_one_by_one_dense() {
    runs_agree(dense);
}

#[test]
fn a_run_of_new_keys_stores_as_one_by_one_hashed() {
    runs_agree(|config| Store::<u32, u32>::with_hasher(config, seeded_hasher([9, 8, 7, 6]), [1, 2, 3, 4]).unwrap());
}
