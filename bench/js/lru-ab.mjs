// The drop-in `LRUCache` of builds side by side against lru-cache 11, every key shape,
// without and with a ttl (best-of.mjs: the five-phase bench's own processes): ratio to
// lru-cache per phase, from the best of ITERATIONS iterations per process (more than the
// bench's 10: the best of 10 moves by a few percent on a shared machine), median over
// PROCS processes.
//
//   node bench/js/lru-ab.mjs PROCS ITERATIONS DIR...   (DIR: a built checkout, `.` for this one)
import { bestOf } from './best-of.mjs';

const [procs, iterations, ...dirs] = process.argv.slice(2);
if (!(Number(procs) > 0) || !(Number(iterations) > 0) || dirs.length === 0) {
  console.error('usage: node bench/js/lru-ab.mjs PROCS ITERATIONS DIR...');
  process.exit(2);
}
console.log(`LRUCache / lru-cache, best of ${iterations} iterations, median of ${procs} processes`);
console.log('| keys | ttl | build | set | get in order | update | shuffled get | evict |');
console.log('|---|---|---|---:|---:|---:|---:|---:|');
for (const ttl of ['0', '60000']) {
  for (const shape of ['short', 'namespaced', '1KiB']) {
    const ns = bestOf({ impl: 'polycache LRUCache', shape, ttl, procs, iterations, dirs: [...dirs, 'lru-cache'] });
    const lru = Object.values(ns['lru-cache']);
    const when = ttl === '0' ? 'none' : '60 s';
    for (const dir of dirs) {
      const cells = Object.values(ns[dir]).map((x, i) => (lru[i] / x).toFixed(2));
      console.log(`| ${shape} | ${when} | ${dir} | ${cells.join(' | ')} |`);
    }
    console.log(`| ${shape} | ${when} | lru-cache ns | ${lru.map((x) => x.toFixed(1)).join(' | ')} |`);
  }
}
