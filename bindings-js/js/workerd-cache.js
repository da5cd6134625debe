// workerd's `Cache`, with `Namespace` and `OpaqueValue`: the store's module, imported
// compiled and instantiated now, and the Cache's extras (dump/load, snapshots, fetch()),
// which Workers must import with the package (no code is loaded later there). A Worker
// that imports only `LRUCache` or the key functions leaves this file and the store's
// module out of its bundle (workerd.js).
import wasmModule from '../../dist/polycache_wasm_bg.wasm';
import { initSync } from '../../dist/polycache_wasm.js';
import { Cache } from './cache.js';
import { extrasFrom } from './cache-extras.js';
import * as extras from './extras.js';
import { named } from './names.js';
import { Namespace } from './namespace.js';
import { OpaqueValue } from './values.js';
import { setUp } from './workerd-setup.js';

setUp();
initSync({ module: wasmModule });
extrasFrom(() => extras);
named({ Cache, Namespace, OpaqueValue });

export { Cache, Namespace, OpaqueValue };
