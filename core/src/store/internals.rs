//! What the store's operations share: removing an entry, reclaiming expired ones,
//! indexing expiries and evicting.

use super::*;

impl<K: Hash + Eq + Ord + Clone, V, S: Indexing<K>> Store<K, V, S> {
    pub(super) fn over_bytes(&self, incoming: usize) -> bool {
        matches!(self.config.max_bytes, Some(max) if self.bytes + incoming as u64 > max as u64)
    }

    /// Removes `key` whatever its state; its old expiry if it was there.
    pub(super) fn remove<Q>(&mut self, key: &Q) -> Option<u64>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        let (k, e) = self.map.remove(key)?;
        Some(self.forget(k, e))
    }

    pub(super) fn forget(&mut self, k: K, e: Entry<V>) -> u64 {
        drop(k);
        self.bytes -= e.charge as u64;
        self.dead.push(e.value);
        e.expires_at
    }

    pub(super) fn expire<Q>(&mut self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + Ord + ?Sized,
    {
        if self.remove(key).is_some() {
            self.stats.expirations += 1;
        }
    }

    pub(super) fn purge_expired_at_most(&mut self, now: u64, budget: usize) -> usize {
        let mut n = 0;
        while n < budget {
            match self.expiries.peek() {
                Some(Reverse((at, _, _))) if *at <= now => {}
                _ => break,
            }
            let Reverse((at, seq, k)) = self.expiries.pop().expect("checked above");
            if !self.is_current(at, seq, &k) {
                continue;
            }
            if let Some((_, e)) = self.map.remove(&k) {
                self.bytes -= e.charge as u64;
                self.dead.push(e.value);
                self.stats.expirations += 1;
            }
            n += 1;
        }
        n
    }

    /// True when the expiry record (at, seq) is the one of `k`'s entry.
    pub(super) fn is_current(&self, at: u64, seq: u64, k: &K) -> bool {
        matches!(self.map.peek(k), Some(e) if e.expires_at == at && e.seq == seq)
    }

    /// Records an entry's expiry; drops stale records once they outnumber live ones.
    pub(super) fn index_expiry(&mut self, at: u64, seq: u64, k: K) {
        self.expiries.push(Reverse((at, seq, k)));
        if self.expiries.len() > 2 * self.map.len() + COMPACT_SLACK {
            let map = &self.map;
            self.expiries
                .retain(|Reverse((at, seq, k))| matches!(map.peek(k), Some(e) if e.expires_at == *at && e.seq == *seq));
        }
    }

    /// The next tie-breaker for an entry that can expire (0 for one that cannot).
    pub(super) fn next_seq(&mut self, expires_at: u64) -> u64 {
        if expires_at == NEVER {
            0
        } else {
            self.next_seq += 1;
            self.next_seq
        }
    }

    /// Removes the least recently used entry; false when the store is empty.
    pub(super) fn evict_one(&mut self) -> bool {
        match self.map.pop_victim() {
            Some((k, e)) => {
                self.stats.evictions += 1;
                self.forget(k, e);
                true
            }
            None => false,
        }
    }
}
