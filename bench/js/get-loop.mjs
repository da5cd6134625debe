// One get, the smallest measure: a cache of 10,000 short keys (data.mjs), filled once,
// read in insertion order 60 times per process; the best pass's ns a get. Builds side by
// side, fresh processes alternating, the median (and the spread) over PROCS processes.
// Steadier than the five-phase bench for a nanosecond of the get's own code.
//
//   node bench/js/get-loop.mjs IMPL PROCS DIR... [lru-cache] [mnemonist LRUMap]
//
// IMPL: polycache or 'polycache LRUCache'; DIR: a built checkout, `.` for this one; a
// peer's name adds its own processes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeData } from './data.mjs';
import { IMPLS, load } from './impls.mjs';

const N = 10_000;
const PASSES = 60;

async function child(name, root) {
  if (root !== '') process.env.POLYCACHE_ROOT = root;
  const { keys, values1 } = makeData('short', N);
  const c = (await load(name))(N, 0);
  for (let i = 0; i < N; i++) c.set(keys[i], values1[i]);
  let best = Infinity;
  let ok = 0;
  for (let p = 0; p < PASSES; p++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) if (c.get(keys[i]) === values1[i]) ok++;
    best = Math.min(best, performance.now() - t0);
  }
  if (ok !== N * PASSES) throw new Error(`${name}: ${ok} of ${N * PASSES} gets returned the value set`);
  process.stdout.write(String((best * 1e6) / N));
}

const [impl, procs, ...rest] = process.argv.slice(2);
if (impl === '--child') {
  await child(procs, rest[0]);
} else {
  const dirs = rest.filter((d) => !(d in IMPLS));
  const peers = rest.filter((d) => d in IMPLS);
  if (!(impl in IMPLS) || !(Number(procs) > 0) || dirs.length === 0) {
    console.error('usage: node bench/js/get-loop.mjs IMPL PROCS DIR... [lru-cache] [mnemonist LRUMap]');
    process.exit(2);
  }
  const script = fileURLToPath(import.meta.url);
  const runs = [...dirs.map((d) => [d, impl, d === '.' ? '' : d]), ...peers.map((p) => [p, p, ''])];
  const ns = new Map(runs.map(([label]) => [label, []]));
  for (let i = 0; i < Number(procs); i++) {
    for (const [label, name, root] of runs) {
      ns.get(label).push(Number(execFileSync(process.execPath, [script, '--child', name, root], { encoding: 'utf8' })));
    }
  }
  console.log(`${impl}: ns a get, in-order pass of ${N} short keys (best of ${PASSES} passes; median [min-max] of ${procs} processes)`);
  for (const [label, xs] of ns) {
    xs.sort((a, b) => a - b);
    console.log(`${label}: ${xs[xs.length >> 1].toFixed(2)} [${xs[0].toFixed(2)}-${xs.at(-1).toFixed(2)}]`);
  }
}
