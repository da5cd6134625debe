// Cache.fetch(): lru-cache's fetchMethod semantics over a polycache Cache.
//
// A miss (or a stale entry, or forceRefresh) starts one call of the cache's
// `fetchMethod(key, staleValue, { signal, options, context })`; every fetch of the same
// key while it runs gets the same promise, so the method runs once however many callers
// miss together. What it resolves to is stored (with the fetch's ttl/timeout/size);
// `undefined` stores nothing and drops the key. A rejection is never stored: the
// promise rejects, the stale value is dropped (unless `noDeleteOnFetchRejection` or
// `allowStaleOnFetchRejection`, which resolves to the stale value instead), and the
// next fetch calls the method again. A `set()`, `delete()` or `clear()` of the key while
// its fetch runs, or an abort of the caller's `signal`, aborts the fetch's signal: its
// result is not stored and its promise rejects with the abort reason (as in lru-cache).
//
// Stale values: an entry whose lifetime has ended but that the cache still holds
// (polycache, like lru-cache, reclaims expired entries lazily). With `allowStale` a
// fetch of such an entry resolves to the stale value at once while the method refreshes
// it in the background (stale-while-revalidate); without, it waits for the new value.

import { CacheArgumentError } from './errors.js';
import { FLAGS, HELD } from './fetch-options.js';
import { describe } from './text.js';

function storeOptions(options) {
  const out = {};
  if (options.ttl !== undefined) out.ttl = options.ttl;
  if (options.timeout !== undefined) out.timeout = options.timeout;
  if (options.size !== undefined) out.size = options.size;
  return out;
}

export class Fetches {
  #cache;
  #method;
  #defaults;
  #running = new Map(); // key -> { promise, controller, stale }

  constructor(cache, options) {
    this.#cache = cache;
    this.#method = options.fetchMethod;
    this.#defaults = {};
    for (const name of FLAGS) if (options[name] !== undefined) this.#defaults[name] = options[name];
  }

  /** How many fetches are running. */
  get running() {
    return this.#running.size;
  }

  fetch(key, options = {}) {
    if (options === null || typeof options !== 'object') {
      throw new CacheArgumentError(`fetch options must be an object, got ${describe(options)}`);
    }
    const cache = this.#cache;
    if (this.#method === undefined) return Promise.resolve(cache.get(key));
    const opts = { ...this.#defaults, ...options };
    const live = cache.has(key); // also rejects a key that is not a string
    const running = this.#running.get(key);
    if (running !== undefined) {
      // lru-cache: a fetch in flight is shared, forceRefresh or not.
      return opts.allowStale && running.stale !== undefined ? Promise.resolve(running.stale) : running.promise;
    }
    if (live && !opts.forceRefresh) return Promise.resolve(cache.get(key));
    const stale = live ? undefined : cache[HELD](key);
    const record = this.#start(key, stale, opts);
    return opts.allowStale && stale !== undefined ? Promise.resolve(stale) : record.promise;
  }

  /** `set`/`delete` of `key` while its fetch runs: that fetch is superseded. */
  written(key) {
    const running = this.#running.get(key);
    if (running !== undefined) this.#abort(key, running, new Error('polycache: the key was written while its fetch ran'));
  }

  /** `clear()`: every running fetch is superseded. */
  cleared() {
    for (const [key, running] of [...this.#running]) {
      this.#abort(key, running, new Error('polycache: the cache was cleared while the fetch ran'));
    }
  }

  #abort(key, running, reason) {
    if (this.#running.get(key) === running) this.#running.delete(key);
    running.controller.abort(reason);
  }

  #start(key, stale, opts) {
    const controller = new AbortController();
    const { signal } = opts;
    if (signal !== undefined) {
      if (signal.aborted) controller.abort(signal.reason);
      else signal.addEventListener('abort', () => this.#abort(key, record, signal.reason), { signal: controller.signal });
    }
    const record = { promise: undefined, controller, stale };
    this.#running.set(key, record);
    const cache = this.#cache;
    const done = () => {
      const current = this.#running.get(key) === record;
      if (current) this.#running.delete(key);
      return current && !controller.signal.aborted;
    };
    const fail = (error) => {
      const mine = done();
      const keepStale = opts.noDeleteOnFetchRejection || opts.allowStaleOnFetchRejection;
      if (mine && !keepStale && stale !== undefined && !cache.has(key)) cache.delete(key);
      if (opts.allowStaleOnFetchRejection && stale !== undefined) return stale;
      throw error;
    };
    const options = storeOptions(opts);
    record.promise = new Promise((resolve) => {
      resolve(this.#method(key, stale, { signal: controller.signal, options: opts, context: opts.context }));
    }).then((value) => {
      if (controller.signal.aborted) return fail(controller.signal.reason);
      if (done()) {
        if (value === undefined) cache.delete(key);
        else cache.set(key, value, options);
      }
      return value;
    }, fail);
    // Nobody may be awaiting (allowStale returned the stale value): an unhandled
    // rejection must not crash the process; callers that await still see it.
    record.promise.catch(() => {});
    return record;
  }
}
