// What worker-ab.mjs and lru-ab.mjs share: builds side by side in the five-phase bench's
// own processes (worker.mjs, one process per run, as bench/js/run.mjs runs them), runs
// alternated. Per phase: the best of a process's iterations (on a shared machine some
// iterations of every implementation are stretched 5-10x by other processes, and they
// move a median of 10), then the median over the processes.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * `{ dir: { phase: ns/op } }` for `impl` (polycache or 'polycache LRUCache') built in each
 * of `dirs` (a built checkout, or `.` for this one; `lru-cache` runs lru-cache's own
 * processes), on `shape` keys with `ttl` ms (0: none), `procs` processes each; `mode`
 * 'sized' bounds the caches by size, 'both' by size and count (worker.mjs).
 */
export function bestOf({ impl, shape, ttl, procs, iterations = '10', dirs, mode = '' }) {
  const runs = Object.fromEntries(dirs.map((d) => [d, []]));
  for (let p = 0; p < Number(procs); p++) {
    for (const dir of dirs) {
      const lru = dir === 'lru-cache';
      const env = { ...process.env, POLYCACHE_ROOT: lru || dir === '.' ? root : dir };
      const args = ['worker.mjs', lru ? 'lru-cache' : impl, shape, String(ttl), '10000', String(iterations), mode];
      const { n, ms } = JSON.parse(execFileSync(process.execPath, args, { cwd: here, env, encoding: 'utf8' }));
      runs[dir].push(Object.fromEntries(Object.entries(ms).map(([phase, xs]) => [phase, (1e6 * Math.min(...xs)) / n])));
    }
  }
  const phases = Object.keys(runs[dirs[0]][0]);
  return Object.fromEntries(dirs.map((d) => [d, Object.fromEntries(phases.map((ph) => [ph, median(runs[d].map((r) => r[ph]))]))]));
}
