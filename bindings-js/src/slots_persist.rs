//! The `SlotStore` calls of snapshots, loads and namespaces (cache-persist.js,
//! namespace.js): its live entries, a load's writes by the core's rules, and the namespace
//! generations. The hot path is in slots.rs.

use polycache::{Expiry, Slots};
use wasm_bindgen::prelude::*;

use crate::error::{cat, invalid, push_int, show};
use crate::slot_hash::SlotHasher;
use crate::slots::{to_charge, SlotStore};
use crate::views::SlotMap;
use crate::ttl::now_ms;
use crate::views::FAILED;

/// An absolute expiry from JS: epoch ms, or `Infinity` for never.
fn epoch_expiry(at: f64) -> Result<Expiry, String> {
    if at == f64::INFINITY {
        Ok(Expiry::Never)
    } else if at.is_finite() && at >= 0.0 {
        Ok(Expiry::At(at as u64))
    } else {
        Err(invalid(&cat(&["expiry must be a time in epoch milliseconds, got ", &show(at)])))
    }
}

#[wasm_bindgen]
impl SlotStore {
    /// Live entries, least recently used first, as `[slot, expires_at, charge]`
    /// triples (`expires_at` is epoch ms or `Infinity`).
    pub fn entries(&mut self, now: f64) -> Vec<f64> {
        self.flush();
        let mut out = Vec::with_capacity(self.store.len() * 3);
        for (slot, _, expiry, charge) in self.store.entries(now_ms(now)) {
            out.push(f64::from(*slot));
            out.push(expiry.as_epoch_ms().map_or(f64::INFINITY, |at| at as f64));
            out.push(charge as f64);
        }
        out
    }

    /// A load, by the core's rules, as Python's load makes it, in parts of a few
    /// thousand entries (so the module's memory, which never shrinks, stays the size of
    /// the cache's, whatever the input's). `part`: 1 on the first part (a load left
    /// unfinished is dropped), 2 on the last, 3 on one that is both. Entry `i` of the
    /// part (least recently used first) in slot `slots[i]` (a key repeated has one slot),
    /// charged `charges[i]`, expiring at `ats[i]` (epoch ms, or `Infinity`), its key's
    /// text in `keys` (joined as `join_names` joins) where the adaptive policy learns
    /// them. Each part goes into a scratch store made like this one, each entry by
    /// `Store::bound_one` (what the bound has no room for going as it comes); the slots it
    /// no longer holds are then for `take_dead` (one may come twice), so JS can hand them
    /// out again. The last part then makes the swap: this store takes what the scratch
    /// store holds, in its order (`Store::replace_learning`: the entries cleared, the
    /// policy's history kept, the input's generations merged, as `generations_of` takes
    /// them). Every part is checked before it goes in: FAILED where one is refused (its
    /// message kept for `take_error`), the load dropped, this store as it was. Else the
    /// number of entries held: the scratch store's, and after the last part this store's.
    #[allow(clippy::too_many_arguments)]
    pub fn load_all(
        &mut self,
        slots: Vec<u32>,
        charges: Vec<f64>,
        ats: Vec<f64>,
        keys: &str,
        floor: u64,
        names: &str,
        generations: Vec<u64>,
        now: f64,
        part: u32,
    ) -> f64 {
        if part & 1 != 0 {
            self.loading = None;
        }
        let now = now_ms(now);
        let done = self.load_part(&slots, &charges, &ats, keys, now).and_then(|held| {
            if part & 2 == 0 {
                return Ok(held);
            }
            let gens = self.generations_of(names, generations).ok_or(())?;
            Ok(self.load_swap(floor, &gens, now))
        });
        match done {
            Ok(held) => held as f64,
            Err(()) => {
                self.loading = None;
                FAILED
            }
        }
    }

