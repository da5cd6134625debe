//! Tests of slots_persist.rs: loads, namespace names, the store's maker.

use super::{join_names, split_names, SlotStore, FAILED};
use crate::error::take_failure;

#[test]
fn names_cross_as_one_text_and_back() {
    // UTF-16 lengths: an astral character counts 2, as JS's `length` does.
    let names = ["", "a", "users:v2", "🙂x", "é:1:", "12:ab"];
    let joined = join_names(names.iter().copied());
    assert_eq!(joined, "0:1:a8:users:v23:🙂x4:é:1:5:12:ab");
    assert_eq!(split_names(&joined).unwrap(), names);
    assert_eq!(split_names("").unwrap(), Vec::<String>::new());
}

#[test]
fn text_not_joined_so_is_refused() {
    for bad in ["3:ab", "x:ab", "2", "1:🙂", "-1:", "2:a"] {
        assert_eq!(split_names(bad), None, "{bad:?}");
    }
}

const INF: f64 = f64::INFINITY;
const NEVER: u32 = crate::ttl::KIND_NEVER;

fn store(max: f64, max_bytes: Option<f64>, adaptive: bool) -> SlotStore {
    SlotStore::make(max, max_bytes, None, 0, 0.0, Some(adaptive), 11).unwrap()
}

#[test]
fn a_load_with_bad_parts_answers_failed_changes_nothing_and_keeps_its_message() {
    let mut s = store(10.0, None, true);
    s.next_key("kept");
    assert_eq!(s.set(7, 2.0, NEVER, 0.0, 0.0), -1.0);
    s.invalidate("ns");
    let before = (s.entries(0.0), s.stats(), s.generation_names());
    let cases: [(Vec<u32>, Vec<f64>, Vec<f64>, &str, Vec<u64>, &str, &str); 6] = [
        (vec![0, 1], vec![1.0, -1.0], vec![INF; 2], "", vec![], "1:a1:b", "polycache:InvalidArgument:size must be"),
        (vec![0], vec![1.0], vec![f64::NAN], "", vec![], "1:a", "expiry must be a time"),
        (vec![0], vec![1.0], vec![INF], "2:ab", vec![], "1:a", "namespace names"),
        (vec![0], vec![1.0], vec![INF], "5:ab", vec![2], "1:a", "namespace names"),
        (vec![0, 1], vec![1.0; 2], vec![INF; 2], "", vec![], "1:a", "unequal parts"),
        (vec![0, 1], vec![1.0], vec![INF], "", vec![], "1:a", "unequal parts"),
    ];
    for (slots, charges, ats, names, gens, keys, message) in cases {
        assert_eq!(s.load_all(slots, charges, ats, keys, 1, names, gens, 0.0, 3), FAILED);
        let got = s.take_error();
        assert!(got.contains(message), "{got}");
        assert_eq!((s.entries(0.0), s.stats(), s.generation_names()), before, "nothing changed");
    }
}

#[test]
fn a_load_bounds_its_input_as_it_comes_then_swaps_it_in() {
    let mut s = store(3.0, Some(10.0), false);
    assert_eq!(s.set(9, 2.0, NEVER, 0.0, 0.0), -1.0);
    s.invalidate("ns");
    let sets = s.stats()[2];
    // Slot 0 twice (a key repeated: the later wins), 1 expired at now, 2 over the byte
    // bound, then four more than the bound's three: the first of them goes.
    let slots = vec![0, 1, 2, 0, 3, 4, 5, 6];
    let charges = vec![4.0, 1.0, 11.0, 2.0, 1.0, 1.0, 1.0, 1.0];
    let ats = vec![INF, 50.0, INF, 500.0, INF, INF, INF, INF];
    assert_eq!(s.load_all(slots, charges, ats, "", 1, "2:ns3:new", vec![1, 5], 100.0, 3), 3.0);
    assert_eq!(s.entries(100.0), vec![4.0, INF, 1.0, 5.0, INF, 1.0, 6.0, INF, 1.0]);
    assert_eq!(gone(&mut s), vec![0, 1, 2, 3], "the input's slots not held");
    assert_eq!(s.stats()[2], sets + 3.0, "a set an entry held");
    assert_eq!((s.generation("ns"), s.generation("new")), (2.0, 5.0), "merged: the larger of the two");
    // The expiry the views read for a held slot is the one loaded.
    assert_eq!(s.load_all(vec![0], vec![1.0], vec![500.0], "", 1, "", vec![], 100.0, 3), 1.0);
    assert_eq!(s.remaining(0, 100.0), 400.0);
}

/// `take_dead`, each slot once, in order.
fn gone(s: &mut SlotStore) -> Vec<u32> {
    let mut slots = s.take_dead();
    slots.sort_unstable();
    slots.dedup();
    slots
}

