// polycache vs the npm LRU caches: lru-cache's five-phase method (set, get, update, get,
// evict; N = 10,000 entries in a cache of 10,000), every implementation in its own Node
// process, on three key shapes, without and with a TTL; then cold start and package size.
// Writes bench/results/js.json (tables for docs/benchmarks.md) and prints the tables.
//
//   node bench/js/run.mjs            full run (5 processes per case, 10 iterations each)
//   node bench/js/run.mjs --smoke    every implementation once, briefly: checks they all run
//   options: --runs R --iterations I --n N --cold C --out FILE --only impl1,impl2
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHAPES } from './data.mjs';
import { coldStartNodes, coldStarts } from './coldstart-nodes.mjs';
import { IMPLS, SIZED } from './impls.mjs';
import { PHASES, PHASE_TITLES, getsLine, markdownTable, printTable, separation, startUpLine, targetLine } from './report.mjs';
import { sizes } from './size.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const BASELINE = 'lru-cache';
const TTL_MS = 60_000;

function parseArgs(argv) {
  const smoke = argv.includes('--smoke');
  const o = {
    smoke,
    runs: smoke ? 1 : 5,
    iterations: smoke ? 3 : 10,
    n: 10_000,
    cold: smoke ? 1 : 15,
    out: join(root, 'bench', 'results', smoke ? 'js-quick.json' : 'js.json'),
    only: Object.keys(IMPLS).filter((k) => !IMPLS[k].coldOnly),
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--runs') o.runs = Number(v);
    else if (a === '--iterations') o.iterations = Number(v);
    else if (a === '--n') o.n = Number(v);
    else if (a === '--cold') o.cold = Number(v);
    else if (a === '--out') o.out = resolve(v);
    else if (a === '--only') o.only = v.split(',');
    else if (a === '--smoke') continue;
    else throw new Error(`unknown option ${a}`);
    i++;
  }
  for (const name of o.only) if (!(name in IMPLS)) throw new Error(`unknown implementation ${name}`);
  if (!o.only.includes(BASELINE)) o.only.unshift(BASELINE);
  return o;
}

const opts = parseArgs(process.argv.slice(2));
const errors = [];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function node(args) {
  const r = spawnSync(process.execPath, args, { cwd: here, encoding: 'utf8', timeout: 300_000 });
  const line = (r.stdout || '').trim().split('\n').pop();
  if (r.status !== 0 || !line) {
    const why = (r.stderr || '').trim().split('\n').slice(-3).join(' | ') || `exit ${r.status} ${r.signal ?? ''}`;
    return { error: why };
  }
  return JSON.parse(line);
}

function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

// --- throughput ---------------------------------------------------------------------
const cases = [];
for (const ttl of [0, TTL_MS]) {
  for (const shape of Object.keys(SHAPES)) {
    for (const impl of opts.only) if (ttl === 0 || IMPLS[impl].ttl) cases.push({ impl, shape, ttl, runs: [], best: [] });
  }
}
// Byte-bounded caches (maxSize, sizeCalculation; worker.mjs `sized`), and bounded by size
// and count at once (`both`): short keys only.
const SIZED_SHAPE = 'short';
// Per mode: its tables' name, and what bounds the caches.
const BOUNDED = {
  sized: ['Byte-bounded', 'maxSize, sizeCalculation of 1-4 per entry, no max'],
  both: ['Bounded by size and count', 'maxSize as above, and max'],
};
for (const mode of Object.keys(BOUNDED)) {
  for (const ttl of [0, TTL_MS]) {
    for (const impl of opts.only) if (SIZED.includes(impl)) cases.push({ impl, shape: SIZED_SHAPE, ttl, mode, runs: [], best: [] });
  }
}
const started = new Date();
const loadBefore = os.loadavg();
const t0 = Date.now();
for (let r = 0; r < opts.runs; r++) {
  // One process per case per run; the runs interleave the implementations, so a burst of
  // load on the machine spreads over all of them rather than landing on one.
  for (const c of cases) {
    const res = node(['worker.mjs', c.impl, c.shape, String(c.ttl), String(opts.n), String(opts.iterations), c.mode ?? '']);
    if (res.error) errors.push(`${c.impl} ${c.shape} ttl=${c.ttl}${c.mode ? ` ${c.mode}` : ''}: ${res.error}`);
    else {
      c.runs.push(res.opsPerMs);
      // The process's best iteration too: other load on a shared machine stretches some
      // iterations of every implementation, and moves a median of few.
      c.best.push(Object.fromEntries(PHASES.map((p) => [p, res.n / Math.min(...res.ms[p])])));
    }
  }
  process.stderr.write(`bench-js: run ${r + 1}/${opts.runs} done (${Math.round((Date.now() - t0) / 1000)} s)\n`);
}
for (const c of cases) {
  c.opsPerMs = {};
  for (const p of PHASES) c.opsPerMs[p] = c.runs.length ? Math.round(median(c.runs.map((x) => x[p]))) : null;
  c.bestOpsPerMs = {};
  for (const p of PHASES) c.bestOpsPerMs[p] = c.best.length ? Math.round(median(c.best.map((x) => x[p]))) : null;
}

