// Run by Deno (see deno.mjs): the package imported by name ("polycache" resolves to
// the exports map's `deno` entry), the shared suite, a report on stdout.
import * as lib from 'polycache';
import { parseVectors, runAll } from '../js/suite.mjs';

const read = (name) => Deno.readTextFileSync(new URL(`../vectors/${name}.json`, import.meta.url));
// (Deno's entry starts the stores with 256 pages: bindings-js/js/wasm-room.js.)
const result = runAll(lib, parseVectors({ keys: read('keys'), timeouts: read('timeouts'), eviction: read('eviction') }), 256);
result.entry = import.meta.resolve('polycache');
console.log(JSON.stringify(result));
