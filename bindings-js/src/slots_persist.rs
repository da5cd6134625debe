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

    /// Takes in namespace generations as the core's load does (`Store::merge_generations`:
    /// each ends at the larger of the two, the floor first); `names` as `generation_names`
    /// joins them. False, nothing changed and the message kept for `take_error`, when the
    /// names are not such a join or their count is not the generations'.
    pub fn merge_generations(&mut self, floor: u64, names: &str, generations: Vec<u64>) -> bool {
        self.flush();
        match split_names(names) {
            Some(names) if names.len() == generations.len() => {
                let gens: Vec<(String, u64)> = names.into_iter().zip(generations).collect();
                self.store.merge_generations(floor, &gens);
                true
            }
            _ => {
                self.error = Some(invalid("load: namespace names not as generation_names gives them"));
                false
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

/// The names `join_names` joined; `None` when `text` is not such a join. (No slicing
/// by index: a slice that can panic brings core's message formatting into the module.)
fn split_names(mut text: &str) -> Option<Vec<String>> {
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
        names.push(name.to_owned());
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
        assert!(!s.merge_generations(1, "2:ab", vec![]));
        assert!(s.take_error().contains("namespace names"));
        assert!(!s.merge_generations(1, "5:ab", vec![2]));
        assert!(s.take_error().contains("namespace names"));
        assert!(s.merge_generations(1, "2:ab", vec![7]));
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
