// Two builds of polycache and lru-cache in ONE process, rounds interleaved: for each build
// `Cache` with eviction 'lru', `Cache` with 'adaptive' (the JS default) and the drop-in
// `LRUCache`, beside lru-cache 11, min ns/op over the rounds of lru-cache's phases on one
// cache of 10,000 short keys (set, get in a shuffled order, update in that order with new
// values, insert past the bound), without and with a 60 s TTL. Under load one process per
// case (the five-phase bench) moves by tens of percent; rounds interleaved see the same
// machine.
//
//   node bench/js/ab.mjs BASE_DIR [rounds=20]
//
// BASE_DIR: another checkout of the repository with its own `npm run build` done (for
// example `git worktree add .cache/base main`, then `npm run build` in it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { polycacheEntry } from './impls.mjs';

const [base, rounds = '20'] = process.argv.slice(2);
if (base === undefined || !existsSync(join(base, 'package.json'))) {
  console.error('usage: node bench/js/ab.mjs BASE_DIR [rounds]  (BASE_DIR: a built checkout)');
  process.exit(2);
}
process.env.POLYCACHE_ROOT = base;
const A = await import(polycacheEntry());
delete process.env.POLYCACHE_ROOT;
const B = await import(polycacheEntry());
const { LRUCache } = await import('lru-cache');
if (A.Cache === B.Cache) throw new Error('both builds resolved to the same module');

const N = 10_000;
const keys = Array.from({ length: 2 * N }, (_, i) => `foo${i}bar`);
const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);
const opts = (ttl) => (ttl ? { max: N, ttl } : { max: N });
const impls = {};
for (const [tag, m] of [['base', A], ['this', B]]) {
  impls[`${tag} lru`] = (ttl) => new m.Cache({ ...opts(ttl), eviction: 'lru' });
  impls[`${tag} adaptive`] = (ttl) => new m.Cache({ ...opts(ttl), eviction: 'adaptive' });
  impls[`${tag} LRUCache`] = (ttl) => new m.LRUCache(opts(ttl));
}
impls['lru-cache'] = (ttl) => new LRUCache(opts(ttl));
const phases = {
  set: (c) => {
    for (let i = 0; i < N; i++) c.set(keys[i], i);
  },
  get: (c) => {
    let hits = 0;
    for (let j = 0; j < N; j++) if (c.get(keys[order[j]]) === order[j]) hits++;
    if (hits !== N) throw new Error(`get: ${hits} of ${N} hits`);
  },
  // New values, as in the five-phase bench (a same-value write is another path in LRUCache).
  update: (c) => {
    for (let j = 0; j < N; j++) c.set(keys[order[j]], order[j] + N);
  },
  evict: (c) => {
    for (let i = N; i < 2 * N; i++) c.set(keys[i], i);
    // (The adaptive policy may keep the older keys: a run of new ones is a scan to it.)
    if (c.size !== N) throw new Error(`evict: ${c.size} entries held, not ${N}`);
  },
};
const best = {};
for (let r = 0; r < Number(rounds); r++) {
  for (const ttl of [0, 60_000]) {
    for (const [name, make] of Object.entries(impls)) {
      const c = make(ttl);
      for (const [phase, run] of Object.entries(phases)) {
        const t0 = process.hrtime.bigint();
        run(c);
        const ns = Number(process.hrtime.bigint() - t0) / N;
        const row = (best[`${phase}${ttl ? ', ttl' : ''}`] ??= {});
        row[name] = Math.min(row[name] ?? Infinity, ns);
      }
    }
  }
}
const names = Object.keys(impls).filter((n) => n !== 'lru-cache');
console.log(`speed vs lru-cache (its ns / ours), min of ${rounds} interleaved rounds; base: ${base}`);
console.log(`| phase | lru-cache ns | ${names.join(' | ')} |`);
console.log(`|---|---:|${names.map(() => '---:').join('|')}|`);
for (const [phase, v] of Object.entries(best)) {
  const l = v['lru-cache'];
  console.log(`| ${phase} | ${l.toFixed(1)} | ${names.map((n) => `${(l / v[n]).toFixed(2)}x`).join(' | ')} |`);
}
