//! Django's batch cull (LocMemCache's `_cull`): when a new key arrives and the store is
//! full, drop `len / frequency` entries at once (at least one), or all of them when
//! `frequency` is 0. Victims are taken in LRU order ([`super::lru`]), which is the order
//! LocMemCache keeps.

/// How many entries a full store of `len` entries culls.
pub fn count(len: usize, frequency: usize) -> usize {
    len.checked_div(frequency).map_or(len, |n| n.max(1))
}

#[cfg(test)]
mod tests {
    #[test]
    fn culls_a_share_at_least_one_or_everything() {
        assert_eq!(super::count(30, 3), 10);
        assert_eq!(super::count(2, 3), 1);
        assert_eq!(super::count(30, 0), 30);
    }
}
