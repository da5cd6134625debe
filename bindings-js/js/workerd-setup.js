// What every workerd entry (workerd-*.js) sets up: where the snapshot and key module is,
// imported compiled as Workers require, the Cache's extras, the random source, and the
// error classes' names.
import codecModule from '../../dist/polycache_codec_bg.wasm';
import { initSync } from '../../dist/polycache_codec.js';
import { extrasFrom } from './cache-extras.js';
import { codecFrom } from './codec.js';
import { randomFrom } from './options.js';
import { nameErrors } from './workerd-errors.js';

// What codec.js's callers use of the module's glue and what cache-extras.js hands out,
// each filled by the parts a Worker imports with what they call (workerd-cache.js: the
// snapshot writer and reader, the dump/load and fetch() code; workerd-keys.js: the key
// functions; workerd-lru.js: the snapshot's), imported by name: a Worker's bundle then
// holds only those (the key functions' code and glue, 2.7 KB minified, only if it
// imports them), and not the glue's asynchronous loader (fetch, instantiateStreaming),
// which Workers never run.
const codecGlue = { initSync };
const extrasOf = {};

/**
 * Adds `glue` (exports of the module's glue) and `extras` (cache-extras.js's) to what a
 * first use finds; says where the module and the seeds come from. Each part calls it
 * once, at import, before anything can use them.
 */
export function setUp(glue = {}, extras = {}) {
  Object.assign(codecGlue, glue);
  Object.assign(extrasOf, extras);
  nameErrors();
  codecFrom(() => codecGlue, () => codecModule);
  extrasFrom(() => extrasOf);
  // Workers refuse crypto.getRandomValues at module scope, where caches are often built,
  // and the Error it throws there costs far more than the call: workerd records a
  // detailed stack trace, so V8 parses the code of every frame again for its source
  // positions, the top-level code of the whole bundle included (14 M instructions a
  // Worker, docs/js-size-and-speed.md). Time stands at 0 at module scope: the seeds come
  // from Math.random there without asking (options.js), and crypto's in a request.
  randomFrom((out) => Date.now() !== 0 && (crypto.getRandomValues(out), true));
}
