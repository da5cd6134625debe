// The wasm store alone, two builds in ONE process (their rounds interleaved): a bare
// call, a SlotStore get (lookup and recency), a rewrite of a held slot, a write of a new
// slot into a full store (an eviction), for the LRU and the adaptive policy, and the
// adaptive policy's `next_key` (a new key's text, for its fingerprint) with a short and a
// 1 KiB key. Min ns/op over 15 rounds; 10,000 slots, a shuffled order.
//
//   node bench/js/store-ab.mjs BASE_DIR   (BASE_DIR: a built checkout, as for ab.mjs)
import { readFileSync } from 'node:fs';
import { makeSlotStore } from './child-ab.mjs';
import { fileURLToPath } from 'node:url';

const base = process.argv[2];
if (base === undefined) {
  console.error('usage: node bench/js/store-ab.mjs BASE_DIR');
  process.exit(2);
}
const builds = {};
for (const [tag, dir] of [['base', base], ['this', fileURLToPath(new URL('../..', import.meta.url))]]) {
  const m = await import(`${dir}/dist/polycache_wasm.js?${tag}`);
  m.initSync({ module: readFileSync(`${dir}/dist/polycache_wasm_bg.wasm`) });
  builds[tag] = m;
}
const N = 10_000;
const R = 20;
const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);
const keys = Array.from({ length: 2 * N }, (_, i) => `foo${i}bar`);
const longKeys = Array.from({ length: N }, (_, i) => `foo${i}bar`.padEnd(1024, 'x'));
const best = {};
function time(name, f) {
  const t0 = process.hrtime.bigint();
  f();
  const ns = Number(process.hrtime.bigint() - t0) / (N * R);
  best[name] = Math.min(best[name] ?? Infinity, ns);
}
const each = (f) => () => {
  for (let k = 0; k < R; k++) for (let i = 0; i < N; i++) f(i, k);
};
for (let r = 0; r < 15; r++) {
  for (const [tag, m] of Object.entries(builds)) {
    for (const adaptive of [false, true]) {
      const p = `${tag} ${adaptive ? 'adaptive' : 'lru'}`;
      const s = makeSlotStore(m, N, 0, 0, adaptive);
      for (let i = 0; i < N; i++) s.set(i, 0, 0, 0, 0);
      time(`${p}: call, no work (len)`, each(() => s.len()));
      time(`${p}: get`, each((i) => s.get(order[i], 0)));
      time(`${p}: set, held slot`, each((i) => s.set(order[i], 0, 0, 0, 0)));
      // Slots N..2N-1, then 0..N-1 again: every write evicts.
      time(`${p}: set, new slot (evicts)`, each((i, k) => s.set(i + ((k + 1) % 2) * N, 0, 0, 0, 0)));
      if (adaptive) {
        time(`${p}: next_key(short key)`, each((i) => s.next_key(keys[i])));
        time(`${p}: next_key(1 KiB key)`, each((i) => s.next_key(longKeys[i])));
      }
      s.free();
    }
  }
}
for (const [name, ns] of Object.entries(best).sort()) console.log(`${name.padEnd(44)} ${ns.toFixed(1).padStart(6)} ns/op`);
