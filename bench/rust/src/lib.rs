//! Benchmarks only: see benches/store.rs.
