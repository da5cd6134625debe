// What a fresh cache costs when many are made in one synchronous loop (as worker.mjs
// makes one per iteration): the wasm memory a cache takes when made, given back only
// once its finalizer runs after the task, and the full (major) GCs V8 runs meanwhile.
//
//   node --expose-gc fresh-caches.mjs    (from bench/js, after make js-build)
//
// Prints, for `Cache` and `LRUCache`: wasm bytes per small cache made in one loop, and
// whether the next loop (after a GC and a turn of the event loop) reuses them; then, for
// polycache and lru-cache side by side, the Mark-Compact GCs (counted in V8's --trace-gc
// output of a child process: a PerformanceObserver of 'gc' entries missed most of them)
// while filling 100 fresh 10,000-entry caches bounded by count, by size, and by both.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { load } from './impls.mjs';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const MEMORY = Symbol.for('polycache.storeMemory');

async function smallCaches(name) {
  const cls = await load(name);
  const Class = cls(10, 0).constructor;
  const memory = Class[MEMORY];
  const bytes = () => memory.buffer.byteLength;
  const loop = () => {
    for (let i = 0; i < 20_000; i++) cls(10, 0).set('a', 1);
  };
  const before = bytes();
  loop();
  const grown = bytes();
  globalThis.gc();
  await tick();
  loop();
  const again = bytes();
  console.log(`${name}: 20,000 caches of max 10 in one loop: wasm memory ${before} -> ${grown} B` +
    ` (${Math.round((grown - before) / 20_000)} B per cache); 20,000 more after a GC and a tick: ${again} B`);
}

const n = 10_000;
const keys = Array.from({ length: n }, (_, i) => `k${((i * 2654435761) >>> 0).toString(36)}`);
const sizeOf = (_value, key) => 1 + (key.charCodeAt(key.length >> 1) & 3);
const weight = keys.reduce((sum, k) => sum + sizeOf(undefined, k), 0);

async function fill(name, mode) {
  const make = await load(name, mode === 'count' ? undefined : sizeOf);
  const fresh = mode === 'count' ? () => make(n, 0) : () => make(weight, 0, mode === 'both' ? n : 0);
  const t0 = performance.now();
  for (let r = 0; r < 100; r++) {
    const c = fresh();
    for (let i = 0; i < n; i++) c.set(keys[i], i);
  }
  console.log(`mean ${Math.round(((performance.now() - t0) * 1e6) / (100 * n))}`);
}

const [, , step, name, mode] = process.argv;
if (step === 'fill') {
  await fill(name, mode);
} else {
  await smallCaches('polycache');
  await smallCaches('polycache LRUCache');
  for (const m of ['count', 'sized', 'both']) {
    for (const impl of ['polycache LRUCache', 'lru-cache']) {
      const out = execFileSync(process.execPath, ['--trace-gc', fileURLToPath(import.meta.url), 'fill', impl, m], { encoding: 'utf8' });
      const majors = out.split('\n').filter((l) => l.includes('Mark-Compact')).length;
      const ns = /mean (\d+)/.exec(out)[1];
      console.log(`${m.padEnd(5)} ${impl.padEnd(18)} 100 fresh fills: ${majors} Mark-Compact GCs, ${ns} ns per set (mean)`);
    }
  }
}
