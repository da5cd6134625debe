// Node, ESM: reads the wasm next to the glue and instantiates it synchronously,
// so importing needs no top-level await.
import { readFileSync } from 'node:fs';
import { initSync } from '../../dist/polycache_wasm.js';

initSync({ module: readFileSync(new URL('../../dist/polycache_wasm_bg.wasm', import.meta.url)) });

export * from './lib.js';