    /// One part of `load_all` into the scratch store; how many entries it holds.
    fn load_part(&mut self, slots: &[u32], charges: &[f64], ats: &[f64], keys: &str, now: u64) -> Result<usize, ()> {
        let mut entries = Vec::with_capacity(slots.len());
        for ((&slot, &charge), &at) in slots.iter().zip(charges).zip(ats) {
            match (to_charge(charge), epoch_expiry(at)) {
                (Ok(charge), Ok(expiry)) => entries.push((slot, charge, expiry, None)),
                (Err(m), _) | (_, Err(m)) => {
                    self.error = Some(m);
                    return Err(());
                }
            }
        }
        let mut texts = entries.len();
        if self.learns() {
            // The adaptive policy's fingerprints of the keys' texts, as `next_key` learns them.
            let joined = split_joined(keys).unwrap_or_default();
            texts = joined.len();
            for (entry, text) in entries.iter_mut().zip(joined) {
                entry.3 = Some(polycache::fingerprint_text(text));
            }
        }
        if [ats.len(), slots.len(), texts] != [entries.len(); 3] {
            self.error = Some(invalid("load: unequal parts"));
            return Err(());
        }
        if self.loading.is_none() {
            // (The slots are the host's, never hashed: any seeds do.)
            let scratch = SlotMap::with_hasher(self.store.config().clone(), Slots(SlotHasher::default()), [0; 4]).map_err(|_| ())?;
            self.loading = Some(Box::new((scratch, Vec::new())));
        }
        let Some(loading) = self.loading.as_mut() else { return Err(()) };
        let (scratch, prints) = &mut **loading;
        for (slot, charge, expiry, print) in entries {
            let i = slot as usize;
            if prints.len() <= i {
                prints.resize(i + 1, None);
            }
            if let Some(p) = prints.get_mut(i) {
                *p = print;
            }
            scratch.bound_one(slot, slot, charge, expiry, now, print);
        }
        // The slots it let go (evicted, expired, refused, replaced and gone; one may come
        // twice). (An entry refused for its size leaves no value behind: its slot is
        // looked at too.)
        let dead: Vec<u32> = scratch.drain_dead().collect();
        for slot in dead.into_iter().chain(slots.iter().copied()) {
            if !scratch.holds(&slot) {
                self.freed.push(slot);
            }
        }
        Ok(scratch.len())
    }

    /// The swap that ends `load_all`; how many entries this store then holds.
    fn load_swap(&mut self, floor: u64, gens: &[(String, u64)], now: u64) -> usize {
        let Some(loading) = self.loading.take() else { return self.store.len() };
        let (scratch, prints) = *loading;
        let held: Vec<_> = scratch
            .entries(now)
            .map(|(&slot, _, expiry, charge)| ((slot, slot, charge, expiry), prints.get(slot as usize).copied().flatten()))
            .collect();
        drop(scratch);
        // (The cleared entries' slots: JS has let go of them. The last part's: JS takes them.)
        let dropped = std::mem::take(&mut self.freed);
        self.clear();
        self.freed = dropped;
        for ((slot, _, _, expiry), _) in &held {
            self.views.set_expiry(*slot, *expiry);
        }
        self.store.replace_learning(floor, gens, held.into_iter(), now);
        self.publish_clock();
        self.store.len()
    }

    /// A load's generations (`names` as `generation_names` joins them, and their
    /// generations) as the core's `merge_generations` takes them; `None`, the message
    /// kept, where the names are not such a join or their count is not the generations'.
    fn generations_of(&mut self, names: &str, generations: Vec<u64>) -> Option<Vec<(String, u64)>> {
        match split_names(names) {
            Some(names) if names.len() == generations.len() => Some(names.into_iter().zip(generations).collect()),
            _ => {
                self.error = Some(invalid("load: namespace names not as generation_names gives them"));
                None
            }
        }
    }

    /// Every namespace's generation as u64, in the order of `generation_names`.
    pub fn generation_values_exact(&mut self) -> Vec<u64> {
        self.flush();
        self.store.generations().map(|(_, g)| g).collect()
    }


