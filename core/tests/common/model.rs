//! A plain model of the store's rules (a list in recency order), and a driver that runs
//! an operation sequence against both the real `Store` and the model, checking results
//! and the store's invariants after every step. Shared by the property tests and the
//! `cargo fuzz` target (core/fuzz).
//!
//! Under the adaptive policy the model cannot know which entry a full store gives up, so
//! it learns that from the store after each write (and checks that only writes evict,
//! and never the key just written); every other rule is checked as under LRU.

use std::collections::HashMap;

use polycache::{Config, Error, Eviction, Expiry, Store};

#[derive(Debug, Clone)]
pub enum Op {
    Set { key: u8, charge: u8, ttl: Option<u8> },
    Add { key: u8, charge: u8, ttl: Option<u8> },
    Get { key: u8 },
    Delete { key: u8 },
    Touch { key: u8, ttl: Option<u8> },
    Incr { key: u8, delta: i8 },
    Clear,
    Purge,
    Advance { ms: u8 },
}

impl Op {
    /// Decodes operations from raw bytes (for the fuzzer): 4 bytes an operation.
    pub fn decode(data: &[u8]) -> Vec<Op> {
        data.chunks_exact(4)
            .map(|c| {
                let ttl = if c[3] & 1 == 0 { None } else { Some(c[3] >> 1) };
                let key = c[1] % 24;
                match c[0] % 9 {
                    0 => Op::Set { key, charge: c[2], ttl },
                    1 => Op::Add { key, charge: c[2], ttl },
                    2 => Op::Get { key },
                    3 => Op::Delete { key },
                    4 => Op::Touch { key, ttl },
                    5 => Op::Incr { key, delta: c[2] as i8 },
                    6 => Op::Clear,
                    7 => Op::Purge,
                    _ => Op::Advance { ms: c[2] },
                }
            })
            .collect()
    }
}

const NEVER: u64 = u64::MAX;

struct Model {
    config: Config,
    /// Most recently used first.
    order: Vec<String>,
    /// value, charge, expires_at, seq (when the expiry was set: ties are broken by it)
    data: HashMap<String, (i64, usize, u64, u64)>,
    seq: u64,
}

impl Model {
    fn live(&self, k: &str, now: u64) -> bool {
        matches!(self.data.get(k), Some(&(_, _, at, _)) if at > now)
    }
    fn drop_key(&mut self, k: &str) {
        self.order.retain(|x| x != k);
        self.data.remove(k);
    }
    fn promote(&mut self, k: &str) {
        self.order.retain(|x| x != k);
        self.order.insert(0, k.to_owned());
    }
    fn purge(&mut self, now: u64, budget: usize) {
        let mut timed: Vec<(u64, u64, String)> =
            self.data.iter().filter(|(_, v)| v.2 <= now).map(|(k, v)| (v.2, v.3, k.clone())).collect();
        timed.sort();
        for (_, _, k) in timed.into_iter().take(budget) {
            self.drop_key(&k);
        }
    }
    fn bytes(&self) -> usize {
        self.data.values().map(|v| v.1).sum()
    }
    fn pop_lru(&mut self) {
        if let Some(k) = self.order.pop() {
            self.data.remove(&k);
        }
    }
    fn set(&mut self, k: &str, v: i64, charge: usize, at: u64, now: u64) -> bool {
        if matches!(self.config.max_bytes, Some(m) if charge > m) {
            return false;
        }
        if at <= now {
            self.drop_key(k);
            return true;
        }
        self.purge(now, 4);
        let replacing = self.data.contains_key(k);
        self.drop_key(k);
        let max = self.config.max_entries;
        if self.order.len() >= max {
            self.purge(now, usize::MAX);
        }
        if let Eviction::Cull { frequency } = self.config.eviction {
            if self.order.len() >= max && !replacing {
                if frequency == 0 {
                    self.order.clear();
                    self.data.clear();
                } else {
                    for _ in 0..(self.order.len() / frequency).max(1) {
                        self.pop_lru();
                    }
                }
            }
        }
        // The adaptive policy's victims are learnt from the store after the step.
        let lru_order = self.config.eviction != Eviction::Adaptive;
        while lru_order && self.order.len() >= max {
            self.pop_lru();
        }
        while lru_order && matches!(self.config.max_bytes, Some(m) if self.bytes() + charge > m) {
            self.pop_lru();
        }
        self.order.insert(0, k.to_owned());
        self.seq += 1;
        self.data.insert(k.to_owned(), (v, charge, at, self.seq));
        true
    }
}

fn expiry(ttl: Option<u8>, now: u64) -> (Expiry, u64) {
    match ttl {
        None => (Expiry::Never, NEVER),
        Some(t) => (Expiry::At(now + t as u64), now + t as u64),
    }
}