// --- cold start -----------------------------------------------------------------------
const coldOnly = Object.keys(IMPLS).filter((k) => IMPLS[k].coldOnly && opts.only.includes(IMPLS[k].samePackageAs));
const coldOrder = ['none', ...opts.only];
// (Each beside its package's rows.)
for (const k of coldOnly) coldOrder.splice(coldOrder.findLastIndex((i) => i.startsWith(IMPLS[k].samePackageAs)) + 1, 0, k);
// Every implementation under this Node; ours and lru-cache under Node 22 and 24, where
// tests/nodes has them (coldstart-nodes.mjs).
const [thisNode, ...lts] = coldStartNodes();
const ltsImpls = ['polycache', 'polycache LRUCache', 'polycache/lru-cache', BASELINE].filter((i) => coldOrder.includes(i));
const { this: coldStart, ...nodesStart } = coldStarts(
  [{ ...thisNode, impls: coldOrder }, ...lts.map((n) => ({ ...n, impls: ltsImpls }))],
  opts.cold,
  errors,
);
function round2(x) {
  return Math.round(x * 100) / 100;
}

// The same inside Cloudflare's runtime (workerd-coldstart.mjs): per Worker, from many.
const workerdStart = node(['workerd-coldstart.mjs', opts.smoke ? '2' : '10', opts.smoke ? '1' : String(Math.max(3, Math.round(opts.cold / 2)))]);
if (workerdStart.error) errors.push(`cold start in workerd: ${workerdStart.error}`);

// --- what one operation costs, piece by piece (polycache's profile, reproducible) -------
// It drives the wasm store's internal API directly, which the package may change at any
// time: a failure here is reported, not counted against the package.
const components = node(['components.mjs', '--json', String(opts.smoke ? 2 : 15)]);
if (components.error) console.error(`bench-js: components skipped (internal API changed?): ${components.error}`);

// --- size -----------------------------------------------------------------------------
let size = {};
try {
  size = sizes();
} catch (e) {
  errors.push(`size: ${e.message}`);
}

