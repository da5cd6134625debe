// Everything the package exports, whatever the runtime. The entry points (node.js,
// browser.js, workerd.js, deno.js) load the wasm module first, each its own way.

import * as exported from './lib.js';
import { named } from './names.js';

export { Cache } from './cache.js';
export { Namespace } from './namespace.js';
export { OpaqueValue } from './values.js';
export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys-lazy.js';
export * from './error-classes.js';
export { LRUCache } from './lru-lazy.js';

// What the package exports gets its own name back (names.js). `LRUCache` stands for a
// class that has its name (lazy-bundle.mjs keeps its names): naming it would load it.
const { LRUCache: _, ...toName } = exported;
named(toName);
