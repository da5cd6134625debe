// Runs in Chromium: "polycache" comes from the import map the server writes from the
// exports map's `browser` entry; the vectors are fetched from the same origin.
import * as lib from 'polycache';
import { STORE_PAGES } from '/bindings-js/js/wasm-room.js';
import { parseVectors, runAll } from '/tests/js/suite.mjs';

const read = (name) => fetch(`/tests/vectors/${name}.json`).then((r) => r.text());
try {
  const [keys, timeouts, eviction] = await Promise.all([read('keys'), read('timeouts'), read('eviction')]);
  // (The browser entry starts the stores with room.)
  window.__polycache = runAll(lib, parseVectors({ keys, timeouts, eviction }), STORE_PAGES);
} catch (e) {
  window.__polycache = { passed: 0, failed: 1, failures: [`page: ${e && e.stack ? e.stack : e}`] };
}
