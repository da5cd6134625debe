// What every workerd entry (workerd-*.js) sets up: where the snapshot and key module is,
// imported compiled as Workers require (its glue with it), the random source, and the
// error classes' names.
import codecModule from '../../dist/polycache_codec_bg.wasm';
import {
  SnapshotWriter,
  buildKeyParts,
  initSync,
  keyWarnings,
  makeKey,
  namespacedKey,
  openSnapshot,
  shortenKey,
} from '../../dist/polycache_codec.js';
import { codecFrom } from './codec.js';
import { randomFrom } from './options.js';
import { nameErrors } from './workerd-errors.js';

// What codec.js's callers use of the glue (persist.js, snapshot-values.js, lru-snapshot.js,
// keys.js), by name rather than `import * as`: a Worker's bundle then leaves out the glue's
// asynchronous loader (fetch, instantiateStreaming), which Workers never run.
const codecGlue = { SnapshotWriter, buildKeyParts, initSync, keyWarnings, makeKey, namespacedKey, openSnapshot, shortenKey };

/** Says where the snapshot and key module and the seeds come from; calling it again changes nothing. */
export function setUp() {
  nameErrors();
  codecFrom(() => codecGlue, () => codecModule);
  // Workers refuse crypto.getRandomValues at module scope, where caches are often built,
  // and the Error it throws there costs far more than the call: workerd records a
  // detailed stack trace, so V8 parses the code of every frame again for its source
  // positions, the top-level code of the whole bundle included (14 M instructions a
  // Worker, docs/js-size-and-speed.md). Time stands at 0 at module scope: the seeds come
  // from Math.random there without asking (options.js), and crypto's in a request.
  randomFrom((out) => Date.now() !== 0 && (crypto.getRandomValues(out), true));
}
