// `npm run size`: measures what the npm package ships (raw and gzip -9) and writes the
// table into bindings-js/README.md between the size markers. Run after `npm run build`.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bytes = (files) => files.map((f) => readFileSync(join(root, f)));
const raw = (files) => bytes(files).reduce((n, b) => n + b.length, 0);
const gz = (files) => bytes(files).reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0);
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;

const lib = readdirSync(join(root, 'bindings-js/js'))
  .filter((f) => f.endsWith('.js') && f !== 'node-cjs.js')
  .map((f) => `bindings-js/js/${f}`);
const rows = [
  ['store wasm module (`dist/polycache_wasm_bg.wasm`, after wasm-opt -Oz)', ['dist/polycache_wasm_bg.wasm']],
  ['its wasm-bindgen glue (`dist/polycache_wasm.js`, minified; inside the Node bundles)', ['dist/polycache_wasm.js']],
  ['LRUCache\'s store wasm module (`dist/polycache_lrustore_bg.wasm`, read on first use)', ['dist/polycache_lrustore_bg.wasm']],
  ['its wasm-bindgen glue (`dist/polycache_lrustore.js`, minified; inside `dist/polycache_lru.cjs` for Node)', ['dist/polycache_lrustore.js']],
  ['snapshot and key wasm module (`dist/polycache_codec_bg.wasm`, read on first use)', ['dist/polycache_codec_bg.wasm']],
  ['its wasm-bindgen glue (`dist/polycache_codec.js`, minified; `.cjs` for Node, read on first use)', ['dist/polycache_codec.js']],
  ['LRUCache\'s code and its store\'s glue for Node (`dist/polycache_lru.cjs`, minified; read on first use)', ['dist/polycache_lru.cjs']],
  ['the Cache\'s dump/load, snapshots, fetch(), add, touch, getRemainingTTL and purgeStale for Node (`dist/polycache_extras.cjs`, minified; read on first use)', ['dist/polycache_extras.cjs']],
  [`our JS, ESM sources (\`bindings-js/js/*.js\`, ${lib.length} files, all entry points)`, lib],
  ['Node ESM bundle (`dist/polycache.mjs`: the store glue + our JS but LRUCache\'s and the extras, minified)', ['dist/polycache.mjs']],
  ['CommonJS bundle (`dist/polycache.cjs`: the same for `require`)', ['dist/polycache.cjs']],
  ['`polycache/lru-cache` for Node ESM (`dist/polycache.lru-cache.mjs`: LRUCache\'s code and its store\'s glue, minified)', ['dist/polycache.lru-cache.mjs']],
  [
    'workerd\'s entry and its parts (`dist/polycache.workerd*.mjs`: our JS and the three glues, minified; a Worker bundles the parts it imports, the wasm modules beside them)',
    readdirSync(join(root, 'dist')).filter((f) => f.startsWith('polycache.workerd')).map((f) => `dist/${f}`),
  ],
  ['types (`bindings-js/js/index.d.ts`)', ['bindings-js/js/index.d.ts']],
];
const bundle = 'dist/polycache.mjs';
const nodeEsm = ['dist/polycache_wasm_bg.wasm', bundle];
rows.push(['what Node ESM reads at import (the bundle; the store wasm waits for the first `new Cache`)', [bundle]]);
rows.push(['... and after a first `new Cache` (+ the store wasm)', nodeEsm]);
rows.push(['... or after a first `new LRUCache` (+ its code and its store\'s wasm, not the Cache\'s)', [bundle, 'dist/polycache_lru.cjs', 'dist/polycache_lrustore_bg.wasm']]);
rows.push(['what Node ESM reads for `polycache/lru-cache` (its module and its store\'s wasm, both at import)', ['dist/polycache.lru-cache.mjs', 'dist/polycache_lrustore_bg.wasm']]);
rows.push(['... and after a Cache\'s first `dump`, `load`, `fetch`, `add` or `touch` (+ the extras)', [...nodeEsm, 'dist/polycache_extras.cjs']]);
rows.push([
  '... and after a Cache\'s first snapshot, or a key function (+ the extras, the snapshot and key wasm and its glue)',
  [...nodeEsm, 'dist/polycache_extras.cjs', 'dist/polycache_codec_bg.wasm', 'dist/polycache_codec.cjs'],
]);

const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }))[0];
const table = [
  '| part | raw | gzip -9 |',
  '|---|---:|---:|',
  ...rows.map(([name, files]) => `| ${name} | ${kib(raw(files))} | ${kib(gz(files))} |`),
  `| the npm tarball (\`npm pack\`: ${pack.entryCount} files) | ${kib(pack.unpackedSize)} unpacked | ${kib(pack.size)} packed |`,
].join('\n');

const readme = join(root, 'bindings-js/README.md');
const text = readFileSync(readme, 'utf8');
const start = '<!-- size:start -->';
const end = '<!-- size:end -->';
const i = text.indexOf(start);
const j = text.indexOf(end);
if (i < 0 || j < i) throw new Error(`${readme} lacks the ${start} ... ${end} markers`);
const stamp = `Measured by \`npm run size\` (bindings-js/size.mjs) on ${new Date().toISOString().slice(0, 10)}.`;
writeFileSync(readme, `${text.slice(0, i + start.length)}\n${table}\n\n${stamp}\n${text.slice(j)}`);
console.log(table);
