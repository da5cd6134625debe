//! DRF's `ReturnList` and `ReturnDict`, recognised without importing DRF.

use pyo3::ffi;
use pyo3::prelude::*;

use crate::tree::Kind;

/// DRF's `ReturnList` and `ReturnDict` (what `serializer.data` is) pickle as a plain list
/// and dict (their `__reduce__` drops the serializer backlink), so a tree holds them as
/// that too (`tree.rs`). Their addresses are read from `sys.modules` once DRF has been imported; no
/// other subclass is taken.
///
/// # Safety
/// The GIL must be held.
pub unsafe fn kind_of(t: *mut ffi::PyTypeObject) -> Kind {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static LIST: AtomicUsize = AtomicUsize::new(0);
    static DICT: AtomicUsize = AtomicUsize::new(0);
    let t = t as usize;
    if LIST.load(Ordering::Relaxed) == 0 {
        let py = Python::assume_attached();
        let found = (|| -> PyResult<Option<(usize, usize)>> {
            let modules = py.import("sys")?.getattr("modules")?;
            let Some(m) = modules.call_method1("get", ("rest_framework.utils.serializer_helpers",)).ok().filter(|m| !m.is_none()) else {
                return Ok(None);
            };
            let list = m.getattr("ReturnList")?;
            let dict = m.getattr("ReturnDict")?;
            Ok(Some((list.as_ptr() as usize, dict.as_ptr() as usize)))
        })();
        match found {
            Ok(Some((list, dict))) => {
                // The module keeps both classes alive for the life of the process.
                DICT.store(dict, Ordering::Relaxed);
                LIST.store(list, Ordering::Relaxed);
            }
            Ok(None) => return Kind::Other,
            Err(e) => {
                drop(e);
                return Kind::Other;
            }
        }
    }
    if t == LIST.load(Ordering::Relaxed) {
        Kind::List
    } else if t == DICT.load(Ordering::Relaxed) {
        Kind::Dict
    } else {
        Kind::Other
    }
}