// --- tables ---------------------------------------------------------------------------
const tables = [];
// polycache's two APIs, each against lru-cache: the Cache, and the lru-cache drop-in.
const OURS = ['polycache', 'polycache LRUCache'];
const ratioRows = [];
const dropInRows = [];
// The same ratios from each process's best iteration (`bestOpsPerMs`).
const bestRatioRows = [];
const bestDropInRows = [];
// Per cell, whether the processes tell the two apart (report.mjs `separation`).
const separationRows = [];
const dropInSeparationRows = [];
const ratio = (a, b) => (a && b ? round2(a / b) : null);
for (const ttl of [0, TTL_MS]) {
  for (const shape of Object.keys(SHAPES)) {
    const rows = cases.filter((c) => c.ttl === ttl && c.shape === shape && c.mode === undefined);
    if (rows.length === 0) continue;
    const base = rows.find((c) => c.impl === BASELINE);
    const ttlText = ttl ? `ttl ${ttl / 1000} s` : 'no ttl';
    tables.push({
      title: `Throughput, ${shape} keys, ${ttlText} (ops/ms, median; higher is better)`,
      columns: ['implementation', ...PHASES.map((p) => PHASE_TITLES[p])],
      rows: rows.map((c) => [c.impl, ...PHASES.map((p) => c.opsPerMs[p])]),
    });
    for (const [impl, out, bestOut, sepOut] of [
      [OURS[0], ratioRows, bestRatioRows, separationRows],
      [OURS[1], dropInRows, bestDropInRows, dropInSeparationRows],
    ]) {
      const poly = rows.find((c) => c.impl === impl);
      if (!poly || !base) continue;
      out.push([`${shape}, ${ttlText}`, ...PHASES.map((p) => ratio(poly.opsPerMs[p], base.opsPerMs[p]))]);
      bestOut.push([`${shape}, ${ttlText}`, ...PHASES.map((p) => ratio(poly.bestOpsPerMs[p], base.bestOpsPerMs[p]))]);
      sepOut.push([`${shape}, ${ttlText}`, ...PHASES.map((p) => separation(poly.runs.map((x) => x[p]), base.runs.map((x) => x[p])))]);
    }
  }
}
// After the two tables below: the same ratios by each process's best iteration.
const bestTitle = (what) => `${what} / ${BASELINE} by each process's best iteration (median of processes), ops/ms ratio per phase`;
if (bestDropInRows.length > 0) {
  tables.unshift({ title: bestTitle('polycache LRUCache'), columns: ['keys', ...PHASES.map((p) => PHASE_TITLES[p])], rows: bestDropInRows });
}
tables.unshift({ title: bestTitle("polycache Cache (eviction 'lru')"), columns: ['keys', ...PHASES.map((p) => PHASE_TITLES[p])], rows: bestRatioRows });
if (dropInRows.length > 0) {
  tables.unshift({
    title: `polycache LRUCache (the lru-cache drop-in) / ${BASELINE}, ops/ms ratio per phase (target: >= 1.0 everywhere)`,
    columns: ['keys', ...PHASES.map((p) => PHASE_TITLES[p])],
    rows: dropInRows,
  });
}
tables.unshift({
  title: `polycache Cache (eviction 'lru') / ${BASELINE}, ops/ms ratio per phase (target: >= 1.0 everywhere)`,
  columns: ['keys', ...PHASES.map((p) => PHASE_TITLES[p])],
  rows: ratioRows,
});
// The bounded runs: per mode, one table of throughput, and each of ours against lru-cache.
for (const [mode, [name, what]] of Object.entries(BOUNDED)) {
  const sizedCases = cases.filter((c) => c.mode === mode);
  if (!sizedCases.some((c) => c.impl !== BASELINE)) continue;
  const ttlText = (ttl) => (ttl ? `ttl ${ttl / 1000} s` : 'no ttl');
  tables.push({
    title: `Throughput, ${name.toLowerCase()} (${what}), ${SIZED_SHAPE} keys (ops/ms, median; higher is better)`,
    columns: ['implementation', 'ttl', ...PHASES.map((p) => PHASE_TITLES[p])],
    rows: sizedCases.map((c) => [c.impl, ttlText(c.ttl), ...PHASES.map((p) => c.opsPerMs[p])]),
  });
  const ratios = [];
  for (const c of sizedCases) {
    const base = sizedCases.find((b) => b.impl === BASELINE && b.ttl === c.ttl);
    if (c.impl === BASELINE || base === undefined) continue;
    ratios.push([`${c.impl}, ${ttlText(c.ttl)}`, ...PHASES.map((p) => (c.opsPerMs[p] && base.opsPerMs[p] ? round2(c.opsPerMs[p] / base.opsPerMs[p]) : null))]);
  }
  tables.push({
    title: `${name}: polycache / ${BASELINE}, ops/ms ratio per phase (${SIZED_SHAPE} keys)`,
    columns: ['cache', ...PHASES.map((p) => PHASE_TITLES[p])],
    rows: ratios,
  });
}
tables.push({
  title: 'Cold start: process start -> import -> new cache -> set -> first get (ms, median of fresh processes)',
  columns: ['implementation', 'node ready', 'import', 'import to first get (wasm compiled at the first new cache)', 'first get (from process start)'],
  rows: Object.entries(coldStart).map(([impl, v]) => [
    impl === 'none' ? '(node alone)' : impl,
    v.nodeReadyMs,
    impl === 'none' ? null : v.importMs,
    impl === 'none' ? null : v.readyToFirstGetMs,
    impl === 'none' ? null : v.firstGetMs,
  ]),
});
const nodeVersions = Object.keys(nodesStart);
if (nodeVersions.length > 0) {
  const impls = Object.keys(nodesStart[nodeVersions[0]]);
  tables.push({
    title: `Cold start on Node ${nodeVersions.join(' and ')} (the npm registry's Linux x64 builds, tests/nodes): import, and Node ready to a first get (ms, median of ${opts.cold} fresh processes)`,
    columns: ['implementation', ...nodeVersions.flatMap((v) => [`import, Node ${v}`, `to first get, Node ${v}`])],
    rows: impls.map((impl) => [impl, ...nodeVersions.flatMap((v) => [nodesStart[v][impl]?.importMs ?? null, nodesStart[v][impl]?.readyToFirstGetMs ?? null])]),
  });
}
if (!workerdStart.error) {
  tables.push({
    title: `Cold start inside workerd: one Worker's import + first cache (ms; ${workerdStart.workers} Workers per start-up, minus Workers that import nothing; median of ${workerdStart.rounds})`,
    columns: ['implementation', 'per Worker'],
    rows: Object.entries(workerdStart.perWorkerMs),
  });
}
if (!components.error) {
  tables.push({
    title: 'Where the time goes: one operation and its parts (ns/op, best of rounds; 10,000 short keys, shuffled, no TTL)',
    columns: ['operation', 'ns/op'],
    rows: components.rows,
  });
}
tables.push({
  title: 'Package size (bytes): installed by npm, loaded by `import` in Node, and read later on first use of a feature',
  columns: ['implementation', 'version', 'installed files', 'installed raw', 'installed gzip', 'loaded files', 'loaded raw', 'loaded gzip', 'first use gzip'],
  rows: Object.entries(size).map(([impl, v]) => [
    impl,
    v.version,
    v.installed.files,
    v.installed.raw,
    v.installed.gzip,
    v.loaded.files.length,
    v.loaded.raw,
    v.loaded.gzip,
    v.firstUse?.gzip ?? null,
  ]),
});

