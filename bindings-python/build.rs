//! Hands pyo3's configuration cfgs (`Py_LIMITED_API` for an abi3 build, `Py_3_x`) to this
//! crate, so `src/capi.rs` can pick CPython's non-limited API in a `native` build.

fn main() {
    pyo3_build_config::use_pyo3_cfgs();
}
