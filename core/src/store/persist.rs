//! The store's namespace generations, its snapshots, and the check of its invariants.

use super::*;

impl<K: Hash + Eq + Ord + Clone, V, S: Indexing<K>> Store<K, V, S> {
    /// The current generation of a namespace (1 for one never invalidated), remembered
    /// as used. The table is bounded (see [`crate::generations`]): a generation read
    /// never goes back, but one forgotten may read higher, its keys then missed.
    pub fn generation(&mut self, namespace: &str) -> u64 {
        self.generations.get(namespace)
    }

    /// Seeds the keyed hasher of namespace names, for a host that draws its seeds when a
    /// first name comes rather than when it makes the store ([`Store::with_hasher`]'s
    /// `seeds` stand until then). False, and nothing changed, once a name is held.
    pub fn seed_namespaces(&mut self, seeds: [u64; 4]) -> bool {
        self.generations.reseed(seeded_hasher(seeds))
    }

    /// The current generation of a namespace, without remembering the read.
    pub fn generation_peek(&self, namespace: &str) -> u64 {
        self.generations.peek(namespace)
    }

    /// Invalidates every key of a namespace in O(1) by bumping its generation; the new
    /// generation. Entries of older generations are never read again and age out of the LRU.
    pub fn invalidate(&mut self, namespace: &str) -> u64 {
        self.generations.invalidate(namespace)
    }

    /// Raises a namespace's generation (snapshots and shared tiers carry them); a
    /// generation never moves back.
    pub fn set_generation(&mut self, namespace: &str, generation: u64) {
        self.generations.raise(namespace, generation);
    }

    /// Every namespace remembered, with its generation.
    pub fn generations(&self) -> impl Iterator<Item = (&str, u64)> {
        self.generations.iter()
    }

    /// The generation of every namespace not listed by [`Store::generations`].
    pub fn generation_floor(&self) -> u64 {
        self.generations.floor()
    }

    /// Takes in a snapshot's generations (its floor and rows) before its entries are
    /// loaded: each namespace ends at the larger of its two generations.
    pub fn merge_generations(&mut self, floor: u64, generations: &[(String, u64)]) {
        self.generations.merge(floor, generations);
    }

    /// The live entries and generations as a [`Snapshot`], least recently used first;
    /// `encode` turns a value into its codec and bytes (`None` leaves the entry out).
    pub fn to_snapshot<F>(&self, now: u64, mut encode: F) -> Snapshot
    where
        K: AsRef<str>,
        F: FnMut(&V) -> Option<(Codec, Vec<u8>)>,
    {
        let entries = self
            .entries(now)
            .filter_map(|(k, v, expiry, _)| {
                let (codec, value) = encode(v)?;
                Some(SnapshotEntry { key: k.as_ref().to_owned(), expires_at: expiry.as_epoch_ms(), codec, value })
            })
            .collect();
        let mut generations: Vec<(String, u64)> = self.generations().map(|(n, g)| (n.to_owned(), g)).collect();
        generations.sort();
        Snapshot { created_at: now, generation_floor: self.generation_floor(), generations, entries }
    }

    /// Loads prepared entries (`(key, value, charge, expiry)`, least recently used first)
    /// and generations from a snapshot. Entries already expired at `now`, or larger than
    /// the byte bound, are skipped; a generation only ever moves forward, so loading an
    /// old snapshot cannot bring back keys invalidated since. How many entries were stored.
    pub fn load_prepared(
        &mut self,
        entries: Vec<(K, V, usize, Expiry)>,
        generations: &[(String, u64)],
        now: u64,
    ) -> usize {
        for (name, generation) in generations {
            self.set_generation(name, *generation);
        }
        let mut stored = 0;
        for (k, v, charge, expiry) in entries {
            stored += usize::from(self.learn_one(k, v, charge, expiry, now, None));
        }
        stored
    }

