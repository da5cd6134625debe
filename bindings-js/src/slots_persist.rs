//! The `SlotStore` calls of snapshots, loads and namespaces (cache-persist.js,
//! namespace.js): its live entries, a load's writes by the core's rules, and the namespace
//! generations. The hot path is in slots.rs.

use polycache::Expiry;
use wasm_bindgen::prelude::*;

use crate::error::{cat, invalid, push_int, show};
use crate::slots::{to_charge, SlotStore};
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

    /// A whole load in one call, where the input needs no bounding first: entry `i` in
    /// slot `i`, charged `charges[i]`, expiring at `ats[i]` (epoch ms, or `Infinity`),
    /// least recently used first, and the input's generations (as `generations_of`
    /// takes them), written by the core's swap (`Store::replace_learning`: the entries
    /// cleared, the generations merged, each entry by `load_one`'s rule, each key's
    /// text in `keys`, joined as `join_names` joins, learnt first where the adaptive
    /// policy learns them). Every part is checked first: FAILED, nothing changed, where
    /// one is refused (its message kept for `take_error`); -1, nothing changed, where
    /// the entries would not all fit the store emptied (`Store::fits_empty`) or the
    /// texts are not one a key (JS then loads through a scratch store). Else how many
    /// entries the store holds; the slots it skipped (expired at `now`) for `take_dead`.
    #[allow(clippy::too_many_arguments)]
    pub fn load_all(
        &mut self,
        charges: Vec<f64>,
        ats: Vec<f64>,
        floor: u64,
        names: &str,
        generations: Vec<u64>,
        keys: &str,
        now: f64,
    ) -> f64 {
        let mut entries = Vec::with_capacity(charges.len());
        let mut bytes = 0u64;
        for (slot, (&charge, &at)) in (0u32..).zip(charges.iter().zip(&ats)) {
            match (to_charge(charge), epoch_expiry(at)) {
                (Ok(charge), Ok(expiry)) => {
                    bytes += charge as u64;
                    entries.push(((slot, slot, charge, expiry), None));
                }
                (Err(m), _) | (_, Err(m)) => {
                    self.error = Some(m);
                    return FAILED;
                }
            }
        }
        let Some(gens) = self.generations_of(names, generations) else { return FAILED };
        if entries.len() != ats.len() || !self.store.fits_empty(entries.len(), bytes) {
            return -1.0;
        }
        if self.learns() {
            // The adaptive policy's fingerprints of the keys' texts, as `next_key` learns them.
            let texts = split_joined(keys).unwrap_or_default();
            if texts.len() != entries.len() {
                return -1.0;
            }
            for (entry, text) in entries.iter_mut().zip(texts) {
                entry.1 = Some(polycache::fingerprint_text(text));
            }
        }
        // (The cleared entries' slots first: JS has let go of them.)
        self.clear();
        self.store.replace_learning(floor, &gens, entries.into_iter(), now_ms(now));
        for (slot, &at) in (0u32..).zip(&ats) {
            if let (true, Ok(expiry)) = (self.store.holds(&slot), epoch_expiry(at)) {
                self.views.set_expiry(slot, expiry);
            }
        }
        self.publish_clock();
        self.store.len() as f64
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

    /// One entry of a load (JS writes them least recently used first, each new key's text
    /// learnt first, as for `set`), charged `charge` and expiring at `at` (epoch ms, or
    /// `Infinity`): the core's load of it (`load_one`, `load_prepared`'s rule), so
    /// a load decides as Python's does and as the same writes would. `set`'s answer;
    /// `slot` itself where the load skips the entry (expired at `now`, or larger than the
    /// byte bound: not counted, nothing else changed).
    pub fn load_entry(&mut self, slot: u32, charge: f64, at: f64, now: f64) -> f64 {
        self.flush();
        let now = now_ms(now);
        let outcome = match (to_charge(charge), epoch_expiry(at)) {
            (Err(m), _) | (_, Err(m)) => Err(m),
            (Ok(charge), Ok(expiry)) if self.store.load_one(slot, slot, charge, expiry, now) => {
                self.views.set_expiry(slot, expiry);
                Ok(true)
            }
            _ => {
                // (Skipped: its slot is all the dead can hold, where it expired.)
                drop(self.store.drain_dead());
                Ok(false)
            }
        };
        self.publish_clock();
        match outcome {
            Ok(true) => self.freed_code(slot),
            Ok(false) => f64::from(slot),
            Err(message) => {
                self.error = Some(message);
                FAILED
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

    /// Every namespace's name, in the order of [`SlotStore::generation_values`], joined
    /// as `join_names` says.
    pub fn generation_names(&mut self) -> String {
        self.flush();
        join_names(self.store.generations().map(|(n, _)| n))
    }

    pub fn generation_values(&mut self) -> Vec<f64> {
        self.flush();
        self.store.generations().map(|(_, g)| g as f64).collect()
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

    #[test]
    fn a_load_with_bad_parts_answers_failed_and_keeps_its_message() {
        let mut s = SlotStore::make(10.0, None, None, 0, 0.0, &[1; 8], None, 11).unwrap();
        for (names, generations) in [("2:ab", vec![]), ("5:ab", vec![2])] {
            assert_eq!(s.load_all(vec![], vec![], 1, names, generations, "", 0.0), FAILED);
            assert!(s.take_error().contains("namespace names"));
        }
        assert_eq!(s.load_all(vec![], vec![], 1, "2:ab", vec![7], "", 0.0), 0.0);
        assert_eq!(s.generation_names(), "2:ab");
        assert_eq!(s.load_entry(1, -1.0, f64::INFINITY, 0.0), FAILED);
        assert!(s.take_error().starts_with("polycache:InvalidArgument:size must be"));
        assert_eq!(s.load_entry(1, 1.0, f64::NAN, 0.0), FAILED);
        assert!(s.take_error().contains("expiry must be a time"));
        assert_eq!(s.len(), 0, "nothing written");
        assert_eq!(s.load_entry(1, 1.0, 500.0, 100.0), -1.0);
        assert_eq!(s.remaining(1, 100.0), 400.0);
        // Expired at `now` (at <= now, in whole ms): skipped, its slot answered, not counted.
        let sets = s.stats()[2];
        assert_eq!(s.load_entry(2, 1.0, 100.9, 100.5), 2.0);
        assert_eq!((s.len(), s.stats()[2]), (1, sets));
        assert_eq!(s.load_entry(2, 1.0, 101.0, 100.5), -1.0, "a millisecond later it is not");
    }

    #[test]
    fn a_loaded_entry_over_the_byte_bound_is_skipped_and_answers_its_slot() {
        let mut s = SlotStore::make(10.0, Some(8.0), None, 0, 0.0, &[1; 8], None, 11).unwrap();
        assert_eq!(s.load_entry(3, 5.0, f64::INFINITY, 0.0), -1.0);
        assert_eq!(s.load_entry(4, 9.0, f64::INFINITY, 0.0), 4.0, "too large: its own slot back");
        assert_eq!(s.len(), 1);
        // The next one that does not fit with slot 3 evicts it, as `set` does.
        assert_eq!(s.load_entry(5, 6.0, f64::INFINITY, 0.0), 3.0);
    }

    #[test]
    fn a_whole_load_swaps_checks_everything_first_and_declines_what_needs_a_scratch_store() {
        let make = |max_bytes, adaptive| SlotStore::make(4.0, max_bytes, None, 0, 0.0, &[1; 8], adaptive, 11).unwrap();
        let inf = f64::INFINITY;
        let mut s = make(Some(10.0), None);
        assert_eq!(s.load_entry(7, 2.0, inf, 0.0), -1.0);
        s.invalidate("ns");
        let sets = s.stats()[2];
        // A bad size or time: refused with its message, the store as it was.
        assert_eq!(s.load_all(vec![1.0, -1.0], vec![inf, inf], 1, "", vec![], "", 0.0), FAILED);
        assert!(s.take_error().starts_with("polycache:InvalidArgument:size must be"));
        assert_eq!(s.load_all(vec![1.0], vec![f64::NAN], 1, "", vec![], "", 0.0), FAILED);
        assert!(s.take_error().contains("expiry must be a time"));
        assert_eq!(s.load_all(vec![1.0], vec![inf], 1, "5:ab", vec![2], "", 0.0), FAILED);
        assert!(s.take_error().contains("namespace names"));
        // More than the bounds hold: declined without a message.
        assert_eq!(s.load_all(vec![1.0; 5], vec![inf; 5], 1, "", vec![], "", 0.0), -1.0);
        assert_eq!(s.load_all(vec![5.0, 6.0], vec![inf; 2], 1, "", vec![], "", 0.0), -1.0);
        assert_eq!(s.take_error(), "");
        assert_eq!((s.len(), s.stats()[2], s.generation("ns")), (1, sets, 2.0), "nothing changed");
        // Fits: the old entry gone, one skipped (expired at now), generations merged.
        assert_eq!(s.load_all(vec![5.0, 2.0, 3.0], vec![inf, 50.0, 500.0], 1, "2:ns", vec![1], "", 100.0), 2.0);
        assert_eq!(s.take_dead(), vec![1], "skipped");
        assert_eq!(s.entries(100.0), vec![0.0, inf, 5.0, 2.0, 500.0, 3.0]);
        assert_eq!((s.stats()[2], s.generation("ns")), (sets + 2.0, 2.0), "a set an entry held; a generation never moves back");
        assert_eq!(s.remaining(2, 100.0), 400.0);
        // A store that learns keys needs every key's text (else JS loads through a
        // scratch store: no message).
        let mut a = make(None, Some(true));
        assert_eq!(a.load_all(vec![0.0], vec![inf], 1, "", vec![], "", 0.0), -1.0);
        assert_eq!(a.load_all(vec![0.0; 2], vec![inf; 2], 1, "", vec![], "1:a", 0.0), -1.0);
        assert_eq!((a.take_error(), a.len()), (String::new(), 0));
    }

    #[test]
    fn an_adaptive_whole_load_learns_each_key_as_loads_entry_by_entry_do() {
        let make = || SlotStore::make(4.0, None, None, 0, 0.0, &[1; 8], Some(true), 11).unwrap();
        let inf = f64::INFINITY;
        let (mut whole, mut each) = (make(), make());
        let keys = ["a", "b", "é", "d"];
        // The same history in both first.
        for s in [&mut whole, &mut each] {
            for i in 0..40u32 {
                s.next_key(keys[(i % 3) as usize]);
                s.load_entry(i % 5, 0.0, inf, 0.0);
                s.get(i % 5, 0.0);
            }
        }
        assert_eq!(whole.load_all(vec![0.0; 4], vec![inf, 5.0, inf, inf], 1, "", vec![], "1:a1:b1:é1:d", 10.0), 3.0);
        assert_eq!(whole.take_dead(), vec![1]);
        each.clear();
        for (slot, key) in keys.iter().enumerate() {
            each.next_key(key);
            each.load_entry(slot as u32, 0.0, if slot == 1 { 5.0 } else { inf }, 10.0);
        }
        drop(each.take_dead());
        // New keys then decide the same victims, from the same learnt counts.
        for i in 0..60u32 {
            let key = ["x", "a", "y", "é", "z", "d", "w"][(i % 7) as usize];
            for s in [&mut whole, &mut each] {
                s.next_key(key);
                s.load_entry(10 + i % 9, 0.0, inf, 10.0);
                drop(s.take_dead());
            }
            assert_eq!(whole.entries(10.0), each.entries(10.0), "after write {i}");
        }
        assert_eq!(whole.stats(), each.stats());
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
