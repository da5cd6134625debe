// Both classes bounded by size (worker.mjs `sized`, or `both`: size and count), builds
// side by side against lru-cache 11, short keys, without and with a ttl: ratio to
// lru-cache per phase, the best of ITERATIONS iterations per process, median over PROCS
// processes (best-of.mjs).
//
//   node bench/js/sized-ab.mjs PROCS ITERATIONS MODE DIR...   (MODE: sized or both; DIR: a built checkout, `.` for this one)
import { bestOf } from './best-of.mjs';

const [procs, iterations, mode, ...dirs] = process.argv.slice(2);
if (!(Number(procs) > 0) || !(Number(iterations) > 0) || !['sized', 'both'].includes(mode) || dirs.length === 0) {
  console.error('usage: node bench/js/sized-ab.mjs PROCS ITERATIONS sized|both DIR...');
  process.exit(2);
}
console.log(`${mode}: polycache / lru-cache, best of ${iterations} iterations, median of ${procs} processes, short keys`);
console.log('| class | ttl | build | set | get in order | update | shuffled get | evict |');
console.log('|---|---|---|---:|---:|---:|---:|---:|');
for (const impl of ['polycache', 'polycache LRUCache']) {
  for (const ttl of ['0', '60000']) {
    const ns = bestOf({ impl, shape: 'short', ttl, procs, iterations, dirs: [...dirs, 'lru-cache'], mode });
    const lru = Object.values(ns['lru-cache']);
    const when = ttl === '0' ? 'none' : '60 s';
    const name = impl === 'polycache' ? 'Cache' : 'LRUCache';
    for (const dir of dirs) {
      const cells = Object.values(ns[dir]).map((x, i) => (lru[i] / x).toFixed(2));
      console.log(`| ${name} | ${when} | ${dir} | ${cells.join(' | ')} |`);
    }
    console.log(`| ${name} | ${when} | lru-cache ns | ${lru.map((x) => x.toFixed(1)).join(' | ')} |`);
  }
}