// --- markdown for bench/report.py (docs/benchmarks.md): report.mjs ------------------------
const m0 = machine();
const summaryMarkdown = [
  ...(opts.smoke
    ? [
        '**Smoke run**: it checks that every implementation loads, runs all phases and answers correctly. ' +
          `With ${opts.iterations} iterations in one process per case its numbers are mostly JIT warm-up: not results.`,
        '',
      ]
    : []),
  `Machine: ${m0.cpu}, ${m0.cores} cores, ${m0.memoryGiB} GiB; Node ${m0.node}; load average ${loadBefore.map(round2).join(' ')} at the start. ` +
    `Command: \`${opts.smoke ? 'make bench-js-smoke' : 'make bench-js'}\` (\`bench/js/run.mjs\`).`,
  '',
  "Method: lru-cache's own five phases on a fresh cache of max N = " +
    `${opts.n} per iteration: set N keys, get them, update them (shuffled order, new values), get them again (another shuffled order), ` +
    'then set N new keys into the full cache (evict). Every implementation runs in its own Node process with the same keys and values ' +
    `(seeded PRNG); ops/ms is N over the median phase time of ${opts.iterations} iterations, and each table cell is the median of ${opts.runs} process${opts.runs === 1 ? '' : 'es'} ` +
    "(in the tables 'by each process's best iteration', N over the process's fastest iteration instead of its median). " +
    `TTL runs give every cache a ${TTL_MS / 1000} s TTL; ${Object.keys(IMPLS).filter((k) => !IMPLS[k].ttl).join(' and ')} have no TTL and are left out of them.`,
  '',
  opts.smoke ? '' : targetLine("polycache (`Cache`, eviction 'lru'; its default, 'adaptive', writes slower: bench/js/policies.mjs)", ratioRows, bestRatioRows, separationRows),
  opts.smoke || dropInRows.length === 0 ? '' : `\n${targetLine('polycache `LRUCache`', dropInRows, bestDropInRows, dropInSeparationRows)}`,
  opts.smoke ? '' : `\n${getsLine(cases, OURS)}`,
  opts.smoke ? '' : `\n${startUpLine(coldStart, workerdStart, BASELINE, nodesStart)}`,
].join('\n');

