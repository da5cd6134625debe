// The second wasm module: snapshots (the codec, SHA-256/HMAC) and the key functions.
// A plain cache never needs it, so it is compiled and instantiated on first use, and a
// cache's import pays only for the store module. Each entry point says how to get it
// (`codecFrom`): Node requires its glue and reads the wasm then (neither is loaded by
// the import), Deno reads the wasm then, workerd imports it compiled, and browsers
// compile it while the package loads (they cannot fetch synchronously).

import { trapped } from './errors.js';
import { firstUse } from './first-use.js';

// `codec()`: the module's exports, instantiating it on the first call.
const [from, codec] = firstUse('where the snapshot and key module is');
export { codec };

/**
 * Where the module comes from, both asked on first use: `glue()` gives its wasm-bindgen
 * glue, `wasm()` its bytes or its compiled WebAssembly.Module.
 */
export function codecFrom(glue, wasm) {
  from(() => {
    const g = glue();
    g.initSync({ module: wasm() });
    return g;
  });
}


/**
 * The error to throw for a trap in this module (out of its wasm memory). The cache that
 * asked is untouched: its store lives in the other module. The call's own object stays
 * borrowed and is left to leak; later calls make new ones.
 */
export function codecTrap(e) {
  return trapped(e, "the snapshot and key module's WebAssembly call", 'the cache is unchanged');
}
