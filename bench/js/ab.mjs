// Two builds of polycache and lru-cache in ONE process, their rounds interleaved, so a
// change is measured under the same machine load as what it is compared with (the
// five-phase run starts one process per case, and a busy machine moves those numbers
// by more than most changes do). Min ns/op over the rounds; 10,000 short keys.
//
//   node bench/js/ab.mjs BASE_DIR [rounds=30]
//
// BASE_DIR: another checkout of the repository with its own `npm run build` done (for
// example `git worktree add .cache/base main`, then `npm run build` in it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { polycacheEntry } from './impls.mjs';

const [base, rounds = '30'] = process.argv.slice(2);
if (base === undefined || !existsSync(join(base, 'package.json'))) {
  console.error('usage: node bench/js/ab.mjs BASE_DIR [rounds]  (BASE_DIR: a built checkout)');
  process.exit(2);
}
process.env.POLYCACHE_ROOT = base;
const A = (await import(polycacheEntry())).Cache;
delete process.env.POLYCACHE_ROOT;
const B = (await import(polycacheEntry())).Cache;
const { LRUCache } = await import('lru-cache');
if (A === B) throw new Error('both builds resolved to the same module');

const N = 10_000;
const keys = Array.from({ length: 2 * N }, (_, i) => `foo${i}bar`);
const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);
const impls = {
  // LRU, as lru-cache (the evict phase checks the newest keys stay; 'adaptive' may not).
  base: (ttl) => new A(ttl ? { max: N, ttl, eviction: 'lru' } : { max: N, eviction: 'lru' }),
  this: (ttl) => new B(ttl ? { max: N, ttl, eviction: 'lru' } : { max: N, eviction: 'lru' }),
  'lru-cache': (ttl) => new LRUCache(ttl ? { max: N, ttl } : { max: N }),
};
// lru-cache's phases on one cache: fill, read, rewrite, then insert past the bound.
const phases = {
  set: (c) => {
    for (let i = 0; i < N; i++) c.set(keys[i], i);
    return N;
  },
  get: (c) => {
    let hits = 0;
    for (let j = 0; j < N; j++) if (c.get(keys[order[j]]) === order[j]) hits++;
    if (hits !== N) throw new Error(`get: ${hits} of ${N} hits`);
    return hits;
  },
  update: (c) => {
    for (let j = 0; j < N; j++) c.set(keys[order[j]], order[j]);
    return N;
  },
  evict: (c) => {
    for (let i = N; i < 2 * N; i++) c.set(keys[i], i);
    if (c.get(keys[N]) !== N) throw new Error('evict: the newest keys are missing');
    return N;
  },
};
const best = {};
for (let r = 0; r < Number(rounds); r++) {
  for (const ttl of [0, 60_000]) {
    for (const [name, make] of Object.entries(impls)) {
      const c = make(ttl);
      for (const [phase, run] of Object.entries(phases)) {
        const t0 = process.hrtime.bigint();
        const n = run(c);
        const ns = Number(process.hrtime.bigint() - t0) / n;
        const row = (best[`${phase}${ttl ? ', ttl 60 s' : ''}`] ??= {});
        row[name] = Math.min(row[name] ?? Infinity, ns);
      }
    }
  }
}
console.log(`ns/op, min of ${rounds} interleaved rounds (base: ${base}); speed vs lru-cache = lru-cache ns / polycache ns`);
console.log('| phase | base | this | lru-cache | base vs lru-cache | this vs lru-cache |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const [phase, v] of Object.entries(best)) {
  const l = v['lru-cache'];
  console.log(`| ${phase} | ${v.base.toFixed(1)} | ${v.this.toFixed(1)} | ${l.toFixed(1)} | ${(l / v.base).toFixed(2)}x | ${(l / v.this).toFixed(2)}x |`);
}
