// One phase of the five-phase bench alone, builds side by side with lru-cache: the set
// phase (10,000 new keys into a fresh cache) or the evict phase (10,000 new keys into a
// full one), short keys, best of 40 iterations per process, the median over PROCS
// processes alternating the builds and lru-cache (ns a write). Cheaper and steadier
// than the whole bench for one phase's A/B (docs/js-speed.md, session 19). `evict2` is
// the evict phase as the five-phase bench meets it: the full cache read in a shuffled
// order first (untimed), so the evictions take the entries in that order, scattered
// through memory, not in the order they were written (docs/js-speed.md, session 23).
//
//   node bench/js/phase-ab.mjs IMPL set|evict|evict2 TTL_MS [''|sized|both] PROCS DIR...
//
// IMPL: polycache or 'polycache LRUCache'; DIR: a built checkout (a package.json and its
// dist/ are enough) or `.` for this one; sized/both bound the caches as worker.mjs does.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeData } from './data.mjs';
import { load } from './impls.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const sizeOf = (_value, key) => 1 + (key.charCodeAt(key.length >> 1) & 3);

/** In a child process: the best ns a write of `phase` over `iterations` fresh caches. */
async function child(name, phase, ttl, mode, iterations) {
  const n = 10_000;
  const { keys, values1, getOrder } = makeData('short', n);
  let make;
  if (mode) {
    const sized = await load(name, sizeOf);
    let weight = 0;
    for (let i = 0; i < n; i++) weight += sizeOf(values1[i], keys[i]);
    make = () => sized(weight, ttl, mode === 'both' ? n : 0);
  } else {
    const plain = await load(name);
    make = () => plain(n, ttl);
  }
  const setAll = (c, from, to) => {
    for (let i = from; i < to; i++) c.set(keys[i], values1[i]);
  };
  let best = Infinity;
  for (let it = 0; it < iterations; it++) {
    const c = make();
    const evict = phase !== 'set';
    if (evict) setAll(c, 0, n);
    if (phase === 'evict2') for (let j = 0; j < n; j++) if (c.get(keys[getOrder[j]]) !== values1[getOrder[j]]) throw new Error('a miss');
    const from = evict ? n : 0;
    const t0 = process.hrtime.bigint();
    setAll(c, from, from + n);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / n);
    // (The event loop turns between iterations, as in worker.mjs: finalizers run.)
    await new Promise((resolve) => setImmediate(resolve));
  }
  return best;
}

const [impl, phase, ttl, mode, procs, ...dirs] = process.argv.slice(2);
if (process.env.PHASE_AB_CHILD) {
  console.log(await child(impl, phase, Number(ttl), mode, 40));
} else {
  if (!['set', 'evict', 'evict2'].includes(phase) || !(Number(procs) > 0) || dirs.length === 0 || !['', 'sized', 'both'].includes(mode)) {
    console.error("usage: node bench/js/phase-ab.mjs IMPL set|evict|evict2 TTL_MS [''|sized|both] PROCS DIR...");
    process.exit(2);
  }
  const runs = Object.fromEntries([...dirs, 'lru-cache'].map((d) => [d, []]));
  for (let p = 0; p < Number(procs); p++) {
    for (const dir of Object.keys(runs)) {
      const lru = dir === 'lru-cache';
      const env = { ...process.env, PHASE_AB_CHILD: '1', POLYCACHE_ROOT: lru || dir === '.' ? root : dir };
      const args = [fileURLToPath(import.meta.url), lru ? 'lru-cache' : impl, phase, ttl, mode];
      runs[dir].push(Number(execFileSync(process.execPath, args, { env, encoding: 'utf8' })));
    }
  }
  const lru = median(runs['lru-cache']);
  console.log(`${impl}, ${phase}, ttl ${ttl}${mode ? `, ${mode}` : ''}: ns a write (best of 40, median of ${procs} processes)`);
  for (const [dir, xs] of Object.entries(runs)) {
    const ns = median(xs);
    console.log(`${dir}: ${ns.toFixed(1)} ns${dir === 'lru-cache' ? '' : `, ${(lru / ns).toFixed(3)}x lru-cache`}`);
  }
}
