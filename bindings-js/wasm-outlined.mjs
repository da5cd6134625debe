// Functions the Rust code keeps out of line (#[inline(never)]) that wasm-opt must not
// inline again. Binaryen inlines every function with one caller, whatever Rust said; but
// V8 (Liftoff) compiles each wasm function on its first call, whole, so the rarely run
// parts of a function that every cache runs at once (a first `new`, `set`, `get`) are
// compiled at every cold start unless they are functions of their own
// (docs/js-size-and-speed.md, session 9). build.mjs and wasm-named.mjs pass these to
// wasm-opt; tests/js/wasm-outlined.test.mjs checks that each still names a function of the
// store module, and that the shipped module keeps them apart.

/** Wildcard patterns of wasm-bindgen's function names (demangled Rust paths). */
export const OUT_OF_LINE = [
  // core/src/store/outlined.rs: Store::set's less common work.
  '*::store::outlined::<impl *>::set_past::*',
  '*::store::outlined::<impl *>::make_room::*',
  '*::store::outlined::<impl *>::evict_over_bytes::*',
  // core/src/store.rs: each policy's set-up, from Store::new.
  '*::store::adaptive_policy::*',
  '*::store::lru_policy::*',
  // bindings-js/src/slots.rs: a cache-wide default lifetime, from SlotStore::new.
  '*::slots::default_ttl::*',
  // bindings-js/src/slots_write.rs: a new slot below the bound, from SlotStore::set (LRU family only).
  '*::slots::write::<impl *>::insert_below_bound::*',
  // bindings-js/src/slots_write.rs: a queued timed write, from the replay (timed caches only).
  '*::slots::write::write_queued::*',
  // bindings-js/src/error.rs: a maker's failure, kept for take_failure.
  '*::error::fail::*',
  // core/src/policy/adaptive.rs: the history's growth, from Adaptive::push.
  '*::Adaptive<K,E,T>::grow_history::*',
];

/** wasm-opt's arguments for them; they must come before `-Oz`. */
export const noInlineFlags = () => OUT_OF_LINE.map((p) => `--no-inline=${p}`);
