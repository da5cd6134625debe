// Browsers: fetch and compile both wasm modules beside the glue, in parallel; the
// snapshot and key module is instantiated on first use (a browser cannot fetch it
// synchronously then). Bundlers follow the `new URL(..., import.meta.url)` pattern and
// ship the files.
import * as codecGlue from '../../dist/polycache_codec.js';
import init from '../../dist/polycache_wasm.js';
import { extrasFrom } from './cache-extras.js';
import { codecFrom } from './codec.js';
import * as extras from './extras.js';
import { LRUCache } from './lru.js';
import { lruFrom } from './lru-lazy.js';

const compiling = fetch(new URL('../../dist/polycache_codec_bg.wasm', import.meta.url))
  .then((r) => {
    if (!r.ok) throw new Error(`polycache: fetching polycache_codec_bg.wasm failed: ${r.status} ${r.statusText}`);
    return r.arrayBuffer();
  })
  .then((bytes) => WebAssembly.compile(bytes));
const [, codecModule] = await Promise.all([
  init({ module_or_path: new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url) }),
  compiling,
]);
codecFrom(() => codecGlue, () => codecModule);
lruFrom(() => LRUCache);
extrasFrom(() => extras);

export * from './lib.js';
