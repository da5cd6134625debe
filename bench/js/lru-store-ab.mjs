// The LRUCache's wasm store (bindings-js/src/lru.rs `LruStore`) alone, per replayed
// operation, two or more builds in their own processes (alternated): what its replay of
// the ring costs per queued new slot (into a fresh store, as the five-phase bench's set
// phase queues them) and per hit in slot order (its gets in order). 10,000 slots; ns/op,
// the best round of each process, the median over PROCS processes. store-writes-ab.mjs
// is the same for the `Cache`'s store.
//
//   node bench/js/lru-store-ab.mjs PROCS DIR...   (DIR: a built checkout, `.` for this one)
import { readFileSync } from 'node:fs';
import { main, storeRing } from './child-ab.mjs';

const N = 10_000;
const RING = 512; // must match bindings-js/src/views.rs

async function child(dir) {
  const m = await import(`${dir}/dist/polycache_lrustore.js`);
  m.initSync({ module: readFileSync(`${dir}/dist/polycache_lrustore_bg.wasm`) });
  const seeds = new Uint32Array(8).fill(7);
  // Replays slots 0..N (`op` encodes each as the ring holds it) a ring at a time; ns per
  // operation.
  const replay = (s, op) => {
    let ns = 0n;
    const whole = Math.floor(N / RING) * RING;
    for (let at = 0; at < whole; at += RING) {
      const ring = storeRing(m, s, RING + 1);
      for (let j = 0; j < RING; j++) ring[j + 1] = op(at + j);
      ring[0] = RING;
      const t0 = process.hrtime.bigint();
      s.sync();
      ns += process.hrtime.bigint() - t0;
    }
    for (let i = whole; i < N; i++) if (op(i) < -1) s.set(i, 0, NaN, 0);
    return Number(ns) / whole;
  };
  const best = {};
  const keep = (name, ns) => (best[name] = Math.min(best[name] ?? Infinity, ns));
  for (let r = 0; r < 60; r++) {
    // (Builds before session 21 had a constructor; later ones a maker, without seeds.)
    const s = m.LruStore.make ? m.LruStore.make(N, 0) : new m.LruStore(N, 0, seeds);
    keep('replay: new slot', replay(s, (x) => -(2 * x + 3)));
    keep('replay: hit, in order', replay(s, (x) => x));
    s.free();
  }
  return best;
}

await main(import.meta.url, child, 'node bench/js/lru-store-ab.mjs PROCS DIR...');
