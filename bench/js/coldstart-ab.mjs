// Cold start of two builds side by side: `node bench/js/coldstart-ab.mjs BASE_DIR [n=21]`
// runs coldstart.mjs in fresh processes, alternating the build at BASE_DIR (a checkout
// with its own `npm run build`), this build (each for `Cache` and `LRUCache`) and
// lru-cache, n processes each, and prints the medians (and minimums) of the import and of
// the first get, in ms after Node is ready (as `make bench-js` counts them). Alternating
// lets each see the same machine: under load one process moves by tens of percent.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMPLS } from './impls.mjs';

const [base, n = '21'] = process.argv.slice(2);
if (base === undefined || !existsSync(join(base, 'package.json'))) {
  console.error('usage: node bench/js/coldstart-ab.mjs BASE_DIR [n]  (BASE_DIR: a built checkout)');
  process.exit(2);
}
const script = fileURLToPath(new URL('coldstart.mjs', import.meta.url));
const CASES = [
  ['base Cache', 'polycache', base],
  ['this Cache', 'polycache', null],
  ['base LRUCache', 'polycache LRUCache', base],
  ['this LRUCache', 'polycache LRUCache', null],
  // (The drop-in's own entry, where the build has one: polycache/lru-cache.)
  ...(existsSync(join(base, 'dist/polycache.lru-cache.mjs')) ? [['base polycache/lru-cache', 'polycache/lru-cache', base]] : []),
  ['this polycache/lru-cache', 'polycache/lru-cache', null],
  ['lru-cache', 'lru-cache', null],
];

const times = new Map(CASES.map(([name]) => [name, { imported: [], firstGet: [] }]));
for (let i = 0; i < Number(n); i++) {
  for (const [name, impl, root] of CASES) {
    // ('' for this checkout, whatever POLYCACHE_ROOT says.)
    const specifier = IMPLS[impl].specifier(root ?? '');
    const r = JSON.parse(execFileSync(process.execPath, [script, impl, specifier], { encoding: 'utf8' }));
    times.get(name).imported.push(r.imported - r.nodeReady);
    times.get(name).firstGet.push(r.firstGet - r.nodeReady);
  }
}

const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const ms = (a) => `${median(a).toFixed(2)} (${Math.min(...a).toFixed(2)})`;
console.log(`| ms after Node is ready, median (min) of ${n} | import | to the first get |`);
console.log('|---|---:|---:|');
for (const [name, t] of times) console.log(`| ${name} | ${ms(t.imported)} | ${ms(t.firstGet)} |`);
