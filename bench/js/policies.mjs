// What the JS Cache's default policy costs: Cache with eviction 'lru' and 'adaptive' beside
// lru-cache, without and with a default TTL (60 s), their rounds interleaved in one
// process (so all see the same machine load), min ns/op over 15 rounds of lru-cache's
// phases on 10,000 short keys: set, get (shuffled), update, insert past the bound (evict).
//
//   node bench/js/policies.mjs [keyLength]   (after `make js-build`; lru-cache from bench/js's
//   npm install; keyLength: keys padded to that many characters, e.g. 1024)
import { polycacheEntry } from './impls.mjs';
const { Cache } = await import(polycacheEntry());
const { LRUCache } = await import('lru-cache');
const N = 10_000;
const keyLength = Number(process.argv[2] ?? 0);
const keys = Array.from({ length: 2 * N }, (_, i) => `foo${i}bar`.padEnd(keyLength, 'x'));
const TTL = 60_000;
const impls = {
  lru: () => new Cache({ max: N, eviction: 'lru' }),
  adaptive: () => new Cache({ max: N, eviction: 'adaptive' }),
  'lru-cache': () => new LRUCache({ max: N }),
  'lru ttl': () => new Cache({ max: N, ttl: TTL, eviction: 'lru' }),
  'adaptive ttl': () => new Cache({ max: N, ttl: TTL, eviction: 'adaptive' }),
  'lru-cache ttl': () => new LRUCache({ max: N, ttl: TTL }),
};
const best = {};
for (let r = 0; r < 15; r++) {
  for (const [name, make] of Object.entries(impls)) {
    const c = make();
    let t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) c.set(keys[i], i);
    const set = Number(process.hrtime.bigint() - t) / N;
    t = process.hrtime.bigint();
    for (let j = 0; j < 5; j++) for (let i = 0; i < N; i++) c.get(keys[(i * 7919) % N]);
    const get = Number(process.hrtime.bigint() - t) / (5 * N);
    t = process.hrtime.bigint();
    for (let i = 0; i < N; i++) c.set(keys[i], i + 1);
    const update = Number(process.hrtime.bigint() - t) / N;
    t = process.hrtime.bigint();
    for (let i = N; i < 2 * N; i++) c.set(keys[i], i);
    const evict = Number(process.hrtime.bigint() - t) / N;
    const b = (best[name] ??= { set: 1e9, get: 1e9, update: 1e9, evict: 1e9 });
    for (const [k, v] of Object.entries({ set, get, update, evict })) b[k] = Math.min(b[k], v);
  }
}
for (const [n, b] of Object.entries(best)) console.log(n.padEnd(14), Object.entries(b).map(([k, v]) => `${k} ${v.toFixed(1)}`).join('  '));
