// LRUCache against lru-cache 11 on the paths that skip its general code: a get or set
// with no options answered from the store's views (lru.js `get`,
// lru-entries.js `quickSet`), and the cases that must leave them: a clock
// reading no longer in use (ttlResolution's timer), an entry past its fresh-until time,
// a lifetime given after the views were opened untimed, the cache's flags changed
// between calls, object values and fetches in flight.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ours, Real, rng } from './lru-side.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// One clock for both caches, moved by the test; every step runs on both at the same time.
let now = 1000;
const perf = { now: () => now };
// dump()'s starts are Date.now() less an age: one wall clock for both caches.
const EPOCH = 1_700_000_000_000;
Date.now = () => EPOCH + Math.floor(now);

function pair(options) {
  const real = new Real({ perf, ...options });
  const ours = new Ours({ perf, ...options });
  const same = (f, what) => assert.deepEqual(f(ours), f(real), what);
  return { real, ours, same };
}

test('gets without options under a clock reading kept for ttlResolution: stale exactly when lru-cache says', async () => {
  // ttlResolution 2: a reading is reused until a timer clears it, so between the sleeps
  // below every get compares the entries' fresh-until times with one reading, and after
  // them with a new one; the clock moves past entries' lifetimes in both stretches.
  for (const flags of [{}, { allowStale: true }, { noDeleteOnStaleGet: true }, { updateAgeOnGet: true }]) {
    const r = rng(31);
    now = 1000;
    const { ours, real, same } = pair({ max: 40, ttl: 15, ttlResolution: 2, ...flags });
    const tag = JSON.stringify(flags);
    let stale = 0;
    for (let i = 0; i < 2400; i++) {
      const k = `q${Math.floor(r() * 50)}`;
      if (r() < 0.75) {
        // (peek and has neither move nor restart an entry; both read the clock as get does.)
        const [wasStale, realStale] = [ours, real].map((c) => c.peek(k, { allowStale: true }) !== undefined && !c.has(k));
        assert.equal(wasStale, realStale, `stale ${k} at ${i}, ${tag}`);
        same((c) => c.get(k), `get ${k} at ${i}, ${tag}`);
        if (wasStale) stale++;
      } else {
        same((c) => c.set(k, i) === c, `set ${k} at ${i}, ${tag}`);
      }
      now += r() * 0.8;
      if (i % 97 === 0) await sleep(4);
      if (i % 200 === 0) same((c) => [[...c.keys()], c.size, c.getRemainingTTL(k)], `order at ${i}, ${tag}`);
    }
    same((c) => [[...c.entries()], ...[...c.keys()].map((k) => c.getRemainingTTL(k))], `at the end, ${tag}`);
    assert.ok(stale > 20, `${stale} stale entries read, ${tag}`);
  }
});

test('updateAgeOnGet switched on after gets took the quick path restarts lifetimes from then on', async () => {
  now = 1000;
  const { ours, real, same } = pair({ max: 10, ttl: 10, ttlResolution: 1 });
  for (const c of [ours, real]) c.set('a', 1).set('b', 2);
  now += 6;
  await sleep(3);
  same((c) => [c.get('a'), c.get('b'), c.getRemainingTTL('a')], 'fresh, ages kept');
  for (const c of [ours, real]) c.updateAgeOnGet = true;
  same((c) => [c.get('a'), c.getRemainingTTL('a'), c.getRemainingTTL('b')], 'a restarted at the reading in use');
  now += 6;
  await sleep(3);
  // b is 12 old, a 6 since its restart.
  same((c) => [c.get('a'), c.get('b'), c.size], 'b stale and gone, a held');
  assert.deepEqual([ours.get('a'), ours.has('b')], [1, false]);
  for (const c of [ours, real]) c.updateAgeOnGet = false;
  now += 6;
  await sleep(3);
  same((c) => [c.get('a'), c.getRemainingTTL('a')], 'no restart any more');
  now += 6;
  await sleep(3);
  same((c) => [c.get('a'), c.size], 'a stale');
  assert.equal(ours.size, 0);
});

