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
    /// store holds, in its order (`Store::replace_from`: the entries cleared, the
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
        // (The cleared entries' slots: JS has let go of them. The last part's: JS takes them.)
        let dropped = std::mem::take(&mut self.freed);
        self.clear();
        self.freed = dropped;
        let views = &mut self.views;
        self.store.replace_from(&scratch, floor, gens, now, |&slot| slot, |&slot, expiry| {
            views.set_expiry(slot, expiry);
            prints.get(slot as usize).copied().flatten()
        });
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
#[path = "slots_persist_tests.rs"]
mod tests;
