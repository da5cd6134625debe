//! The Python methods of a `Cache` handle on its store as a whole: clearing it, its live
//! keys, expired entries, counters, namespaces and their generations, and snapshots (the
//! work of `dump` and `load` is in `snapshot.rs`). Every handle on the store sees the same.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use crate::cache::Cache;
use crate::namespace::Namespace;
use crate::store::stats_dict;

#[pymethods]
impl Cache {
    /// Removes every entry of the store (shared by every handle on it). Namespace
    /// generations are kept.
    ///
    /// >>> c = Cache(); c.set("a", 1); c.clear(); len(c)
    /// 0
    fn clear(&self) {
        self.shared.clear()
    }

    /// Live keys of this handle's version (Django's prefix and version removed),
    /// most recently used first. With a custom `key_func`, the full store keys.
    ///
    /// >>> c = Cache(); c.set("a", 1); c.set("b", 2); c.live_keys()
    /// ['b', 'a']
    #[pyo3(signature = (version=None))]
    fn live_keys(&self, version: Option<i64>) -> Vec<String> {
        let all = self.shared.with_store(|s, now| s.keys(now));
        all.iter()
            .filter_map(|k| self.keys.user_key(k, version).map(str::to_owned))
            .collect()
    }

    /// Reclaims every expired entry now; how many.
    ///
    /// >>> now = [1000.0]; c = Cache(clock=lambda: now[0]); c.set("a", 1, 1); now[0] += 2
    /// >>> len(c), c.purge_expired(), len(c)
    /// (1, 1, 0)
    fn purge_expired(&self) -> usize {
        self.shared.with_store(|s, now| s.purge_expired(now))
    }

    /// Counters of the store: hits, misses, hit_ratio, sets, deletes, evictions,
    /// expirations, entries, bytes.
    ///
    /// >>> c = Cache(); c.set("a", 1); c.get("a"); c.get("b")
    /// 1
    /// >>> s = c.stats(); s["hits"], s["misses"], s["hit_ratio"], s["entries"]
    /// (1, 1, 0.5, 1)
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        stats_dict(py, self.shared.stats())
    }

    /// A view of the keys of namespace `name`; `invalidate()` drops them all in O(1).
    ///
    /// >>> ns = Cache().namespace("books"); ns.set("1", "Dune"); ns.get("1")
    /// 'Dune'
    fn namespace(slf: Py<Self>, name: String) -> Namespace {
        Namespace::new(slf, name)
    }

    /// The current generation of namespace `name` (1 until invalidated).
    ///
    /// >>> c = Cache(); c.generation("books"), c.invalidate("books"), c.generation("books")
    /// (1, 2, 2)
    fn generation(&self, name: &str) -> u64 {
        self.shared.with_store(|s, _| s.generation(name))
    }

    /// The whole store (entries, values, expiries, namespace generations) as snapshot
    /// bytes every polycache binding reads (docs/format.md), signed with HMAC-SHA256 when
    /// `key` (str or bytes, at least 16 bytes) is given. JSON-like values go as JSON,
    /// `bytes` as bytes, the rest as pickles (which only Python reads, and only from a
    /// verified snapshot).
    ///
    /// >>> c = Cache(); c.set("a", [1, 2]); snap = c.dump(key="a secret of 16+ bytes")
    /// >>> snap[:8], snap[9]  # the magic; flags: signed
    /// (b'POLYSNAP', 1)
    #[pyo3(signature = (key=None))]
    fn dump<'py>(&self, py: Python<'py>, key: Option<&Bound<'py, PyAny>>) -> PyResult<Bound<'py, PyBytes>> {
        let key = crate::snapshot::snapshot_key(key)?;
        Ok(PyBytes::new(py, &self.dump_in(py, key.as_ref())?))
    }

    /// Replaces the store's entries with a snapshot's (generations only move forward).
    /// A signed snapshot must verify under `key`; an unsigned one (or one signed while no
    /// key is given) loads only with `allow_unsigned=True`, and its pickles are skipped,
    /// never unpickled. With `max_age` (seconds), a snapshot made longer ago than that
    /// (by this cache's clock) is refused. Unreadable bytes raise `SnapshotError` and
    /// change nothing. An empty or short `key` is an `InvalidConfigError`.
    /// `{"verified", "entries" (held after), "skipped_pickles", "skipped_unknown"}`.
    ///
    /// >>> src = Cache(); src.set("a", {"x": 1}); src.set("t", (1, 2)); other = Cache()
    /// >>> other.load(src.dump(key="a secret of 16+ bytes"), key="a secret of 16+ bytes", max_age=60)
    /// {'verified': True, 'entries': 2, 'skipped_pickles': 0, 'skipped_unknown': 0}
    /// >>> other.get("a"), other.get("t")
    /// ({'x': 1}, (1, 2))
    /// >>> other.load(src.dump(), allow_unsigned=True)  # unverified: the pickle is skipped
    /// {'verified': False, 'entries': 1, 'skipped_pickles': 1, 'skipped_unknown': 0}
    #[pyo3(signature = (data, key=None, allow_unsigned=false, max_age=None))]
    fn load<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        key: Option<&Bound<'py, PyAny>>,
        allow_unsigned: bool,
        max_age: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let key = crate::snapshot::snapshot_key(key)?;
        self.load_any(py, data, key.as_ref(), allow_unsigned, max_age)
    }

    /// Invalidates every key of namespace `name` in O(1); its new generation.
    ///
    /// >>> c = Cache(); ns = c.namespace("books"); ns.set("1", "Dune")
    /// >>> c.invalidate("books"), ns.get("1")
    /// (2, None)
    fn invalidate(&self, name: &str) -> u64 {
        self.shared.invalidate(name)
    }

    /// Entries held (expired ones not yet reclaimed included).
    fn __len__(&self) -> usize {
        self.shared.len()
    }
}