    pub fn generation(&mut self, namespace: &str) -> f64 {
        self.flush();
        self.store.generation(namespace) as f64
    }

    /// Bumps a namespace's generation (O(1)); the new generation.
    pub fn invalidate(&mut self, namespace: &str) -> f64 {
        self.flush();
        self.store.invalidate(namespace) as f64
    }

    /// Raises a namespace's generation (never lowers it). (No JS calls it: not exported.)
    #[cfg(test)]
    pub fn set_generation(&mut self, namespace: &str, generation: f64) -> Result<(), String> {
        self.flush();
        if !(generation.is_finite() && generation.fract() == 0.0 && generation >= 1.0 && generation <= 2f64.powi(53)) {
            return Err(invalid(&cat(&["a namespace generation must be a positive integer, got ", &show(generation)])));
        }
        self.store.set_generation(namespace, generation as u64);
        Ok(())
    }

    /// Every namespace's name, in the order of [`SlotStore::generation_values_exact`], joined
    /// as `join_names` says.
    pub fn generation_names(&mut self) -> String {
        self.flush();
        join_names(self.store.generations().map(|(n, _)| n))
    }


    /// What every namespace the store no longer lists reads as (a snapshot carries it).
    pub fn generation_floor(&mut self) -> u64 {
        self.flush();
        self.store.generation_floor()
    }

    /// The prefix every key of `namespace` carries at its current generation:
    /// `namespaced_key(ns, gen, "")`, so `prefix + key` is the core's namespaced key.
    pub fn namespace_prefix(&mut self, namespace: &str) -> String {
        self.flush();
        polycache::namespaced_key(namespace, self.store.generation(namespace), "")
    }
}


/// Names as one text, each as its length in UTF-16 code units (a JS string's `length`),
/// `:`, then the name: how they cross to and from JS without a JS value each (the store
/// module makes and reads none, error.rs).
fn join_names<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut text = String::new();
    for name in names {
        push_int(&mut text, name.encode_utf16().count() as u64);
        text.push(':');
        text.push_str(name);
    }
    text
}

/// The names `join_names` joined; `None` when `text` is not such a join.
fn split_names(text: &str) -> Option<Vec<String>> {
    Some(split_joined(text)?.into_iter().map(str::to_owned).collect())
}

/// The texts of a `join_names` join, in place. (No slicing by index: a slice that can
/// panic brings core's message formatting into the module.)
fn split_joined(mut text: &str) -> Option<Vec<&str>> {
    let mut names = Vec::new();
    while !text.is_empty() {
        let (len, rest) = text.split_once(':')?;
        let mut units: usize = len.parse().ok()?;
        let mut end = 0;
        for c in rest.chars() {
            if units == 0 {
                break;
            }
            units = units.checked_sub(c.len_utf16())?;
            end += c.len_utf8();
        }
        if units != 0 {
            return None;
        }
        let (name, after) = rest.split_at_checked(end)?;
        names.push(name);
        text = after;
    }
    Some(names)
}

#[cfg(test)]
mod tests {
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
        SlotStore::make(max, max_bytes, None, 0, 0.0, &[1; 8], Some(adaptive), 11).unwrap()
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
        assert!(SlotStore::make(-1.0, None, None, 0, 0.0, &[1; 8], None, 0).is_none());
        let why = take_failure();
        assert!(why.starts_with("polycache:InvalidConfig:") && why.contains("max must be a whole number"), "{why}");
        assert_eq!(take_failure(), "", "read once");
        assert!(SlotStore::make(10.0, None, None, 0, 0.0, &[1; 3], None, 0).is_none());
        assert!(take_failure().contains("seeds must be 8"));
        assert!(SlotStore::make(10.0, None, None, 0, 0.0, &[1; 8], None, 11).is_some());
        assert_eq!(take_failure(), "");
    }
}