    /// A load's swap, once its input went into `scratch` (a store made like this one,
    /// each entry by [`Self::bound_one`]): every entry cleared ([`Self::clear`]: the
    /// adaptive policy's history stays), the input's generations merged
    /// ([`Self::merge_generations`]), then what `scratch` holds at `now`, least recently
    /// used first, loaded by [`Self::load_one`]'s rule: each value as `value` copies it,
    /// each key and expiry shown to `seen` first, which answers the real key's
    /// fingerprint where the host's keys stand in for real ones (the JS binding's slots;
    /// learnt as [`Self::next_key_fingerprint`] says). How many entries were stored.
    /// Python's load and the JS binding's make their swap with it.
    pub fn replace_from(
        &mut self,
        scratch: &Self,
        floor: u64,
        generations: &[(String, u64)],
        now: u64,
        mut value: impl FnMut(&V) -> V,
        mut seen: impl FnMut(&K, Expiry) -> Option<u64>,
    ) -> usize {
        self.clear();
        self.merge_generations(floor, generations);
        let mut stored = 0;
        for (k, v, expiry, charge) in scratch.entries(now) {
            let fingerprint = seen(k, expiry);
            stored += usize::from(self.learn_one(k.clone(), value(v), charge, expiry, now, fingerprint));
        }
        stored
    }

    /// One entry of a load's input into the scratch store that bounds it first (a store
    /// made like the loading one): an earlier entry of the same key goes (the later
    /// wins, even expired), then this one by [`Self::load_one`]'s rule, `fingerprint`
    /// learnt first where the host's keys stand in for its real ones
    /// ([`Self::next_key_fingerprint`]); the entries the bound leaves no room for go as
    /// they come. What the scratch store holds after the last is what the loading store
    /// takes ([`Self::replace_from`]). Whether it was stored.
    pub fn bound_one(&mut self, k: K, v: V, charge: usize, expiry: Expiry, now: u64, fingerprint: Option<u64>) -> bool {
        self.delete(&k, now);
        self.learn_one(k, v, charge, expiry, now, fingerprint)
    }

    /// [`Self::load_one`], `fingerprint` learnt first where there is one (and dropped
    /// after, where the entry was skipped and no write took it).
    fn learn_one(&mut self, k: K, v: V, charge: usize, expiry: Expiry, now: u64, fingerprint: Option<u64>) -> bool {
        if let Some(fingerprint) = fingerprint {
            self.next_key_fingerprint(fingerprint);
        }
        let stored = self.load_one(k, v, charge, expiry, now);
        self.next_fingerprint = None;
        stored
    }

    /// One entry of [`Self::load_prepared`], by its rule: skipped (its value to the dead)
    /// when already expired at `now`, refused when larger than the byte bound, else
    /// stored as `set` stores it. Whether it was stored.
    fn load_one(&mut self, k: K, v: V, charge: usize, expiry: Expiry, now: u64) -> bool {
        if expiry.is_expired(now) {
            self.dead.push(v);
            return false;
        }
        self.set(k, v, charge, expiry, now).is_ok()
    }

    /// Checks the store's invariants; used by property tests and fuzzing.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let bytes: u64 = self.map.iter().map(|(_, e)| e.charge as u64).sum();
        if bytes != self.bytes {
            return Err(format!("bytes {} but entries charge {}", self.bytes, bytes));
        }
        if self.map.len() > self.config.max_entries {
            return Err(format!("{} entries over bound {}", self.map.len(), self.config.max_entries));
        }
        if let Some(max) = self.config.max_bytes {
            if self.bytes > max as u64 {
                return Err(format!("{} bytes over bound {}", self.bytes, max));
            }
        }
        let timed = self.map.iter().filter(|(_, e)| e.expires_at != NEVER).count();
        let indexed = self.expiries.iter().filter(|Reverse((at, seq, k))| self.is_current(*at, *seq, k)).count();
        if timed != indexed {
            return Err(format!("{timed} timed entries but {indexed} current records in the expiry index"));
        }
        if self.expiries.len() > 2 * self.config.max_entries + COMPACT_SLACK + 1 {
            return Err(format!("expiry index of {} records for at most {} entries", self.expiries.len(), self.config.max_entries));
        }
        self.generations.validate()
    }
}
