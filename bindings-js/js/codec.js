// The second wasm module: snapshots (the codec, SHA-256/HMAC) and the key functions.
// A plain cache never needs it, so it is compiled and instantiated on first use, and a
// cache's import pays only for the store module. Each entry point says where the module
// comes from (`codecFrom`): Node and Deno read the file then, workerd imports it
// compiled, browsers compile it while the package loads (they cannot fetch synchronously).

import { initSync } from '../../dist/polycache_codec.js';
import * as glue from '../../dist/polycache_codec.js';
import { CacheTrappedError } from './errors.js';

let source = null;
let ready = false;

/** Where the module comes from: `load()` returns its bytes or a compiled WebAssembly.Module. */
export function codecFrom(load) {
  source = load;
}

/** The module's exports, instantiating it on the first call. */
export function codec() {
  if (!ready) {
    if (source === null) throw new Error('polycache: no entry point said where the snapshot and key module is');
    initSync({ module: source() });
    ready = true;
  }
  return glue;
}

/**
 * The error to throw for a trap in this module (out of its wasm memory). The cache that
 * asked is untouched: its store lives in the other module. The call's own object stays
 * borrowed and is left to leak; later calls make new ones.
 */
export function codecTrap(e) {
  if (!(e instanceof WebAssembly.RuntimeError)) return e;
  return new CacheTrappedError(
    `the snapshot and key module's WebAssembly call trapped (${e.message}), most likely out of wasm memory; the cache is unchanged`,
  );
}
