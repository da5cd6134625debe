// The drop-in `LRUCache` of builds side by side against lru-cache 11, every key shape,
// without and with a ttl, in the five-phase bench's own processes (worker.mjs: set,
// get in insertion order, update, shuffled get, evict; one process per run, runs
// alternated): ratio to lru-cache per phase, from the best of ITERATIONS iterations
// per process (more than the bench's 10: the best of 10 moves by a few percent on a
// shared machine), median over PROCS processes.
//
//   node bench/js/lru-ab.mjs PROCS ITERATIONS DIR...   (DIR: a built checkout, `.` for this one)
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [procs, iterations, ...dirs] = process.argv.slice(2);
if (!(Number(procs) > 0) || !(Number(iterations) > 0) || dirs.length === 0) {
  console.error('usage: node bench/js/lru-ab.mjs PROCS ITERATIONS DIR...');
  process.exit(2);
}
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const runs = [...dirs, 'lru-cache'];
console.log(`LRUCache / lru-cache, best of ${iterations} iterations, median of ${procs} processes`);
console.log('| keys | ttl | build | set | get in order | update | shuffled get | evict |');
console.log('|---|---|---|---:|---:|---:|---:|---:|');
for (const ttl of ['0', '60000']) {
  for (const shape of ['short', 'namespaced', '1KiB']) {
    const ns = Object.fromEntries(runs.map((d) => [d, []]));
    for (let p = 0; p < Number(procs); p++) {
      for (const dir of runs) {
        const lru = dir === 'lru-cache';
        const env = { ...process.env, POLYCACHE_ROOT: lru || dir === '.' ? root : dir };
        const args = ['worker.mjs', lru ? 'lru-cache' : 'polycache LRUCache', shape, ttl, '10000', iterations];
        const { n, ms } = JSON.parse(execFileSync(process.execPath, args, { cwd: here, env, encoding: 'utf8' }));
        ns[dir].push(Object.fromEntries(Object.entries(ms).map(([phase, xs]) => [phase, (1e6 * Math.min(...xs)) / n])));
      }
    }
    const phases = Object.keys(ns['lru-cache'][0]);
    const lru = phases.map((ph) => median(ns['lru-cache'].map((r) => r[ph])));
    for (const dir of dirs) {
      const cells = phases.map((ph, i) => (lru[i] / median(ns[dir].map((r) => r[ph]))).toFixed(2));
      console.log(`| ${shape} | ${ttl === '0' ? 'none' : '60 s'} | ${dir} | ${cells.join(' | ')} |`);
    }
    console.log(`| ${shape} | ${ttl === '0' ? 'none' : '60 s'} | lru-cache ns | ${lru.map((x) => x.toFixed(1)).join(' | ')} |`);
  }
}
