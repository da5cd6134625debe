// The `Cache`'s wasm store alone, per operation, two or more builds in their own processes
// (alternated): what the store's replay of the ring costs per queued operation (a new
// slot into a fresh store, a hit in slot order and shuffled, an update), and the calls a
// timed cache makes (a new slot below the bound, a held slot written again, a new slot
// into a full store). 10,000 slots; ns/op, the best round of each process, the median
// over PROCS processes.
//
//   node bench/js/store-writes-ab.mjs PROCS DIR...   (DIR: a built checkout, `.` for this one)
import { readFileSync } from 'node:fs';
import { main, makeSlotStore, storeRing } from './child-ab.mjs';
import { makeData } from './data.mjs';

const N = 10_000;
const RING = 512; // must match bindings-js/src/views.rs
const KIND_DEFAULT = 0;
const KIND_MILLIS = 3;

async function child(dir) {
  const m = await import(`${dir}/dist/polycache_wasm.js`);
  m.initSync({ module: readFileSync(`${dir}/dist/polycache_wasm_bg.wasm`) });
  const shuffled = makeData('short', N).getOrder;
  const inOrder = Array.from({ length: N }, (_, i) => i);
  const now = Date.now();
  const store = (ttl) => makeSlotStore(m, N, ttl ? KIND_MILLIS : KIND_DEFAULT, ttl, false);
  // Replays `order` (encoded as the ring holds it) a ring at a time; ns per operation.
  const replay = (s, order, op) => {
    let ns = 0n;
    const whole = Math.floor(N / RING) * RING;
    for (let at = 0; at < whole; at += RING) {
      const ring = storeRing(m, s, RING + 1);
      for (let j = 0; j < RING; j++) ring[j + 1] = op(order[at + j]);
      ring[0] = RING;
      const t0 = process.hrtime.bigint();
      s.sync();
      ns += process.hrtime.bigint() - t0;
    }
    for (let i = whole; i < N; i++) if (op(i) < -1) s.set(i, 0, KIND_DEFAULT, 0, 0);
    return Number(ns) / whole;
  };
  const each = (f) => {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) f(i);
    return Number(process.hrtime.bigint() - t0) / N;
  };
  const best = {};
  const keep = (name, ns) => (best[name] = Math.min(best[name] ?? Infinity, ns));
  for (let r = 0; r < 60; r++) {
    let s = store(0);
    keep('replay: new slot', replay(s, inOrder, (x) => -(2 * x + 3)));
    keep('replay: hit, in order', replay(s, inOrder, (x) => x));
    keep('replay: update, shuffled', replay(s, shuffled, (x) => -(2 * x + 2)));
    keep('replay: hit, shuffled', replay(s, shuffled, (x) => x));
    s.free();
    s = store(60_000);
    keep('ttl: set, new slot', each((i) => s.set(i, 0, KIND_DEFAULT, 0, now)));
    keep('ttl: set, held slot', each((i) => s.set(shuffled[i], 0, KIND_DEFAULT, 0, now + 1)));
    keep('ttl: recycle_until (evicts)', each(() => s.recycle_until(KIND_DEFAULT, 0, now + 2)));
    s.free();
  }
  return best;
}

await main(import.meta.url, child, 'node bench/js/store-writes-ab.mjs PROCS DIR...');
