// Builds of polycache side by side in the five-phase bench's own processes, lru-cache
// beside them (best-of.mjs: the best iteration per process, the median over processes).
// ops/ms.
//
//   node bench/js/worker-ab.mjs IMPL SHAPE[:sized|:both] TTL_MS PROCS DIR... [lru-cache]
//
// `:sized` after the shape: the caches are bounded by size (worker.mjs's `sized`); `:both`
// by size and by count.
// IMPL: polycache or 'polycache LRUCache'; DIR: a built checkout (as for ab.mjs), or `.`
// for this one; `lru-cache` adds lru-cache's own processes.
import { bestOf } from './best-of.mjs';

const [impl, shapeArg, ttl, procs, ...dirs] = process.argv.slice(2);
const [shape, mode = ''] = (shapeArg ?? '').split(':');
if (dirs.length === 0) {
  console.error('usage: node bench/js/worker-ab.mjs IMPL SHAPE[:sized] TTL_MS PROCS DIR... [lru-cache]');
  process.exit(2);
}
const ns = bestOf({ impl, shape, ttl, procs, dirs, mode });
const phases = Object.keys(ns[dirs[0]]);
console.log(`${impl}, ${shape} keys${mode && ` (${mode})`}, ttl ${ttl}: ops/ms (best iteration, median of ${procs} processes)`);
console.log(`| build | ${phases.join(' | ')} |`);
console.log(`|---|${phases.map(() => '---:').join('|')}|`);
const row = (dir) => phases.map((ph) => 1e6 / ns[dir][ph]);
for (const dir of dirs) {
  console.log(`| ${dir} | ${row(dir).map(Math.round).join(' | ')} |`);
}
// Each build against lru-cache in the same run, the figure issue 15 sets a target for.
if (ns['lru-cache'] !== undefined) {
  const lru = row('lru-cache');
  for (const dir of dirs.filter((d) => d !== 'lru-cache')) {
    console.log(`| ${dir} / lru-cache | ${row(dir).map((x, i) => (x / lru[i]).toFixed(2)).join(' | ')} |`);
  }
}
