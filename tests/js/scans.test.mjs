// Gets in the order keys went in: each hit is on the least recently used entry, and the
// store replays a run of them as a rotation of its list (core/src/policy/dense_runs.rs).
// Scans longer than the cache (round the list more than once), broken by other gets,
// misses, writes, deletes and evictions, in runs that end mid-ring: the order, the
// answers and the evictions of lru-cache 11 beside the same calls.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LRUCache as Real } from 'lru-cache';
import { Cache, LRUCache } from 'polycache';
import { rng } from './model.mjs';

const memory = Cache[Symbol.for('polycache.storeMemory')];

for (const [name, make] of [
  ['Cache', (max) => new Cache({ max, eviction: 'lru' })],
  ['LRUCache', (max) => new LRUCache({ max })],
]) {
  test(`scans: ${name}'s gets in insertion order keep lru-cache's order`, () => {
    for (const max of [1, 2, 7, 300]) {
      const r = rng(max + 17);
      const ours = make(max);
      const real = new Real({ max });
      const both = (f) => assert.deepEqual(f(ours), f(real));
      let next = 0;
      for (let step = 0; step < 400; step++) {
        const x = r();
        if (x < 0.5) {
          // A scan from the least recently used, up to two rounds and a bit.
          const from = [...real.rkeys()];
          const len = Math.floor(r() * (2 * from.length + 3));
          for (let j = 0; j < len; j++) {
            const y = r();
            const key = y < 0.05 ? `k${Math.floor(r() * (next + 2))}` : y < 0.08 ? 'absent' : from[j % Math.max(1, from.length)];
            if (key === undefined) continue;
            both((c) => c.get(key));
          }
        } else if (x < 0.8) {
          const key = `k${next++}`;
          ours.set(key, step);
          real.set(key, step);
        } else if (x < 0.9) {
          const key = `k${Math.floor(r() * next)}`;
          ours.set(key, -step);
          real.set(key, -step);
        } else if (x < 0.97) {
          const key = `k${Math.floor(r() * next)}`;
          both((c) => c.delete(key));
        } else memory.grow(1);
        both((c) => [...c.keys()]);
      }
    }
  });
}
