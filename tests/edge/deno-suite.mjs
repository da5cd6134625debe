// Run by Deno (see deno.mjs): the package imported by name ("polycache" resolves to
// the exports map's `deno` entry), the shared suite, a report on stdout.
import * as lib from 'polycache';
import { STORE_PAGES } from '../../bindings-js/js/wasm-room.js';
import { parseVectors, runAll } from '../js/suite.mjs';

const read = (name) => Deno.readTextFileSync(new URL(`../vectors/${name}.json`, import.meta.url));
// (Deno's entry starts the stores with room.)
const result = runAll(lib, parseVectors({ keys: read('keys'), timeouts: read('timeouts'), eviction: read('eviction') }), STORE_PAGES);
result.entry = import.meta.resolve('polycache');
console.log(JSON.stringify(result));
