// Two builds of polycache's `Cache` (eviction 'lru', as the five-phase bench makes it)
// and lru-cache 11 in ONE process, rounds interleaved, on lru-cache's five phases (set,
// get, update, shuffled get, evict) with the bench's data (data.mjs) for one key shape
// and ttl. Per phase: ns/op, the best and the median of the rounds, and the ratio to
// lru-cache (its ns / ours) of each. The machine's load moves whole processes; rounds
// interleaved in one see the same machine, and their order rotates.
//
//   [TIMED_AB_SWAP=1] [TIMED_AB_THIS=DIR] node bench/js/timed-ab.mjs BASE_DIR [shape=short] [ttl=60000] [rounds=30] [n=10000]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeData } from './data.mjs';
import { polycacheEntry } from './impls.mjs';

const [base, shape = 'short', ttlArg = '60000', roundsArg = '30', nArg = '10000'] = process.argv.slice(2);
if (base === undefined || !existsSync(join(base, 'package.json'))) {
  console.error('usage: node bench/js/timed-ab.mjs BASE_DIR [shape] [ttl] [rounds] [n]');
  process.exit(2);
}
const ttl = Number(ttlArg);
const n = Number(nArg);
// The module imported second reads a few % slower on gets in an A/A run (the same build
// twice): TIMED_AB_SWAP=1 imports this checkout's first.
const importFrom = async (root) => {
  if (root === undefined) delete process.env.POLYCACHE_ROOT;
  else process.env.POLYCACHE_ROOT = root;
  return import(polycacheEntry());
};
const swap = process.env.TIMED_AB_SWAP === '1';
// TIMED_AB_THIS=DIR: another built checkout in this one's place (an A/A run, or the
// two builds in each other's places).
const self = process.env.TIMED_AB_THIS;
const first = await importFrom(swap ? self : base);
const second = await importFrom(swap ? base : self);
const [A, B] = swap ? [second, first] : [first, second];
const { LRUCache } = await import('lru-cache');
if (A.Cache === B.Cache) throw new Error('both builds resolved to the same module');
const { keys, values1, values2, updateOrder, getOrder } = makeData(shape, n);

const options = ttl > 0 ? { max: n, ttl } : { max: n };
const impls = {
  base: () => new A.Cache({ ...options, eviction: 'lru' }),
  this: () => new B.Cache({ ...options, eviction: 'lru' }),
  'lru-cache': () => new LRUCache(options),
};
// The bench's own loops (worker.mjs), one copy per implementation so that each has its
// own type feedback, as each has its own process in the bench.
const source = `return {
  set(c, from, to, values) { for (let i = from; i < to; i++) c.set(keys[i], values[i]); },
  setOrder(c, order, values) { for (let j = 0; j < order.length; j++) { const i = order[j]; c.set(keys[i], values[i]); } },
  get(c, order, values) { let ok = 0; for (let j = 0; j < order.length; j++) { const i = order[j]; if (c.get(keys[i]) === values[i]) ok++; } return ok; },
}`;
const loops = Object.fromEntries(Object.keys(impls).map((name) => [name, new Function('keys', source)(keys)]));
const inOrder = Array.from({ length: n }, (_, i) => i);
const phases = ['set', 'get', 'update', 'get2', 'evict'];
const clock = () => process.hrtime.bigint();
// Page faults per phase: memory touched for the first time (a store's arrays growing
// into pages no earlier cache freed) costs ~1-3 us a page here, the swing of a phase.
const faultsOf = () => process.resourceUsage().minorPageFault;
const times = Object.fromEntries(Object.keys(impls).map((name) => [name, Object.fromEntries(phases.map((p) => [p, []]))]));
const timed = (name, phase, run) => {
  const f0 = faultsOf();
  const t0 = clock();
  const out = run();
  const t1 = clock();
  times[name][phase].push(Number(t1 - t0) / n);
  faults[name][phase].push(faultsOf() - f0);
  return out;
};
const faults = Object.fromEntries(Object.keys(impls).map((name) => [name, Object.fromEntries(phases.map((p) => [p, []]))]));
const names = Object.keys(impls);
for (let r = 0; r < Number(roundsArg); r++) {
  // The order rotates each round: in one process the first of a round reads faster.
  for (const name of [...names.slice(r % 3), ...names.slice(0, r % 3)]) {
    const make = impls[name];
    const c = make();
    const L = loops[name];
    timed(name, 'set', () => L.set(c, 0, n, values1));
    if (timed(name, 'get', () => L.get(c, inOrder, values1)) !== n) throw new Error(`${name}: get missed`);
    timed(name, 'update', () => L.setOrder(c, updateOrder, values2));
    if (timed(name, 'get2', () => L.get(c, getOrder, values2)) !== n) throw new Error(`${name}: get2 missed`);
    timed(name, 'evict', () => L.set(c, n, 2 * n, values1));
    if (c.size !== n) throw new Error(`${name}: ${c.size} entries after evicting`);
    // The event loop turns between rounds, as between the bench's iterations.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const best = (xs) => Math.min(...xs);
console.log(`${shape} keys, ttl ${ttl}, ${roundsArg} rounds; base ${base}: ns/op best (median); ratio to lru-cache best (median); page faults median`);
console.log(`| phase | lru-cache | base | this | base ratio | this ratio | faults lru-cache/base/this |`);
console.log('|---|---:|---:|---:|---:|---:|---:|');
const impl3 = ['lru-cache', 'base', 'this'];
for (const p of phases) {
  const [l, a, b] = impl3.map((name) => times[name][p]);
  const ns = (xs) => `${best(xs).toFixed(1)} (${median(xs).toFixed(1)})`;
  const ratio = (xs) => `${(best(l) / best(xs)).toFixed(2)} (${(median(l) / median(xs)).toFixed(2)})`;
  console.log(`| ${p} | ${ns(l)} | ${ns(a)} | ${ns(b)} | ${ratio(a)} | ${ratio(b)} | ${impl3.map((name) => median(faults[name][p])).join('/')} |`);
}
if (process.env.TIMED_AB_ALL) {
  for (const name of impl3) console.log(name, 'update ns/faults:', times[name].update.map((x, i) => `${Math.round(x)}/${faults[name].update[i]}`).join(' '));
}
