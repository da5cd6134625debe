// What cache-extras.js loads on first use: the Cache's dump/load, snapshots, fetch(),
// add/touch/getRemainingTTL/purgeStale, and the key functions (keys-lazy.js).
export { addTo, purgeIn, remainingOf, touchIn } from './cache-rare.js';
export { Fetches } from './fetch.js';
export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys.js';
export { dumpOf, loadInto, loadSnapshotInto, snapshotOf } from './persist.js';
