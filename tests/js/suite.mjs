// The one JS suite, run by every runtime: Node (ESM and CJS), Chromium, workerd, Deno.
// `lib` is the package as that runtime imports it; `vectors` the parsed tests/vectors.
import { apiCases } from './api.mjs';
import { boundsCases } from './bounds.mjs';
import { errorCases } from './errors.mjs';
import { lruCases } from './lru-cases.mjs';
import { snapshotCases } from './snapshots.mjs';
import { vectorCases } from './vectors.mjs';

/**
 * The vectors from their JSON texts. Integers past 2^53 (u64 namespace generations)
 * are read as BigInt, exactly, instead of being rounded by JSON.parse.
 */
export function parseVectors(texts) {
  const exact = (text) =>
    JSON.parse(text.replace(/("generation":\s*)(\d{16,})/g, '$1"$2"'), (k, v) =>
      k === 'generation' && typeof v === 'string' ? BigInt(v) : v,
    );
  const adaptive = texts.adaptive === undefined ? undefined : JSON.parse(texts.adaptive);
  return { keys: exact(texts.keys), timeouts: JSON.parse(texts.timeouts), eviction: JSON.parse(texts.eviction), adaptive };
}

/** `[name, fn]` for every case. */
export function cases(lib, vectors) {
  return [
    ...vectorCases(lib, vectors), ...apiCases(lib), ...errorCases(lib), ...snapshotCases(lib),
    ...boundsCases(lib), ...lruCases(lib),
  ];
}

/**
 * Where the runtime's entry starts the stores' memory with room (`pages`: Deno's and
 * browsers'; Node's has tests/js/wasm-room.test.mjs): the `Cache`'s store has at least
 * that much, and a cache written a thousand times leaves its ArrayBuffer as it was.
 */
function roomCase(lib, pages) {
  return [
    `the store starts with room: ${pages} pages, used before growing`,
    () => {
      const memory = lib.Cache[Symbol.for('polycache.storeMemory')];
      const cache = new lib.Cache({ max: 1000 });
      const buffer = memory.buffer;
      if (buffer.byteLength < pages * 65536) throw new Error(`${buffer.byteLength / 65536} pages`);
      for (let i = 0; i < 2000; i++) cache.set(`k${i}`, i);
      if (memory.buffer !== buffer) throw new Error('the memory grew: its ArrayBuffer was detached');
    },
  ];
}

/**
 * Runs every case; `{passed, failed, failures}` (for runtimes without node:test).
 * `room`: the pages the runtime's entry starts the stores with, if it gives them room.
 */
export function runAll(lib, vectors, room) {
  let passed = 0;
  const failures = [];
  for (const [name, fn] of [...cases(lib, vectors), ...(room ? [roomCase(lib, room)] : [])]) {
    try {
      fn();
      passed++;
    } catch (e) {
      failures.push(`${name}: ${e && e.stack ? e.stack : e}`);
    }
  }
  return { passed, failed: failures.length, failures };
}
