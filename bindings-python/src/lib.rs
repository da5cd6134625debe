//! `polycache._native`: the Python face of the polycache core. Conversion and host glue
//! only; every cache rule lives in the core crate.

mod appended;
mod backend;
mod blob;
mod cache;
mod cache_build;
mod cache_many;
mod cache_store;
mod capi;
mod compact;
mod compact_read;
mod compress;
mod drf_types;
mod entropy;
mod error;
mod keys;
mod names;
mod namespace;
mod ops;
mod shapes;
mod snapshot;
mod store;
mod text;
mod text_code;
mod timeout;
mod tree;
mod tree_size;
mod value;

use pyo3::prelude::*;

/// The expiry (epoch ms; None = never) that `timeout` gives at `now_ms` when the
/// default timeout is `default`, by Django's rules. Expired results are <= `now_ms`.
///
/// >>> timeout_expiry(1.5, 300, 1_000_000), timeout_expiry(None, 300, 0)
/// (1001500, None)
/// >>> timeout_expiry(DEFAULT_TIMEOUT, 60, 0), timeout_expiry(0, 300, 5) <= 5
/// (60000, True)
#[pyfunction]
#[pyo3(signature = (timeout, default, now_ms))]
fn timeout_expiry(
    timeout: &Bound<'_, PyAny>,
    default: &Bound<'_, PyAny>,
    now_ms: u64,
) -> PyResult<Option<u64>> {
    let t = timeout::timeout_of(timeout, None)?;
    let d = timeout::timeout_of(default, None)?;
    t.expiry(now_ms, d)
        .map(|e| e.as_epoch_ms())
        .map_err(error::to_py_nokey)
}

/// What an entry is charged against `max_bytes`: key bytes + value bytes + overhead.
///
/// >>> entry_charge(3, 10) == 3 + 10 + ENTRY_OVERHEAD
/// True
#[pyfunction]
fn entry_charge(key_len: usize, value_size: usize) -> usize {
    polycache::entry_charge(key_len, value_size)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<cache::Cache>()?;
    m.add_class::<backend::DjangoBackend>()?;
    m.add_class::<namespace::Namespace>()?;
    m.add_class::<store::Store>()?;
    m.add_class::<timeout::DefaultTimeout>()?;
    m.add(
        "DEFAULT_TIMEOUT",
        timeout::default_marker(py)?.clone_ref(py),
    )?;
    m.add(
        "ValueTooLargeError",
        py.get_type::<error::ValueTooLargeError>(),
    )?;
    m.add(
        "InvalidTimeoutError",
        py.get_type::<error::InvalidTimeoutError>(),
    )?;
    m.add(
        "InvalidConfigError",
        py.get_type::<error::InvalidConfigError>(),
    )?;
    m.add("SnapshotError", py.get_type::<error::SnapshotError>())?;
    m.add("ENTRY_OVERHEAD", polycache::ENTRY_OVERHEAD)?;
    m.add("DEFAULT_MAX_KEY_LENGTH", polycache::DEFAULT_MAX_KEY_LENGTH)?;
    m.add(
        "MEMCACHE_MAX_KEY_LENGTH",
        polycache::MEMCACHE_MAX_KEY_LENGTH,
    )?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(keys::make_key, m)?)?;
    m.add_function(wrap_pyfunction!(keys::key_warnings, m)?)?;
    m.add_function(wrap_pyfunction!(keys::shorten_key, m)?)?;
    m.add_function(wrap_pyfunction!(keys::namespaced_key, m)?)?;
    m.add_function(wrap_pyfunction!(keys::build_key, m)?)?;
    m.add_function(wrap_pyfunction!(timeout_expiry, m)?)?;
    m.add_function(wrap_pyfunction!(entry_charge, m)?)?;
    m.add_function(wrap_pyfunction!(snapshot::check_snapshot_key, m)?)?;
    Ok(())
}
