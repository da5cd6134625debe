//! The `SlotStore` calls of snapshots, loads and namespaces (cache-persist.js,
//! namespace.js): its live entries, a load by the core's rules, and the namespace
//! generations. The hot path is in slots.rs.

use polycache::Expiry;
use wasm_bindgen::prelude::*;

use crate::error::{cat, invalid_argument, show};
use crate::slots::{to_charge, SlotStore};
use crate::ttl::now_ms;

/// An absolute expiry from JS: epoch ms, or `Infinity` for never.
fn epoch_expiry(at: f64) -> Result<Expiry, JsError> {
    if at == f64::INFINITY {
        Ok(Expiry::Never)
    } else if at.is_finite() && at >= 0.0 {
        Ok(Expiry::At(at as u64))
    } else {
        Err(invalid_argument(cat(&["expiry must be a time in epoch milliseconds, got ", &show(at)])))
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

    /// Loads entries (slots least recently used first, with sizes and absolute expiries in
    /// epoch ms or `Infinity`) and namespace generations by the core's load rules:
    /// expired or oversized entries are skipped, generations only move forward (the
    /// floor first, see `polycache::generations`). Returns every slot the store does not
    /// hold afterwards, given now or evicted by this load (so a loader may call it batch
    /// by batch), for JS to release.
    #[allow(clippy::too_many_arguments)]
    pub fn load(
        &mut self,
        slots: Vec<u32>,
        charges: Vec<f64>,
        expiries: Vec<f64>,
        floor: u64,
        names: Vec<String>,
        generations: Vec<u64>,
        now: f64,
    ) -> Result<Vec<u32>, JsError> {
        self.flush();
        if slots.len() != charges.len() || slots.len() != expiries.len() || names.len() != generations.len() {
            return Err(invalid_argument("load: parts of different lengths"));
        }
        let mut entries = Vec::with_capacity(slots.len());
        for ((&slot, &c), &at) in slots.iter().zip(&charges).zip(&expiries) {
            entries.push((slot, slot, to_charge(c)?, epoch_expiry(at)?));
        }
        for &(slot, _, _, expiry) in &entries {
            self.views.set_expiry(slot, expiry);
        }
        let gens: Vec<(String, u64)> = names.into_iter().zip(generations).collect();
        self.store.merge_generations(floor, &gens);
        self.store.load_prepared(entries, &gens, now_ms(now));
        // The store's values are its slots: what it dropped is what JS may free, unless
        // the same slot went back in later in the batch.
        // Each slot once, by a mark per slot (they are dense), not a sort: the store module
        // would carry a sort for this call alone (3 KB).
        let mut gone: Vec<u32> = self.store.drain_dead().collect();
        gone.extend(slots);
        let mut seen = vec![false; gone.iter().max().map_or(0, |&m| m as usize + 1)];
        gone.retain(|&s| !std::mem::replace(&mut seen[s as usize], true) && !self.store.holds(&s));
        Ok(gone)
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
    pub fn set_generation(&mut self, namespace: &str, generation: f64) -> Result<(), JsError> {
        self.flush();
        if !(generation.is_finite() && generation.fract() == 0.0 && generation >= 1.0 && generation <= 2f64.powi(53)) {
            return Err(invalid_argument(cat(&["a namespace generation must be a positive integer, got ", &show(generation)])));
        }
        self.store.set_generation(namespace, generation as u64);
        Ok(())
    }

    /// Every namespace's name, in the order of [`SlotStore::generation_values`].
    pub fn generation_names(&mut self) -> Vec<String> {
        self.flush();
        self.store.generations().map(|(n, _)| n.to_owned()).collect()
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
