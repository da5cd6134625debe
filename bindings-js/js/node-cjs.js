// Node, CommonJS: bundled by build.mjs into dist/polycache.cjs, where __dirname is dist/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initSync } from '../../dist/polycache_wasm.js';

initSync({ module: readFileSync(join(__dirname, 'polycache_wasm_bg.wasm')) });

export * from './lib.js';
