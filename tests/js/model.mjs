// The model of model.test.mjs: the core's rules for one cache (docs/format.md sections 1-3)
// in plain JS. Entries keep their value and expiry (epoch ms, Infinity = never); the Map's
// order is the recency order, least recently used first. An entry is live while now < expiry.

export const START = 1_700_000_000_000;
export const DEFAULT_TTL = 5000; // the `ttl` option every cache under test gets

// A seeded generator of numbers in [0, 1): the same sequence on every run.
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Skewed reads and writes: `ops` reads of keys `k0`..`k199` (squared: low keys hot), each
 * miss written; the hits as a string of 1s and 0s. tests/e2e/adaptive-load.mjs runs the
 * same in Python, so the two languages' answers compare one by one.
 */
export function skewedReads(cache, seed, ops) {
  const r = rng(seed);
  const hits = [];
  for (let i = 0; i < ops; i++) {
    const key = `k${Math.floor(r() * r() * 200)}`;
    const hit = cache.get(key) !== undefined;
    hits.push(hit ? '1' : '0');
    if (!hit) cache.set(key, i);
  }
  return hits.join('');
}

export class Model {
  /**
   * @param {() => number} now the clock the cache reads too
   * @param {{max?: number, cull?: number}} bound `max` entries; with `cull`, Django's cull
   *   (0: remove every entry) instead of LRU. With at most 4 entries every expired entry
   *   is reclaimed before a live one is evicted (steps 3 and 5), which the model relies on.
   *   `defaultTtl`: the lifetime of a write that names none (ms; Infinity: never expires).
   */
  constructor(now, { max, cull, defaultTtl = DEFAULT_TTL } = {}) {
    this.now = now;
    this.defaultTtl = defaultTtl;
    this.max = max;
    this.cull = cull;
    this.entries = new Map();
    this.generations = new Map();
    this.hits = 0;
    this.misses = 0;
  }

  expiry(options) {
    const now = this.now();
    if (options === undefined) return now + this.defaultTtl;
    if (options.ttl !== undefined) {
      if (options.ttl === 0) return Infinity; // lru-cache: 0 is no TTL
      return options.ttl < 0 ? now - 1 : now + Math.ceil(options.ttl);
    }
    if (options.timeout === null) return Infinity;
    return options.timeout <= 0 ? now - 1 : now + Math.ceil(options.timeout * 1000);
  }

  live(key) {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    if (e.expires <= this.now()) {
      this.entries.delete(key); // expired: as good as gone
      return false;
    }
    return true;
  }

  liveKeys() {
    return [...this.entries.keys()].filter((k) => this.live(k));
  }

  liveKeysMostRecentFirst() {
    return this.liveKeys().reverse();
  }

  #bump(key) {
    const e = this.entries.get(key);
    this.entries.delete(key);
    this.entries.set(key, e);
  }

  get(key) {
    if (!this.live(key)) {
      this.misses += 1;
      return undefined;
    }
    this.hits += 1;
    this.#bump(key);
    return this.entries.get(key).value;
  }

  peek(key) {
    return this.live(key) ? this.entries.get(key).value : undefined;
  }

  set(key, value, options) {
    const expires = this.expiry(options);
    if (expires <= this.now()) {
      this.entries.delete(key);
      return;
    }
    let live = this.liveKeys();
    const replacing = this.entries.delete(key);
    live = live.filter((k) => k !== key);
    if (this.max !== undefined) {
      if (this.cull !== undefined && !replacing && live.length >= this.max) {
        const n = this.cull === 0 ? live.length : Math.max(Math.floor(live.length / this.cull), 1);
        for (const k of live.splice(0, n)) this.entries.delete(k);
      }
      while (live.length >= this.max) this.entries.delete(live.shift());
    }
    this.entries.set(key, { value, expires });
  }

  add(key, value, options) {
    if (this.live(key)) return false;
    this.set(key, value, options);
    return true;
  }

  touch(key, options) {
    if (!this.live(key)) return false;
    this.entries.get(key).expires = this.expiry(options);
    this.#bump(key);
    return true;
  }

  delete(key) {
    const live = this.live(key);
    this.entries.delete(key);
    return live;
  }

  remaining(key) {
    if (!this.live(key)) return 0;
    const { expires } = this.entries.get(key);
    return expires === Infinity ? Infinity : expires - this.now();
  }

  clear() {
    this.entries.clear(); // generations survive clear()
  }

  generation(ns) {
    return this.generations.get(ns) ?? 1;
  }

  invalidate(ns) {
    this.generations.set(ns, this.generation(ns) + 1);
    return this.generation(ns);
  }

  dump() {
    const entries = this.liveKeys().map((k) => [k, { ...this.entries.get(k) }]);
    return { entries, generations: new Map(this.generations) };
  }

  /** Replaces the entries with a dump's (expired ones skipped); generations only rise. */
  load({ entries, generations }) {
    this.entries = new Map(entries.map(([k, e]) => [k, { ...e }]));
    for (const [ns, g] of generations) this.generations.set(ns, Math.max(this.generation(ns), g));
    return this.liveKeys().length;
  }
}
