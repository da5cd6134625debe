// Browsers: fetch and compile the wasm modules beside the glue, in parallel, each with
// room in its memory from the start (wasm-room.js); the LRUCache's store's module and the
// snapshot and key module are instantiated on first use (a browser cannot fetch them
// synchronously then). Bundlers follow the `new URL(..., import.meta.url)` pattern and
// ship the files.
import * as codecGlue from '../../dist/polycache_codec.js';
import { initSync } from '../../dist/polycache_wasm.js';
import { extrasFrom } from './cache-extras.js';
import { codecFrom } from './codec.js';
import * as extras from './extras.js';
import { lruFrom } from './lru-lazy.js';
import { lruWith } from './lru-module.js';
import { CODEC_PAGES, STORE_PAGES, roomy } from './wasm-room.js';

const compile = (url, pages) =>
  fetch(url)
    .then((r) => {
      if (!r.ok) throw new Error(`polycache: fetching ${url} failed: ${r.status} ${r.statusText}`);
      return r.arrayBuffer();
    })
    .then((bytes) => WebAssembly.compile(roomy(new Uint8Array(bytes), pages)));
const [storeModule, codecModule, lruModule] = await Promise.all([
  compile(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url), STORE_PAGES),
  compile(new URL('../../dist/polycache_codec_bg.wasm', import.meta.url), CODEC_PAGES),
  compile(new URL('../../dist/polycache_lrustore_bg.wasm', import.meta.url), STORE_PAGES),
]);
initSync({ module: storeModule });
codecFrom(() => codecGlue, () => codecModule);
lruFrom(() => lruWith(lruModule));
extrasFrom(() => extras);

export * from './lib.js';