/// Runs `ops` against a store with `config` and the model; the first disagreement.
pub fn run(config: Config, ops: &[Op]) -> Result<(), String> {
    let mut store: Store<String, i64> = Store::new(config).map_err(|e| e.to_string())?;
    let mut model = Model { config, order: Vec::new(), data: HashMap::new(), seq: 0 };
    let mut now: u64 = 1_000;
    let (mut hits, mut misses) = (0u64, 0u64);
    for (step, op) in ops.iter().enumerate() {
        let ctx = |what: &str| format!("step {step} {op:?}: {what}");
        match *op {
            Op::Set { key, charge, ttl } => {
                let k = format!("k{key}");
                let (e, at) = expiry(ttl, now);
                let v = step as i64;
                let ok = store.set(k.clone(), v, charge as usize + 1, e, now).is_ok();
                if ok != model.set(&k, v, charge as usize + 1, at, now) {
                    return Err(ctx("set outcome differs"));
                }
            }
            Op::Add { key, charge, ttl } => {
                let k = format!("k{key}");
                let (e, at) = expiry(ttl, now);
                let got = store.add(k.clone(), step as i64, charge as usize + 1, e, now);
                let want = if model.live(&k, now) {
                    Ok(false)
                } else if model.set(&k, step as i64, charge as usize + 1, at, now) {
                    Ok(true)
                } else {
                    Err(())
                };
                if got.map_err(|_| ()) != want {
                    return Err(ctx("add outcome differs"));
                }
            }
            Op::Get { key } => {
                let k = format!("k{key}");
                let got = store.get(k.as_str(), now);
                let want = if model.live(&k, now) {
                    model.promote(&k);
                    hits += 1;
                    Some(model.data[&k].0)
                } else {
                    model.drop_key(&k);
                    misses += 1;
                    None
                };
                if got != want {
                    return Err(ctx(&format!("get gave {got:?}, model {want:?}")));
                }
            }
            Op::Delete { key } => {
                let k = format!("k{key}");
                let want = model.live(&k, now);
                model.drop_key(&k);
                if store.delete(k.as_str(), now) != want {
                    return Err(ctx("delete differs"));
                }
            }
            Op::Touch { key, ttl } => {
                let k = format!("k{key}");
                let (e, at) = expiry(ttl, now);
                let want = model.live(&k, now);
                if want {
                    model.promote(&k);
                    model.seq += 1;
                    let seq = model.seq;
                    let e = model.data.get_mut(&k).unwrap();
                    e.2 = at;
                    e.3 = seq;
                    if at <= now {
                        model.drop_key(&k);
                    }
                } else {
                    model.drop_key(&k);
                }
                if store.touch(k.as_str(), e, now) != want {
                    return Err(ctx("touch differs"));
                }
            }
            Op::Incr { key, delta } => {
                let k = format!("k{key}");
                let got = store.incr(k.as_str(), delta as i64, now);
                let want = if model.live(&k, now) {
                    model.promote(&k);
                    let e = model.data.get_mut(&k).unwrap();
                    e.0 += delta as i64;
                    Ok(e.0)
                } else {
                    model.drop_key(&k);
                    Err(Error::KeyNotFound(String::new()))
                };
                if got != want {
                    return Err(ctx(&format!("incr gave {got:?}, model {want:?}")));
                }
            }
            Op::Clear => {
                store.clear();
                model.order.clear();
                model.data.clear();
            }
            Op::Purge => {
                store.purge_expired(now);
                model.purge(now, usize::MAX);
            }
            Op::Advance { ms } => now += ms as u64,
        }
        store.validate().map_err(|e| ctx(&e))?;
        if config.eviction == Eviction::Adaptive {
            let gone: Vec<String> = model.data.keys().filter(|k| !store.holds(k.as_str())).cloned().collect();
            let written = match *op {
                Op::Set { key, .. } | Op::Add { key, .. } => Some(format!("k{key}")),
                _ => None,
            };
            for k in gone {
                let evicted = model.live(&k, now) && written.is_some();
                if model.live(&k, now) && !evicted {
                    return Err(ctx(&format!("{k} left the store without a write")));
                }
                if written.as_deref() == Some(k.as_str()) && model.live(&k, now) {
                    return Err(ctx(&format!("{k} was evicted by its own write")));
                }
                model.drop_key(&k);
            }
        }
        let live: Vec<String> = model.order.iter().filter(|k| model.live(k, now)).cloned().collect();
        if config.eviction == Eviction::Adaptive {
            let (mut got, mut want) = (store.keys(now), live);
            got.sort();
            want.sort();
            if got != want {
                return Err(ctx(&format!("keys {got:?} but model {want:?}")));
            }
        } else if store.keys(now) != live {
            return Err(ctx(&format!("keys {:?} but model {:?}", store.keys(now), live)));
        }
        let st = store.stats();
        if st.hits != hits || st.misses != misses || st.entries as usize != store.len() {
            return Err(ctx(&format!("stats {st:?} but model hits {hits} misses {misses}")));
        }
        if let Some(m) = config.max_bytes {
            if store.bytes() > m as u64 {
                return Err(ctx("over byte bound"));
            }
        }
    }
    Ok(())
}
