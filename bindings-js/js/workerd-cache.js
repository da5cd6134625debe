// workerd's `Cache`, with `Namespace` and `OpaqueValue`: the store's module, imported
// compiled and instantiated now, and the Cache's extras (dump/load, snapshots, fetch(),
// add/touch/getRemainingTTL/purgeStale), which Workers must import with the package (no
// code is loaded later there). A Worker that imports only `LRUCache` or the key
// functions leaves this file and the store's module out of its bundle (workerd.js).
import wasmModule from '../../dist/polycache_wasm_bg.wasm';
import { SnapshotWriter, openSnapshot } from '../../dist/polycache_codec.js';
import { initSync } from '../../dist/polycache_wasm.js';
import { Cache } from './cache.js';
import { addTo, purgeIn, remainingOf, touchIn } from './cache-rare.js';
import { Fetches } from './fetch.js';
import { named } from './names.js';
import { Namespace } from './namespace.js';
import { dumpOf, loadInto, loadSnapshotInto, snapshotOf } from './persist.js';
import { OpaqueValue } from './values.js';
import { setUp } from './workerd-setup.js';

setUp({ SnapshotWriter, openSnapshot }, { Fetches, dumpOf, loadInto, loadSnapshotInto, snapshotOf, addTo, purgeIn, remainingOf, touchIn });
initSync({ module: wasmModule });
named({ Cache, Namespace, OpaqueValue });

export { Cache, Namespace, OpaqueValue };