test('a ttl given after untimed gets opened the views: the timed entry goes stale, the others never', () => {
  // updateAgeOnGet: untimed gets skip its restart (it changes nothing before the first
  // lifetime), timed ones make it; a cache with no max keeps the starts of entries held
  // before then apart (dump shows them).
  const sized = { maxSize: 50, sizeCalculation: () => 1 };
  for (const options of [{ max: 20 }, { max: 20, updateAgeOnGet: true }, { ...sized, updateAgeOnGet: true }]) {
    const tag = JSON.stringify(options);
    now = 1000;
    const { ours, same } = pair({ ttlResolution: 0, ...options });
    for (let i = 0; i < 15; i++) same((c) => c.set(`u${i}`, i) === c, `set u${i}, ${tag}`);
    // Untimed gets answered from the views.
    for (let round = 0; round < 3; round++) for (let i = 0; i < 15; i++) same((c) => c.get(`u${i}`), `get u${i}, ${tag}`);
    now += 2;
    same((c) => c.set('t', 'timed', { ttl: 5 }) === c, `first lifetime, ${tag}`);
    same((c) => [c.get('t'), c.get('u3'), c.dump()], `both fresh, ${tag}`);
    now += 4;
    same((c) => [c.get('t'), c.getRemainingTTL('t')], `t restarted or not, ${tag}`);
    now += 4;
    same((c) => [c.get('u3'), c.get('t'), c.get('t'), c.size, [...c.keys()], c.dump()], `t stale or restarted, u3 never, ${tag}`);
    assert.equal(ours.has('t'), !!options.updateAgeOnGet, tag);
    // Option-less writes from now on carry the cache's ttl (none): untimed.
    same((c) => c.set('u3', 'again') === c && c.getRemainingTTL('u3'), `rewrite, ${tag}`);
    now += 1e6;
    same((c) => [[...c.entries()], c.dump()], `untimed entries live on, ${tag}`);
  }
});

test('object values and fetches in flight leave the quick path; other objects take it', async () => {
  now = 1000;
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const fetchMethod = async (k, stale) => {
    await gate;
    return { k, was: stale };
  };
  const { ours, real, same } = pair({ max: 5, ttl: 10, ttlResolution: 3, allowStale: true, fetchMethod });
  const obj = { v: 1 };
  for (const c of [ours, real]) c.set('o', obj).set('f', 'old');
  same((c) => [c.get('o') === obj, c.get('f')], 'fresh objects and strings');
  now += 11;
  await sleep(5);
  const pending = [ours, real].map((c) => c.fetch('f'));
  // The entry is now a fetch in flight holding the stale value: a get shows that value.
  same((c) => [c.get('f'), c.get('o'), c.size], 'stale value through the fetch, o stale');
  release();
  const [a, b] = await Promise.all(pending);
  assert.deepEqual(a, b);
  same((c) => [c.get('f'), c.size, [...c.keys()]], 'fetched');
});

test('timed option-less rewrites (age and move written through the views) keep lru-cache 11 lifetimes and order', async () => {
  for (const ttlResolution of [0, 1]) {
    const r = rng(53 + ttlResolution);
    now = 1000.25;
    const { ours, real, same } = pair({ max: 30, ttl: 20, ttlResolution });
    const tag = `ttlResolution ${ttlResolution}`;
    let rewrites = 0;
    for (let i = 0; i < 3000; i++) {
      const k = `w${Math.floor(r() * 40)}`;
      const x = r();
      if (x < 0.5) {
        // Values from a small pool: some rewrites keep the value they replace.
        const v = Math.floor(r() * 3);
        // (has reads the clock as lru-cache's does: asked of both.)
        const [held, realHeld] = [ours, real].map((c) => c.has(k));
        assert.equal(held, realHeld, `has ${k} at ${i}, ${tag}`);
        if (held) rewrites++;
        same((c) => c.set(k, v) === c, `set ${k} at ${i}, ${tag}`);
      } else if (x < 0.9) {
        same((c) => c.get(k), `get ${k} at ${i}, ${tag}`);
      } else {
        same((c) => [c.peek(k), c.getRemainingTTL(k), c.has(k)], `peek ${k} at ${i}, ${tag}`);
      }
      // Fractions of a millisecond: ends land between the store's margin and the end.
      now += r() < 0.05 ? 20 : r() * 0.7;
      if (ttlResolution && i % 89 === 0) await sleep(3);
      if (i % 150 === 0) same((c) => [[...c.keys()], [...c.keys()].map((key) => c.getRemainingTTL(key))], `order at ${i}, ${tag}`);
    }
    same((c) => [[...c.rentries()], c.size], `at the end, ${tag}`);
    assert.ok(rewrites > 200, `${rewrites} rewrites of held keys, ${tag}`);
  }
});

