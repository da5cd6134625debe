// What a load costs: 10,000 entries written back into a fresh cache of 10,000, side by
// side with lru-cache's own `load(dump())` in one process (rounds interleaved, so all see
// the same machine; the median of each). polycache's `Cache` takes its `dump()` and
// its signed `snapshot()` (what a Django app hands the JS at its edge), with the default
// adaptive policy and with LRU; the `LRUCache` drop-in takes lru-cache's dump format.
// The last rows load 20,000 entries into the same cache, which keeps the 10,000 most
// recent (a bounded scratch pass first: persist.js `replace`).
//
//   node bench/js/load.mjs [rounds]      (after make js-build bench-js-env)
import { LRUCache as Peer } from 'lru-cache';
import { polycacheEntry } from './impls.mjs';

const { Cache, LRUCache } = await import(polycacheEntry());
const N = 10_000;
const ROUNDS = Number(process.argv[2] ?? 31);
const KEY = 'a snapshot key of 16+ bytes';
const value = (i) => ({ id: i, name: `user ${i}`, tags: ['a', 'b'] });

function filled(make, n = N) {
  const c = make();
  for (let i = 0; i < n; i++) c.set(`user:${i}:profile`, value(i));
  return c;
}

const sources = {};
for (const eviction of ['adaptive', 'lru']) {
  const full = filled(() => new Cache({ max: N, eviction }));
  sources[eviction] = { dump: full.dump(), snapshot: full.snapshot({ key: KEY }) };
}
const over = filled(() => new Cache({ max: 2 * N }), 2 * N).dump();
const lruDump = filled(() => new LRUCache({ max: N })).dump();
const peerDump = filled(() => new Peer({ max: N })).dump();

// Each case makes its fresh cache inside the timed span, as a cold isolate would.
const cases = {
  'lru-cache load(dump)': () => new Peer({ max: N }).load(peerDump),
  'LRUCache load(dump)': () => new LRUCache({ max: N }).load(lruDump),
  'Cache load(dump)': () => new Cache({ max: N }).load(sources.adaptive.dump),
  'Cache loadSnapshot(signed)': () => new Cache({ max: N }).loadSnapshot(sources.adaptive.snapshot, { key: KEY }),
  "Cache {eviction: 'lru'} load(dump)": () => new Cache({ max: N, eviction: 'lru' }).load(sources.lru.dump),
  "Cache {eviction: 'lru'} loadSnapshot(signed)": () =>
    new Cache({ max: N, eviction: 'lru' }).loadSnapshot(sources.lru.snapshot, { key: KEY }),
  'Cache load(dump of 20,000)': () => new Cache({ max: N }).load(over),
};

const times = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, run] of Object.entries(cases)) {
    const t = performance.now();
    run();
    times[name].push(performance.now() - t);
  }
}
const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
const peer = median(times['lru-cache load(dump)']);
console.log(`${N.toLocaleString('en')} entries into a fresh cache, median of ${ROUNDS} interleaved rounds (Node ${process.version})`);
console.log('| load | ms | x lru-cache |\n|---|---:|---:|');
for (const [name, xs] of Object.entries(times)) {
  const m = median(xs);
  console.log(`| ${name} | ${m.toFixed(2)} | ${(m / peer).toFixed(2)} |`);
}