const result = {
  summary_markdown: summaryMarkdown,
  tables_markdown: tables.map(markdownTable),
  machine: { ...machine(), loadAverageBefore: loadBefore.map(round2) },
  command: opts.smoke ? 'make bench-js-smoke' : 'make bench-js',
  argv: `node ${relative(root, fileURLToPath(import.meta.url))} ${process.argv.slice(2).join(' ')}`.trim(),
  date: started.toISOString(),
  seconds: Math.round((Date.now() - t0) / 1000),
  method: {
    description:
      "lru-cache's benchmark method: per iteration a fresh cache of max N; set N keys; get them in insertion order; " +
      'update them with new values in a shuffled order; get them in another shuffled order; set N new keys into the full cache (evict). ' +
      'ops/ms = N / median phase time over the iterations of one process; the table shows the median over processes.',
    n: opts.n,
    max: opts.n,
    iterations: opts.iterations,
    processesPerCase: opts.runs,
    ttlMs: TTL_MS,
    keyShapes: { short: 'foo123bar', namespaced: 'site:1:books:123?page=4&sort=-year@user%3A5678 (~48 chars)', '1KiB': 'k123: + 1019 random URL-safe chars' },
    values: 'integers, the same for every implementation (seeded PRNG)',
    noTtlSupport: Object.keys(IMPLS).filter((k) => !IMPLS[k].ttl),
    notes: [
      'quick-lru keeps between maxSize and 2 x maxSize entries (two generations of maps); it is given maxSize = N.',
      'mnemonist is loaded as mnemonist/lru-map.js (require): its ESM root re-exports the whole library.',
      "polycache's snapshot and key module (dist/polycache_codec_bg.wasm) is read and compiled on the first snapshot or key function, and LRUCache's code and its store's module " +
        "(dist/polycache_lru.cjs, dist/polycache_lrustore_bg.wasm) on the first LRUCache, not by the import: they are the 'first use' column, apart from what the import loads.",
      'With a TTL, lru-cache and polycache (its default clock) read the time at most once per millisecond of event-loop time ' +
        '(reset by a timer: lru-cache calls it ttlResolution), so a synchronous phase reads it once; tiny-lru and quick-lru read Date.now() on every operation.',
      'The event loop turns between iterations (as between requests), the same for every implementation.',
    ],
  },
  baseline: BASELINE,
  throughput: cases.map(({ impl, shape, ttl, mode = '', opsPerMs, runs }) => ({ impl, shape, ttl, sized: mode !== '', mode, opsPerMs, runs })),
  coldStart,
  workerdStart: workerdStart.error ? null : workerdStart,
  nodesStart,
  components: components.error ? null : components.rows,
  size,
  tables,
  errors,
};
result.machine.loadAverageAfter = os.loadavg().map(round2);

mkdirSync(dirname(opts.out), { recursive: true });
writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);

console.log(`bench-js: ${result.machine.cpu}, ${result.machine.cores} cores, Node ${result.machine.node}; load average ${loadBefore.map(round2).join(' ')} before, ${result.machine.loadAverageAfter.join(' ')} after`);
for (const t of tables) printTable(t);
console.log(`\nwrote ${relative(process.cwd(), opts.out)}`);
if (errors.length > 0) {
  console.error(`\nbench-js: ${errors.length} failure(s):\n  ${errors.join('\n  ')}`);
  process.exit(1);
}
