// Builds of polycache side by side in the five-phase bench's own processes (worker.mjs,
// one process per run, as bench/js/run.mjs runs them), runs alternated, lru-cache beside
// them. Per phase: the best of a process's iterations (on a shared machine some
// iterations of every implementation are stretched 5-10x by other processes, and with
// 10 iterations they move the median), then the median over the processes. ops/ms.
//
//   node bench/js/worker-ab.mjs IMPL SHAPE TTL_MS PROCS DIR... [lru-cache]
//
// IMPL: polycache or 'polycache LRUCache'; DIR: a built checkout (as for ab.mjs), or `.`
// for this one; `lru-cache` adds lru-cache's own processes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [impl, shape, ttl, procs, ...dirs] = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node bench/js/worker-ab.mjs IMPL SHAPE TTL_MS PROCS DIR... [lru-cache]');
  process.exit(2);
}
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const runs = Object.fromEntries(dirs.map((d) => [d, []]));
for (let p = 0; p < Number(procs); p++) {
  for (const dir of dirs) {
    const lru = dir === 'lru-cache';
    const env = { ...process.env, POLYCACHE_ROOT: lru || dir === '.' ? root : dir };
    const out = execFileSync(process.execPath, ['worker.mjs', lru ? 'lru-cache' : impl, shape, ttl], { cwd: here, env, encoding: 'utf8' });
    const { n, ms } = JSON.parse(out);
    runs[dir].push(Object.fromEntries(Object.entries(ms).map(([phase, xs]) => [phase, n / Math.min(...xs)])));
  }
}
const phases = Object.keys(runs[dirs[0]][0]);
console.log(`${impl}, ${shape} keys, ttl ${ttl}: ops/ms (best iteration, median of ${procs} processes)`);
console.log(`| build | ${phases.join(' | ')} |`);
console.log(`|---|${phases.map(() => '---:').join('|')}|`);
const row = (dir) => phases.map((ph) => median(runs[dir].map((r) => r[ph])));
for (const dir of dirs) {
  console.log(`| ${dir} | ${row(dir).map(Math.round).join(' | ')} |`);
}
// Each build against lru-cache in the same run, the figure issue 15 sets a target for.
if (runs['lru-cache'] !== undefined) {
  const lru = row('lru-cache');
  for (const dir of dirs.filter((d) => d !== 'lru-cache')) {
    console.log(`| ${dir} / lru-cache | ${row(dir).map((x, i) => (x / lru[i]).toFixed(2)).join(' | ')} |`);
  }
}