test('a rewrite exactly at and just past the end of its new lifetime', () => {
  now = 1000.1;
  const { ours, same } = pair({ max: 5, ttl: 7, ttlResolution: 0 });
  same((c) => c.set('a', 1) === c, 'first write');
  now += 3.3;
  same((c) => c.set('a', 2) === c && c.set('b', 2) === c && c.set('b', 2) === c, 'rewrites, a new value and the same');
  const end = now + 7;
  now = end;
  same((c) => [c.get('a'), c.get('b'), c.getRemainingTTL('a')], 'at the end: fresh');
  now = end + 1e-9;
  same((c) => [c.get('a'), c.get('b'), c.size], 'just past: stale');
  assert.equal(ours.size, 0);
});

test('lifetimes the views leave to the store: ttl changed on the cache, a clock that reads 0', () => {
  now = 1000;
  const { ours, same } = pair({ max: 8, ttl: 10, ttlResolution: 0 });
  same((c) => c.set('held', 0) === c && c.set('held', 0) === c && c.set('x', 1) === c, 'held with a ttl');
  for (const ttl of [Infinity, -1, 0.25, 1e308, 10]) {
    same((c) => {
      c.ttl = ttl;
      return c.set('held', ttl) === c && c.set('x', 2) === c && c.getRemainingTTL('held');
    }, `rewrite with ttl ${ttl}`);
    now += 0.5;
    same((c) => [c.get('held'), c.get('x'), c.getRemainingTTL('x')], `after 0.5 ms, ttl ${ttl}`);
  }
  now = 0;
  same((c) => c.set('held', 'at zero') === c && c.getRemainingTTL('held'), 'a start of 0: untimed, as lru-cache stores it');
  now = 1e9;
  same((c) => [c.get('held'), [...c.keys()]], 'never stale');
  assert.equal(ours.get('held'), 'at zero');
});

test('new keys below the bound with a ttl (queued, their age written through the views), slots freed and taken again', () => {
  now = 500.5;
  const { ours, same } = pair({ max: 50, ttl: 10, ttlResolution: 0 });
  const r = rng(77);
  for (let i = 0; i < 400; i++) {
    const k = `n${Math.floor(r() * 45)}`;
    const x = r();
    if (x < 0.55) same((c) => c.set(k, i) === c, `set ${k} at ${i}`);
    else if (x < 0.7) same((c) => c.delete(k), `delete ${k} at ${i}`);
    else same((c) => [c.get(k), c.getRemainingTTL(k)], `get ${k} at ${i}`);
    now += r() * 0.9;
    if (i % 50 === 0) same((c) => [[...c.keys()], c.dump().map(([key, e]) => [key, e.ttl, e.start])], `order and lifetimes at ${i}`);
  }
  for (const ttl of [-1, 3]) {
    same((c) => {
      c.ttl = ttl;
      return c.set(`t${ttl}`, ttl) === c && c.getRemainingTTL(`t${ttl}`);
    }, `a new key with ttl ${ttl}`);
  }
  now += 3.5;
  same((c) => [[...c.entries()], c.size, c.has('t-1'), c.has('t3')], 'at the end');
  assert.ok(ours.size > 20);
});

