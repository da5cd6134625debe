// The Cache's less used code: dump/load, snapshot/loadSnapshot (persist.js), fetch()
// (fetch.js) and the key functions (keys.js, through keys-lazy.js), loaded on first use,
// as LRUCache's is (lru-lazy.js): an import that only gets and sets does not parse it.
// Node's entries read it then from dist/polycache_extras.cjs (extras-node.js); the other
// runtimes import it with the package and hand it over at once (extras.js).

import { firstUse } from './first-use.js';

/**
 * `extrasFrom(f)`: where the code comes from, `f()` returning extras.js's exports, asked
 * on first use; `extras()`: those exports, loading them on the first call.
 */
export const [extrasFrom, extras] = firstUse("where the Cache's extras are");