#[test]
fn a_load_in_parts_hands_back_the_slots_it_lets_go_and_swaps_at_the_last() {
    let mut s = store(3.0, None, false);
    assert_eq!(s.set(9, 0.0, NEVER, 0.0, 0.0), -1.0);
    let before = s.entries(0.0);
    // A first part of five into a bound of three: slots 0 and 1 go as they come.
    assert_eq!(s.load_all(vec![0, 1, 2, 3, 4], vec![0.0; 5], vec![INF; 5], "", 1, "", vec![], 0.0, 1), 3.0);
    assert_eq!(gone(&mut s), vec![0, 1]);
    assert_eq!(s.entries(0.0), before, "the cache as it was until the last part");
    // JS hands the two out again; a repeated key (slot 2) and one expired (slot 1).
    assert_eq!(s.load_all(vec![0, 2, 1], vec![0.0; 3], vec![INF, INF, 5.0], "", 1, "", vec![], 10.0, 0), 3.0);
    assert_eq!(gone(&mut s), vec![1, 3]);
    // A refused last part drops the load; the cache stays as it was.
    assert_eq!(s.load_all(vec![5], vec![-1.0], vec![INF], "", 1, "", vec![], 10.0, 2), FAILED);
    assert!(s.take_error().contains("size must be"));
    assert_eq!(s.entries(10.0), before);
    // A last part with nothing left of the dropped load swaps in only its own.
    assert_eq!(s.load_all(vec![6], vec![0.0], vec![INF], "", 1, "", vec![], 10.0, 2), 1.0);
    assert_eq!(s.entries(10.0), vec![6.0, INF, 0.0]);
    // And a whole load in parts: the swap takes the scratch store's order.
    assert_eq!(s.load_all(vec![0, 1], vec![0.0; 2], vec![INF; 2], "", 1, "", vec![], 10.0, 1), 2.0);
    assert_eq!(s.load_all(vec![2, 0], vec![0.0; 2], vec![INF; 2], "", 1, "", vec![], 10.0, 2), 3.0);
    assert_eq!(s.entries(10.0), vec![1.0, INF, 0.0, 2.0, INF, 0.0, 0.0, INF, 0.0]);
    assert_eq!(gone(&mut s), Vec::<u32>::new());
}

#[test]
fn an_adaptive_load_learns_each_key_as_writes_of_what_it_holds_do() {
    let texts = ["a", "b", "é", "d", "e", "f", "b"];
    let slots = vec![0, 1, 2, 3, 4, 5, 1];
    let joined: String = texts.iter().map(|t| format!("{}:{t}", t.encode_utf16().count())).collect();
    let (mut loaded, mut twin) = (store(4.0, None, true), store(4.0, None, true));
    // The same history in both first.
    for s in [&mut loaded, &mut twin] {
        for i in 0..40u32 {
            s.next_key(["a", "x", "é"][(i % 3) as usize]);
            s.set(10 + i % 5, 0.0, NEVER, 0.0, 0.0);
            drop(s.take_dead());
            s.get(10 + i % 5, 0.0);
        }
    }
    assert_eq!(loaded.load_all(slots.clone(), vec![0.0; 7], vec![INF; 7], &joined, 1, "", vec![], 10.0, 3), 4.0);
    drop(loaded.take_dead());
    // The twin: a fresh store of the same bound takes the input as writes, then the
    // twin, cleared, writes what that store held, in its order.
    let mut scratch = store(4.0, None, true);
    for (&slot, text) in slots.iter().zip(texts) {
        scratch.delete(slot, 10.0);
        scratch.next_key(text);
        scratch.set(slot, 0.0, NEVER, 0.0, 10.0);
        drop(scratch.take_dead());
    }
    twin.clear();
    let held = scratch.entries(10.0);
    for i in (0..held.len()).step_by(3) {
        let slot = held[i] as u32;
        twin.next_key(texts[slots.iter().rposition(|&s| s == slot).unwrap()]);
        twin.set(slot, 0.0, NEVER, 0.0, 10.0);
    }
    assert_eq!(loaded.entries(10.0), twin.entries(10.0));
    // New keys then decide the same victims, from the same learnt counts.
    for i in 0..60u32 {
        let key = ["x", "a", "y", "é", "z", "d", "w"][(i % 7) as usize];
        for s in [&mut loaded, &mut twin] {
            s.next_key(key);
            s.set(20 + i % 9, 0.0, NEVER, 0.0, 10.0);
            drop(s.take_dead());
        }
        assert_eq!(loaded.entries(10.0), twin.entries(10.0), "after write {i}");
    }
    let counts = |s: &mut SlotStore| s.stats()[..5].to_vec();
    assert_eq!(counts(&mut loaded), counts(&mut twin));
}

#[test]
fn a_maker_that_fails_answers_none_and_leaves_why() {
    assert!(SlotStore::make(-1.0, None, None, 0, 0.0, None, 0).is_none());
    let why = take_failure();
    assert!(why.starts_with("polycache:InvalidConfig:") && why.contains("max must be a whole number"), "{why}");
    assert_eq!(take_failure(), "", "read once");
    assert!(SlotStore::make(10.0, None, None, 0, 0.0, None, 11).is_some());
    assert_eq!(take_failure(), "");
}

#[test]
fn namespace_names_are_seeded_before_the_first_name_and_never_after() {
    let mut s = store(10.0, None, false);
    assert!(s.seed(1, 2, 3, 4, 5, 6, 7, 8));
    assert!(s.seed(8, 7, 6, 5, 4, 3, 2, 1), "no name yet: seeded again");
    assert_eq!(s.invalidate("ns"), 2.0);
    assert!(!s.seed(1, 2, 3, 4, 5, 6, 7, 8), "a name is held");
    assert_eq!((s.generation("ns"), s.generation("other")), (2.0, 1.0), "its row still found");
}
