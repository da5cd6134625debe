//! The bounded generation table never brings an invalidated key back: random writes,
//! reads, invalidations and snapshot transfers over more namespaces than the table
//! holds, checked against a model that remembers every invalidation.

use std::collections::HashMap;

use polycache::generations::{MIN_ROWS, ROW_OVERHEAD};
use polycache::snapshot::{LoadOptions, Snapshot};
use polycache::{namespaced_key, Config, Eviction, Expiry, Store};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Set { ns: u8, key: u8 },
    Get { ns: u8, key: u8 },
    Invalidate { ns: u8 },
    /// Dump to a snapshot and carry on with a fresh store loaded from it.
    Transfer,
}

fn op() -> impl Strategy<Value = Op> {
    // More namespaces than the table keeps rows (MIN_ROWS), so rows are forgotten.
    let ns = 0u8..160;
    let key = 0u8..3;
    prop_oneof![
        4 => (ns.clone(), key.clone()).prop_map(|(ns, key)| Op::Set { ns, key }),
        4 => (ns.clone(), key).prop_map(|(ns, key)| Op::Get { ns, key }),
        3 => ns.prop_map(|ns| Op::Invalidate { ns }),
        1 => Just(Op::Transfer),
    ]
}

fn config() -> Config {
    // Room for every entry ever written (so old generations stay in the store, where a
    // resurrection would find them); the byte bound keeps the rows to about MIN_ROWS.
    Config { max_entries: 100_000, max_bytes: Some(MIN_ROWS * ROW_OVERHEAD as usize), eviction: Eviction::Lru }
}

fn transfer(store: &Store<String, u64>) -> Store<String, u64> {
    let bytes = store.to_snapshot(0, |v| Some((polycache::snapshot::Codec::Json, v.to_string().into_bytes()))).encode(None).unwrap();
    let snap = Snapshot::decode(&bytes, LoadOptions { allow_unsigned: true, ..Default::default() }).unwrap().snapshot;
    let mut next = Store::new(config()).unwrap();
    next.merge_generations(snap.generation_floor, &snap.generations);
    let entries =
        snap.entries.into_iter().map(|e| (e.key, std::str::from_utf8(&e.value).unwrap().parse().unwrap(), 1, Expiry::Never)).collect();
    next.load_prepared(entries, &snap.generations, 0);
    next
}

fn run(ops: &[Op]) -> Result<(), String> {
    let mut store: Store<String, u64> = Store::new(config()).unwrap();
    // (ns, key) -> the value written since ns was last invalidated, if any.
    let mut live: HashMap<(u8, u8), u64> = HashMap::new();
    let mut last_read: HashMap<u8, u64> = HashMap::new();
    let mut next_value = 0u64;
    for op in ops {
        match *op {
            Op::Set { ns, key } => {
                let g = store.generation(&ns.to_string());
                next_value += 1;
                store.set(namespaced_key(&ns.to_string(), g, &key.to_string()), next_value, 1, Expiry::Never, 0).unwrap();
                live.insert((ns, key), next_value);
            }
            Op::Get { ns, key } => {
                let g = store.generation(&ns.to_string());
                let got = store.get(namespaced_key(&ns.to_string(), g, &key.to_string()).as_str(), 0);
                if let Some(v) = got {
                    if live.get(&(ns, key)) != Some(&v) {
                        return Err(format!("{ns}/{key} read {v}, written before an invalidation (live: {:?})", live.get(&(ns, key))));
                    }
                }
            }
            Op::Invalidate { ns } => {
                let before = store.generation(&ns.to_string());
                let after = store.invalidate(&ns.to_string());
                if after <= before {
                    return Err(format!("invalidating {ns} went from {before} to {after}"));
                }
                live.retain(|(n, _), _| *n != ns);
            }
            Op::Transfer => {
                let next = transfer(&store);
                // A fresh store takes the snapshot's view exactly: nothing is missed.
                for ns in 0u8..160 {
                    let (want, got) = (store.generation_peek(&ns.to_string()), next.generation_peek(&ns.to_string()));
                    if want != got {
                        return Err(format!("namespace {ns} at {want} before the transfer, {got} after"));
                    }
                }
                store = next;
            }
        }
        for ns in 0u8..160 {
            let g = store.generation(&ns.to_string());
            let seen = last_read.entry(ns).or_insert(g);
            if g < *seen {
                return Err(format!("namespace {ns} went back from {seen} to {g}"));
            }
            *seen = g;
        }
        store.validate()?;
        if store.stats().namespaces > MIN_ROWS as u64 {
            return Err(format!("{} generation rows", store.stats().namespaces));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generations_never_go_back(ops in proptest::collection::vec(op(), 1..400)) {
        if let Err(e) = run(&ops) {
            prop_assert!(false, "{}", e);
        }
    }
}

/// The defect's own load: two million invalidations of distinct namespaces under a
/// 64 KiB bound keep the table within its bound (it grew without limit before).
#[test]
fn two_million_invalidations_stay_bounded() {
    let mut store: Store<String, u64> =
        Store::new(Config { max_entries: 300, max_bytes: Some(64 << 10), eviction: Eviction::Lru }).unwrap();
    for i in 0..2_000_000u32 {
        store.invalidate(&format!("user:{i}"));
    }
    let rows = store.stats().namespaces;
    assert!(rows <= 300, "{rows} rows");
    assert!(store.generations().map(|(n, _)| n.len() as u64 + ROW_OVERHEAD).sum::<u64>() <= 64 << 10);
    store.validate().unwrap();
}

/// A snapshot of a store that forgot namespaces carries its floor: the entries of a
/// forgotten, invalidated namespace stay dead in the store that loads it.
#[test]
fn a_snapshot_carries_the_floor() {
    let mut store: Store<String, u64> = Store::new(config()).unwrap();
    store.set(namespaced_key("victim", 1, "k"), 7, 1, Expiry::Never, 0).unwrap();
    store.invalidate("victim");
    for i in 0..10 * MIN_ROWS {
        store.invalidate(&format!("other{i}"));
    }
    assert!(store.generations().all(|(n, _)| n != "victim"), "victim's row was forgotten");
    let next = transfer(&store);
    let mut next = next;
    let g = next.generation("victim");
    assert!(g >= 2, "victim reads generation {g} after the transfer");
    assert_eq!(next.get(namespaced_key("victim", g, "k").as_str(), 0), None);
}
