// Why the five-phase bench (one process per implementation) reads polycache's gets well
// below ab.mjs (every implementation in one process). Three readings, 10,000 keys of a
// shape from data.mjs, the worker's get loops (keys in insertion order, then shuffled):
//   1. each implementation alone in its own process (as bench/js/run.mjs runs them);
//   2. all of them in one process, the same loop functions called on each (as ab.mjs);
//   3. the wasm store's replay of the ring alone: 512 hits written into the ring view,
//      then one `sync()`, per hit, in insertion and in shuffled slot order.
// Medians of the rounds (ns/op); PROCS processes per alone-reading.
//
//   node bench/js/get-gap.mjs [shape=short] [procs=3]     (POLYCACHE_ROOT=dir: another build)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeSlotStore, storeRing } from './child-ab.mjs';
import { makeData } from './data.mjs';
import { load, polycacheEntry } from './impls.mjs';

const NAMES = ['polycache', 'polycache LRUCache', 'lru-cache'];
const N = 10_000;
const ROUNDS = 15;
const [mode, ...rest] = process.argv.slice(2);
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

// The get loops of worker.mjs, one copy shared by whatever implementations run here.
async function gets(names, shape) {
  const { keys, values1, values2, updateOrder, getOrder } = makeData(shape, N);
  const makes = await Promise.all(names.map((n) => load(n)));
  const getAll = (c, values) => {
    let ok = 0;
    for (let i = 0; i < N; i++) if (c.get(keys[i]) === values[i]) ok++;
    return ok;
  };
  const getOrdered = (c, order, values) => {
    let ok = 0;
    for (let j = 0; j < N; j++) {
      const i = order[j];
      if (c.get(keys[i]) === values[i]) ok++;
    }
    return ok;
  };
  const ns = (f) => {
    const t0 = process.hrtime.bigint();
    if (f() !== N) throw new Error('a get missed');
    return Number(process.hrtime.bigint() - t0) / N;
  };
  const out = Object.fromEntries(names.map((n) => [n, { inOrder: [], shuffled: [] }]));
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const c = makes[k](N, 0);
      for (let i = 0; i < N; i++) c.set(keys[i], values1[i]);
      out[names[k]].inOrder.push(ns(() => getAll(c, values1)));
      for (let j = 0; j < N; j++) c.set(keys[updateOrder[j]], values2[updateOrder[j]]);
      out[names[k]].shuffled.push(ns(() => getOrdered(c, getOrder, values2)));
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  return Object.fromEntries(names.map((n) => [n, { inOrder: median(out[n].inOrder), shuffled: median(out[n].shuffled) }]));
}

// The store's replay of hits, without JS around it: the ring filled through its view.
async function replay() {
  const root = process.env.POLYCACHE_ROOT ?? fileURLToPath(new URL('../..', import.meta.url));
  const m = await import(`${root}/dist/polycache_wasm.js`);
  m.initSync({ module: readFileSync(`${root}/dist/polycache_wasm_bg.wasm`) });
  const RING = 512;
  const s = makeSlotStore(m, N, 0, 0, false);
  for (let i = 0; i < N; i++) s.set(i, 0, 0, 0, 0);
  const shuffled = makeData('short', N).getOrder;
  const res = {};
  for (const [name, order] of [['inOrder', Array.from({ length: N }, (_, i) => i)], ['shuffled', shuffled]]) {
    const xs = [];
    for (let r = 0; r < ROUNDS; r++) {
      let total = 0n;
      for (let at = 0; at + RING <= N; at += RING) {
        const ring = storeRing(m, s, RING + 1);
        for (let j = 0; j < RING; j++) ring[j + 1] = order[at + j];
        ring[0] = RING;
        const t0 = process.hrtime.bigint();
        s.sync();
        total += process.hrtime.bigint() - t0;
      }
      xs.push(Number(total) / (Math.floor(N / RING) * RING));
    }
    res[name] = median(xs);
  }
  return res;
}

if (mode === '--child') {
  const [shape, ...names] = rest;
  process.stdout.write(JSON.stringify(await gets(names, shape)));
} else {
  const [shape = 'short', procs = '3'] = process.argv.slice(2);
  const self = fileURLToPath(import.meta.url);
  const child = (names) => JSON.parse(execFileSync(process.execPath, [self, '--child', shape, ...names], { encoding: 'utf8' }));
  const alone = Object.fromEntries(NAMES.map((n) => [n, { inOrder: [], shuffled: [] }]));
  const together = Object.fromEntries(NAMES.map((n) => [n, { inOrder: [], shuffled: [] }]));
  for (let p = 0; p < Number(procs); p++) {
    for (const n of NAMES) {
      const r = child([n])[n];
      alone[n].inOrder.push(r.inOrder);
      alone[n].shuffled.push(r.shuffled);
    }
    const all = child(NAMES);
    for (const n of NAMES) {
      together[n].inOrder.push(all[n].inOrder);
      together[n].shuffled.push(all[n].shuffled);
    }
  }
  console.log(`get ns/op, ${shape} keys, no TTL, median of ${procs} processes (${polycacheEntry()})`);
  console.log('| implementation | alone, in order | alone, shuffled | one process, in order | one process, shuffled |');
  console.log('|---|---:|---:|---:|---:|');
  for (const n of NAMES) {
    const cells = [alone[n].inOrder, alone[n].shuffled, together[n].inOrder, together[n].shuffled].map((xs) => median(xs).toFixed(1));
    console.log(`| ${n} | ${cells.join(' | ')} |`);
  }
  const r = await replay();
  console.log(`the store's replay of one hit (sync of a full ring): in order ${r.inOrder.toFixed(1)} ns, shuffled ${r.shuffled.toFixed(1)} ns`);
}
