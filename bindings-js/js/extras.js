// What cache-extras.js loads on first use: the Cache's dump/load, snapshots and fetch(),
// and the key functions (keys-lazy.js).
export { Fetches } from './fetch.js';
export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys.js';
export { dumpOf, loadInto, loadSnapshotInto, snapshotOf } from './persist.js';
