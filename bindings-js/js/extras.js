// What cache-extras.js loads on first use: the Cache's dump/load, snapshots, fetch(),
// add/touch/getRemainingTTL/purgeStale, the key functions (keys-lazy.js), and the views
// a Cache that sizes its entries writes by (cache-sized.js).
export { addTo, purgeIn, remainingOf, touchIn } from './cache-rare.js';
export { SizedViews } from './cache-sized.js';
export { Fetches } from './fetch.js';
export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys.js';
export { dumpOf, loadInto, loadSnapshotInto, snapshotOf } from './persist.js';
