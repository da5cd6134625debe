// One implementation, one key shape, in this process only: lru-cache's five-phase
// method (set, get, update, get, evict), repeated ITER times on a fresh cache each time;
// prints one JSON line with the median ops/ms of each phase.
//
//   node worker.mjs <implementation> <shape> <ttl ms, 0 = none> [n=10000] [iterations=10] [sized|both]
//
// `sized`: the cache is bounded by size instead of count (lru-cache's `maxSize` and
// `sizeCalculation`): each entry weighs 1-4 by its key, and maxSize is what the first n
// keys weigh, so the set phase fills it exactly and the evict phase evicts by weight.
// `both`: as `sized`, with `max` n as well (full by count and by size at once: a new
// key takes the least recently used entry's place, and the size bound evicts more).
//
// Every phase checks what it got back (hits, values), outside the timed loops' cost
// only by one comparison per operation, the same for every implementation; a cache that
// answers wrongly makes this process exit 1.
import { makeData } from './data.mjs';
import { load } from './impls.mjs';

const [name, shape, ttlArg = '0', nArg = '10000', iterArg = '10', mode = ''] = process.argv.slice(2);
const ttl = Number(ttlArg);
const n = Number(nArg);
const iterations = Number(iterArg);
const both = mode === 'both';
const sized = mode === 'sized' || both;
if (mode !== '' && !sized) throw new Error(`unknown mode ${mode}: 'sized', 'both' or nothing`);
/** An entry's weight in a sized run: 1-4, from a character of its key. */
const sizeOf = (_value, key) => 1 + (key.charCodeAt(key.length >> 1) & 3);
const PHASES = ['set', 'get1', 'update', 'get2', 'evict'];

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const { keys, values1, values2, updateOrder, getOrder } = makeData(shape, n);
const weigh = (from, to) => {
  let total = 0;
  for (let i = from; i < to; i++) total += sizeOf(values1[i], keys[i]);
  return total;
};
// A cache holding the first `count` keys exactly: bounded by count, or by their weight.
const load1 = await load(name, sized ? sizeOf : undefined);
const make = sized ? (count, t) => load1(weigh(0, count), t, both ? count : 0) : load1;

// lru-cache's correctness check, at a small size: what goes in comes out, and the
// least recently used entry is evicted first.
{
  const s = 50;
  const c = make(s, ttl);
  for (let i = 0; i < s; i++) c.set(keys[i], values1[i]);
  for (let i = 0; i < s; i++) if (c.get(keys[i]) !== values1[i]) fail(`get after set: wrong value for key ${i}`);
  for (let i = s; i < 5 * s; i++) c.set(keys[i], values1[i]);
  if (c.get(keys[0]) !== undefined) fail('eviction: the least recently used key survived 4x max newer ones');
  if (c.get(keys[5 * s - 1]) !== values1[5 * s - 1]) fail('eviction: the newest key is gone');
}

// The timed loops. Each returns a count the caller checks, so no call can be skipped.
function setAll(c, from, to, values) {
  for (let i = from; i < to; i++) c.set(keys[i], values[i]);
  return to - from;
}
function setOrder(c, order, values) {
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    c.set(keys[i], values[i]);
  }
  return order.length;
}
function getAll(c, values) {
  let ok = 0;
  for (let i = 0; i < n; i++) if (c.get(keys[i]) === values[i]) ok++;
  return ok;
}
function getOrdered(c, order, values) {
  let ok = 0;
  for (let j = 0; j < order.length; j++) {
    const i = order[j];
    if (c.get(keys[i]) === values[i]) ok++;
  }
  return ok;
}

const now = () => process.hrtime.bigint();
const ms = (t0, t1) => Number(t1 - t0) / 1e6;
const times = Object.fromEntries(PHASES.map((p) => [p, []]));
for (let it = 0; it < iterations; it++) {
  const c = make(n, ttl);
  let t0 = now();
  setAll(c, 0, n, values1);
  let t1 = now();
  times.set.push(ms(t0, t1));

  t0 = now();
  const got1 = getAll(c, values1);
  t1 = now();
  times.get1.push(ms(t0, t1));
  if (got1 !== n) fail(`get1: ${got1} of ${n} hits with the right value`);

  t0 = now();
  setOrder(c, updateOrder, values2);
  t1 = now();
  times.update.push(ms(t0, t1));

  t0 = now();
  const got2 = getOrdered(c, getOrder, values2);
  t1 = now();
  times.get2.push(ms(t0, t1));
  if (got2 !== n) fail(`get2: ${got2} of ${n} hits with the updated value`);

  t0 = now();
  setAll(c, n, 2 * n, values1);
  t1 = now();
  times.evict.push(ms(t0, t1));
  if (c.get(keys[2 * n - 1]) !== values1[2 * n - 1]) fail('evict: the newest key is missing');
  let kept = 0;
  for (let i = n; i < 2 * n; i++) if (c.get(keys[i]) !== undefined) kept++;
  if (!sized && kept !== n) fail(`evict: ${kept} of the ${n} newest keys held after evicting`);
  // Sized: the most recently used keys that fit are held and no other, the next one
  // would not fit. Most recent last: the first n keys as the second get phase read
  // them, then the n new ones (when the new keys weigh less, some old ones stay).
  if (sized) {
    const recency = [...getOrder, ...Array.from({ length: n }, (_, j) => n + j)];
    const max = weigh(0, n);
    let held = 0;
    let weight = 0;
    // (With `max` n as well, at most n of them.)
    const most = both ? n : recency.length;
    while (held < most && c.get(keys[recency[recency.length - 1 - held]]) !== undefined) {
      weight += sizeOf(values1[recency[recency.length - 1 - held]], keys[recency[recency.length - 1 - held]]);
      held++;
    }
    const next = recency[recency.length - 1 - held];
    const fits = held < most && next !== undefined && weight + sizeOf(values1[next], keys[next]) <= max;
    if (c.size !== held || c.calculatedSize !== weight || weight > max || fits) {
      fail(`evict (sized): ${c.size} keys held weighing ${c.calculatedSize}, not the ${held} most recent that fit in ${max}`);
    }
  }
  // Between iterations the event loop turns, as it does between requests in a server:
  // finalizers run then (polycache's wasm store is freed by one), the same for every cache.
  await new Promise((resolve) => setImmediate(resolve));
}

const opsPerMs = {};
for (const p of PHASES) opsPerMs[p] = Math.round(n / median(times[p]));
process.stdout.write(`${JSON.stringify({ impl: name, shape, ttl, n, iterations, sized, both, opsPerMs, ms: times })}\n`);
