// What one polycache operation is made of, next to lru-cache: a JS Map lookup, a bare
// call into the wasm store, the store's own slot lookup and recency update, and the
// whole Cache.get / Cache.set, without and with a TTL. Min ns/op of 15 rounds, 10,000
// short keys, shuffled order.
//
//   node bench/js/components.mjs [--json] [rounds=15]   (POLYCACHE_ROOT=dir: another build)
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeSlotStore } from './child-ab.mjs';
import { polycacheEntry } from './impls.mjs';

const entry = polycacheEntry();
const { Cache } = await import(entry);
// The store's wasm-bindgen glue, for a SlotStore of its own. The Node bundle carries its
// own copy of the glue, so this one is instantiated here (initSync returns at once where
// the entry shares the file and has done it).
const dist = new URL('../../dist/', pathToFileURL(`${process.env.POLYCACHE_ROOT ?? fileURLToPath(new URL('../..', import.meta.url))}/bench/js/`));
const { SlotStore, initSync } = await import(new URL('polycache_wasm.js', dist).href);
initSync({ module: readFileSync(new URL('polycache_wasm_bg.wasm', dist)) });
const { LRUCache } = await import('lru-cache');

const json = process.argv.includes('--json');
const ROUNDS = Number(process.argv.filter((a) => a !== '--json')[2] ?? 15);
const N = 10_000;
const R = 100;
const rows = [];
const keys = Array.from({ length: 2 * N }, (_, i) => `foo${i}bar`);
const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);

function bench(name, fn) {
  const xs = [];
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    xs.push(Number(process.hrtime.bigint() - t0) / (N * R));
  }
  const ns = Math.round(Math.min(...xs) * 10) / 10;
  rows.push([name, ns]);
  if (!json) console.log(`  ${name.padEnd(44)} ${ns.toFixed(1).padStart(6)} ns/op`);
}

const store = makeSlotStore({ SlotStore }, N, 0, 0, undefined);
for (let i = 0; i < N; i++) store.set(i, 0, 0, 0, 0);
const map = new Map(keys.slice(0, N).map((k, i) => [k, i]));
const cache = new Cache({ max: N, eviction: 'lru' });
const lru = new LRUCache({ max: N });
const cacheTtl = new Cache({ max: N, ttl: 3_600_000, eviction: 'lru' });
const lruTtl = new LRUCache({ max: N, ttl: 3_600_000 });
for (let i = 0; i < N; i++) {
  cache.set(keys[i], i);
  lru.set(keys[i], i);
  cacheTtl.set(keys[i], i);
  lruTtl.set(keys[i], i);
}
const loop = (f) => () => {
  let s = 0;
  for (let r = 0; r < R; r++) for (let j = 0; j < N; j++) s += f(j);
  return s;
};
if (!json) console.log(`components (${entry})`);
bench('Date.now()', loop(() => Date.now()));
bench('Map.get(key)', loop((j) => map.get(keys[order[j]])));
bench('wasm call, no work: SlotStore.len()', loop(() => store.len()));
bench('wasm slot lookup: SlotStore.has(slot)', loop((j) => store.has(order[j], 0)));
bench('wasm lookup + recency: SlotStore.get(slot)', loop((j) => store.get(order[j], 0)));
bench('wasm update: SlotStore.set(slot)', loop((j) => store.set(order[j], 0, 0, 0, 0)));
bench('polycache Cache.get(key)', loop((j) => cache.get(keys[order[j]])));
bench('lru-cache LRUCache.get(key)', loop((j) => lru.get(keys[order[j]])));
bench('polycache Cache.set(key) (update)', loop((j) => (cache.set(keys[order[j]], j), 0)));
bench('lru-cache LRUCache.set(key) (update)', loop((j) => (lru.set(keys[order[j]], j), 0)));
bench('polycache Cache.get(key), ttl', loop((j) => cacheTtl.get(keys[order[j]])));
bench('lru-cache LRUCache.get(key), ttl', loop((j) => lruTtl.get(keys[order[j]])));
bench('polycache Cache.set(key) (update), ttl', loop((j) => (cacheTtl.set(keys[order[j]], j), 0)));
bench('lru-cache LRUCache.set(key) (update), ttl', loop((j) => (lruTtl.set(keys[order[j]], j), 0)));
if (json) process.stdout.write(`${JSON.stringify({ rounds: ROUNDS, rows })}\n`);
