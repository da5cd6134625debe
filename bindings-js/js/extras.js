// What cache-extras.js loads on first use: the Cache's dump/load, snapshots and fetch().
export { Fetches } from './fetch.js';
export { dumpOf, loadInto, loadSnapshotInto, snapshotOf } from './persist.js';