test('new keys into a full timed cache (the store recycles its least recently used slot) get their own purge timers', async () => {
  now = 1000;
  const { ours, same } = pair({ max: 3, ttl: 5, ttlAutopurge: true, ttlResolution: 0 });
  // Long lifetimes first (the cache's field, read at each set as lru-cache reads it).
  same((c) => {
    c.ttl = 1000;
    return ['a', 'b', 'c'].map((k) => c.set(k, k) === c);
  }, 'a, b, c for 1000 ms');
  now += 2;
  // Two evictions: d and e take a's and b's slots, for 5 ms; a's and b's timers go.
  same((c) => {
    c.ttl = 5;
    return c.set('d', 'd') === c && c.set('e', 'e') === c && [...c.keys()];
  }, 'evictions');
  same((c) => [c.getRemainingTTL('d'), c.getRemainingTTL('c')], 'lifetimes');
  now += 6;
  await sleep(15);
  // d's and e's timers (due after 6 ms) have fired: both purged, c lives on.
  same((c) => [[...c.keys()], c.size], 'd and e purged by their timers');
  assert.deepEqual([...ours.keys()], ['c']);
});

test('gets while another cache grows the store memory (every view detached) keep lru-cache 11 order', () => {
  // Every LRUCache shares one wasm memory: another cache's new slots grow it, which
  // detaches this cache's views with hits still in its ring. A get then finds the ring
  // unreadable (lru.js `get`), opens the views again and records its hit.
  for (const options of [{ max: 300 }, { max: 300, ttl: 1e6 }]) {
    const tag = JSON.stringify(options);
    now = 1000;
    const r = rng(53);
    const { ours, same } = pair({ ttlResolution: 0, ...options });
    const big = new Ours({ max: 1 << 22 });
    let held = 0;
    for (let i = 0; i < 300; i++) same((c) => c.set(`d${i}`, i) === c, `set d${i}, ${tag}`);
    for (let round = 0; round < 6; round++) {
      // Fewer gets than the ring holds (512): some are still queued when the memory grows.
      for (let i = 0; i < 200; i++) {
        const k = `d${Math.floor(r() * 300)}`;
        same((c) => c.get(k), `get ${k} in round ${round}, ${tag}`);
      }
      for (let i = 0; i < 60_000; i++) big.set(held++, i);
      same((c) => [c.get('d7'), c.get('d150')], `first gets after the growth, round ${round}, ${tag}`);
      for (let i = 0; i < 3; i++) same((c) => c.set(`n${round}-${i}`, i) === c, `evictions, round ${round}, ${tag}`);
      same((c) => [...c.keys()], `order after round ${round}, ${tag}`);
    }
    assert.equal(big.size, 360_000);
    assert.equal(ours.size, 300);
  }
});

test('untimed gets of keys whose value is a fetch in flight (a new key, a forced refresh) leave the quick path', async () => {
  // No lifetime, so nothing stale sends these gets off the quick path: only the value
  // being a background fetch does (lru.js `get`, `anyFetch` and `fetchRecord`).
  let release;
  const gate = new Promise((resolve) => {
    release = resolve;
  });
  const fetchMethod = async (k, stale) => {
    await gate;
    return `${k} fetched over ${stale}`;
  };
  for (const allowStale of [false, true]) {
    const { ours, real, same } = pair({ max: 5, allowStale, fetchMethod });
    for (const c of [ours, real]) c.set('held', 'old').set('plain', { v: 1 });
    same((c) => [c.get('held'), c.get('plain').v], `before any fetch, allowStale ${allowStale}`);
    const pending = [ours, real].map((c) => [c.fetch('new'), c.fetch('held', { forceRefresh: true })]);
    same((c) => [c.get('new'), c.get('held'), c.get('plain').v, c.size], `in flight, allowStale ${allowStale}`);
    release();
    const [a, b] = await Promise.all(pending.map((p) => Promise.all(p)));
    assert.deepEqual(a, b);
    same((c) => [c.get('new'), c.get('held'), [...c.keys()]], `fetched, allowStale ${allowStale}`);
  }
});
