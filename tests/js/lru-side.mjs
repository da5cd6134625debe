// Side by side: a scenario runs on the real lru-cache 11 and on polycache's LRUCache,
// each with its own injected clock, and must leave the same record on both. Each
// scenario also states what it expects of the record, so agreement alone (two caches
// wrong the same way, or a scenario that records nothing) cannot pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LRUCache as Real } from 'lru-cache';

// The package's LRUCache (from its sources), or the one of the entry named in
// POLYCACHE_LRU_ENTRY (lru-entry.test.mjs runs these tests on `polycache/lru-cache`).
const { LRUCache: Ours } = await import(process.env.POLYCACHE_LRU_ENTRY || '../../bindings-js/js/node.js');

// The benchmarks' seeded generator: the same draws for both caches.
import { prng } from '../../bench/js/data.mjs';
export { prng as rng };

/** `rng`'s draws (floats in [0, 1)) as whole numbers below 2^32, for `% n`. */
export function ints(seed) {
  const draw = prng(seed);
  return () => Math.floor(draw() * 4294967296);
}

export { Real, Ours };

/** A clock the scenario moves: `perf` for the cache, `advance(ms)` for the scenario. */
export function makeClock(start = 1000) {
  const clock = {
    t: start,
    perf: { now: () => clock.t },
    advance(ms) {
      clock.t += ms;
    },
  };
  return clock;
}

/** What a call did: its value, or the class and message of what it threw. */
export function outcome(fn) {
  try {
    return { ok: fn() };
  } catch (e) {
    return { threw: e.constructor.name, message: e.message };
  }
}

/** The same for a promise. */
export async function settle(p) {
  try {
    return { ok: await p };
  } catch (e) {
    return { rejected: e && e.constructor ? e.constructor.name : typeof e, message: e && e.message };
  }
}

/** Status objects carry the cache itself; abort reasons are fresh Errors on each side. */
export function normalize(x, seen = new Set()) {
  if (x instanceof Real || x instanceof Ours) return '<cache>';
  if (x instanceof Error) return { error: x.constructor.name, message: x.message };
  if (Array.isArray(x)) return x.map((y) => normalize(y, seen));
  if (x && typeof x === 'object' && Object.getPrototypeOf(x) === Object.prototype && !seen.has(x)) {
    seen.add(x);
    const out = {};
    for (const [k, v] of Object.entries(x)) out[k] = normalize(v, seen);
    return out;
  }
  return x;
}

/**
 * Registers a test: `scenario(LRUCache, clock, log)` runs on both; their `log`s must be
 * equal and `expect(log)` must hold.
 */
export function side(name, scenario, expect) {
  // A fetch that never settles is a failure, not a hang.
  test(name, { timeout: 10_000 }, async () => {
    const records = [];
    for (const Cls of [Real, Ours]) {
      const log = [];
      await scenario(Cls, makeClock(), log);
      records.push(normalize(log));
    }
    const [real, ours] = records;
    assert.ok(real.length > 0, 'the scenario recorded nothing');
    assert.deepEqual(ours, real);
    if (expect) expect(real);
  });
}

/** dispose and disposeAfter (and onInsert with `inserts`) recording into `log`. */
export function recorders(log, inserts = false) {
  const r = {
    dispose: (v, k, why) => log.push(['dispose', v, k, why]),
    disposeAfter: (v, k, why) => log.push(['disposeAfter', v, k, why]),
  };
  if (inserts) r.onInsert = (v, k, why) => log.push(['onInsert', v, k, why]);
  return r;
}

/** Lets pending promise callbacks and zero-delay timers run. */
export const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
