//! The `LruStore`'s per-slot arrays beside the core's entries: each slot's age (ttl and
//! start), the time up to which it is certainly fresh (which JS reads through a view to
//! answer a get with no call, and writes with an age, lru-views.js), and its size.
//!
//! They cover `cap` slots. Each array is laid out for all of them, or empty while every
//! slot's value is its default: ages and fresh-until times from the cache's first
//! lifetime on, sizes from the first size other than 0 (or when made, for a cache
//! that sizes its entries: `LruStore::size_slots`). A cache with neither (lru-cache's
//! most common form) so holds nothing here per slot: ~52 bytes of wasm memory an entry,
//! not ~84, and nothing to write when made.

use polycache::Age;

#[derive(Default)]
pub(crate) struct SlotArrays {
    cap: usize,
    /// Whether `ages` and `fresh` are laid out: for the store's life once set (a `clear`
    /// too keeps it, as JS keeps tracking lifetimes after one).
    timed: bool,
    /// Whether `sizes` is laid out (as `timed`).
    sized: bool,
    pub(crate) ages: Vec<Age>,
    pub(crate) fresh: Vec<f64>,
    pub(crate) sizes: Vec<f64>,
}

/// A time up to which an entry of this age is certainly fresh, so that JS can answer a get
/// at `now <= fresh_until` without asking: `Infinity` when it never goes stale, else
/// `start + ttl` less a margin for rounding (`now - start > ttl` is the rule, in the core's
/// [`Age`], and the sum rounds differently), and `-Infinity` (ask the store every time)
/// where no such margin is simple: a ttl or start not positive, or a sum not finite.
pub(crate) fn fresh_until(age: Age) -> f64 {
    if !age.is_timed() {
        return f64::INFINITY;
    }
    let end = age.start + age.ttl;
    if age.ttl > 0.0 && age.start > 0.0 && end.is_finite() {
        end - end * 8.0 * f64::EPSILON
    } else {
        f64::NEG_INFINITY
    }
}

impl SlotArrays {
    /// How many slots are covered: a write below it moves no array.
    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    /// Covers `len` slots: the arrays laid out so far are lengthened (they may move).
    pub(crate) fn lay_out(&mut self, len: usize) {
        self.cap = len;
        if self.timed {
            self.ages.resize(len, Age::default());
            self.fresh.resize(len, f64::INFINITY);
        }
        if self.sized {
            self.sizes.resize(len, 0.0);
        }
    }

    /// Lays out the ages and fresh-until times (every slot's untimed) if they are not yet.
    pub(crate) fn time_slots(&mut self) {
        if !self.timed {
            self.timed = true;
            self.lay_out(self.cap);
        }
    }

    /// Lays out the sizes (every slot's 0) if they are not yet.
    pub(crate) fn size_slots(&mut self) {
        if !self.sized {
            self.sized = true;
            self.lay_out(self.cap);
        }
    }

    /// Covers no slot (the arrays kept laid out, empty, for the slots to come).
    pub(crate) fn clear(&mut self) {
        self.cap = 0;
        self.ages.clear();
        self.fresh.clear();
        self.sizes.clear();
    }

    pub(crate) fn age(&self, i: usize) -> Age {
        self.ages.get(i).copied().unwrap_or_default()
    }

    /// Slot `i`'s age (`i` below `cap`); the first timed one lays the ages out.
    pub(crate) fn put_age(&mut self, i: usize, age: Age) {
        if !self.timed {
            if !age.is_timed() {
                return;
            }
            self.time_slots();
        }
        self.ages[i] = age;
        self.fresh[i] = fresh_until(age);
    }

    /// Whether any slot has had a size other than 0 (the sizes are laid out).
    pub(crate) fn sizes_laid_out(&self) -> bool {
        self.sized
    }

    pub(crate) fn size(&self, i: usize) -> f64 {
        self.sizes.get(i).copied().unwrap_or(0.0)
    }

    /// Slot `i`'s size (`i` below `cap`); the first other than 0 lays the sizes out.
    pub(crate) fn put_size(&mut self, i: usize, size: f64) {
        if !self.sized {
            if size == 0.0 {
                return;
            }
            self.size_slots();
        }
        self.sizes[i] = size;
    }

    /// True when slot `i` holds the values a new key's write queued by JS leaves it: a
    /// size other than 0 only where the sizes are laid out, and a fresh-until time that is
    /// its age's (lru.rs `replay`).
    pub(crate) fn as_queued(&self, i: usize) -> bool {
        (self.sized || self.size(i) == 0.0) && self.fresh.get(i).is_none_or(|&f| f == fresh_until(self.ages[i]))
    }
}
