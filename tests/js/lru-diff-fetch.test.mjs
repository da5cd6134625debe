// fetch() side by side with the real lru-cache 11: random sequences of fetches (with
// random options and caller signals), answers and rejections of the fetchMethod's calls,
// aborts, writes, reads and clock moves. After each step the event loop turns once; the
// record holds every fetchMethod call, every settled fetch (with its status object),
// every dispose, and size/calculatedSize/dump(), and must be the same for both caches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ours, Real, normalize, rng, tick } from './lru-side.mjs';

const EPOCH = 1_700_000_000_000;
const clock = { t: 1000, now: () => clock.t };
Date.now = () => EPOCH + Math.floor(clock.t);

const KEYS = ['a', 'b', 'c', 1, 'sync'];
const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
const maybe = (r, p) => r() < p;

function randomOptions(r) {
  const o = { perf: clock, ttlResolution: 0, max: 2 + Math.floor(r() * 3) };
  if (maybe(r, 0.6)) o.ttl = 5 + Math.floor(r() * 20);
  if (maybe(r, 0.3)) {
    o.maxSize = 6;
    o.sizeCalculation = () => 2;
  }
  for (const flag of ['allowStale', 'noDeleteOnFetchRejection', 'allowStaleOnFetchRejection', 'ignoreFetchAbort', 'allowStaleOnFetchAbort', 'noDeleteOnStaleGet', 'updateAgeOnGet']) {
    if (maybe(r, 0.2)) o[flag] = true;
  }
  return o;
}

// A plan is data (drawn once); `run` plays it on one cache class and returns the record.
function plan(r, steps) {
  const out = [];
  for (let i = 0; i < steps; i++) {
    const n = Math.floor(r() * 10);
    const k = pick(r, KEYS);
    if (n <= 2) {
      const o = {};
      for (const flag of ['allowStale', 'forceRefresh', 'noDeleteOnFetchRejection', 'allowStaleOnFetchRejection', 'ignoreFetchAbort', 'allowStaleOnFetchAbort']) {
        if (maybe(r, 0.15)) o[flag] = maybe(r, 0.7);
      }
      if (maybe(r, 0.2)) o.ttl = pick(r, [0, 3, 50]);
      out.push(['fetch', k, o, maybe(r, 0.4), maybe(r, 0.3)]);
    } else if (n === 3) out.push(['resolve', Math.floor(r() * 8), pick(r, ['v1', 'v2', undefined, 'v3'])]);
    else if (n === 4) out.push(['reject', Math.floor(r() * 8)]);
    else if (n === 5) out.push(['abort', Math.floor(r() * 6)]);
    else if (n === 6) out.push([pick(r, ['get', 'peek', 'has', 'delete']), k]);
    else if (n === 7) out.push(['set', k, pick(r, ['s1', 's2'])]);
    else out.push(['advance', pick(r, [1, 4, 10, 30])]);
  }
  return out;
}

async function run(Cls, options, steps) {
  clock.t = 1000;
  const log = [];
  const calls = [];
  const signals = [];
  const cache = new Cls({
    ...options,
    dispose: (v, k, why) => log.push(['dispose', v, k, why]),
    fetchMethod: (k, stale, { signal }) => {
      log.push(['fetchMethod', k, stale]);
      if (k === 'sync') return `sync:${stale}`;
      return new Promise((resolve, reject) => calls.push({ resolve, reject, signal }));
    },
  });
  let fetches = 0;
  for (const [i, step] of steps.entries()) {
    const settled = [];
    const [op, a, b, withSignal, withStatus] = step;
    try {
      if (op === 'fetch') {
        const id = fetches++;
        const o = { ...b };
        if (withSignal) {
          const ac = new AbortController();
          signals.push(ac);
          o.signal = ac.signal;
        }
        const status = withStatus ? {} : undefined;
        if (status) o.status = status;
        cache.fetch(a, o).then(
          (v) => settled.push([id, 'ok', v, status]),
          (e) => settled.push([id, 'rejected', e && e.message, status]),
        );
      } else if (op === 'resolve' || op === 'reject') {
        const call = calls[a % Math.max(1, calls.length)];
        if (call && op === 'resolve') call.resolve(b);
        if (call && op === 'reject') call.reject(new Error(`no ${a}`));
      } else if (op === 'abort') {
        signals[a % Math.max(1, signals.length)]?.abort(new Error(`abort ${a}`));
      } else if (op === 'set') {
        cache.set(a, b);
      } else if (op === 'advance') {
        clock.t += a;
      } else {
        log.push([op, cache[op](a)]);
      }
    } catch (e) {
      log.push(['threw', e.message]);
    }
    await tick();
    settled.sort((x, y) => x[0] - y[0]);
    log.push([i, op, settled, cache.size, cache.calculatedSize, cache.dump()]);
  }
  return normalize(log);
}

test('random fetch sequences: LRUCache settles, stores and disposes as lru-cache 11 does', { timeout: 120_000 }, async () => {
  let compared = 0;
  for (let seed = 1; seed <= 150; seed++) {
    const r = rng(seed);
    const options = randomOptions(r);
    const steps = plan(r, 40);
    const real = await run(Real, options, steps);
    const ours = await run(Ours, options, steps);
    for (let i = 0; i < Math.max(real.length, ours.length); i++) {
      assert.deepEqual(ours[i], real[i], `seed ${seed}, record ${i}, options ${JSON.stringify({ ...options, perf: undefined })}\nsteps: ${JSON.stringify(steps.slice(0, 40))}`);
    }
    compared += real.length;
  }
  assert.ok(compared > 150 * 40);
});
