// Reading what callers pass: the Cache options, the (kind, amount) pair of a lifetime,
// signing keys, hasher seeds. Values are checked for type here; their rules are the core's.

import { CacheArgumentError, CacheConfigError, CacheTimeoutError } from './errors.js';
import { describe } from './text.js';

// Must match bindings-js/src/ttl.rs.
export const KIND_DEFAULT = 0;
export const KIND_NEVER = 1;
export const KIND_SECONDS = 2;
export const KIND_MILLIS = 3;
export const KIND_DJANGO_DEFAULT = 4;

const MAX_SLOTS = 2 ** 32 - 1;

function bothError() {
  return new CacheTimeoutError('pass ttl (milliseconds, lru-cache rules) or timeout (seconds, Django rules), not both');
}

/**
 * The amount that goes with the kind `ttlKind` returned last: a module variable read
 * through a live binding, so the hot path allocates nothing.
 */
export let amount = 0;

/** `amount`, for the code a bundle of its own holds (lazy-bundle.mjs hands over no `let`). */
export const lastAmount = () => amount;

/** The kind of a lifetime request (`ttl` in ms or `timeout` in s); sets `amount`. */
export function ttlKind(ttl, timeout) {
  amount = 0;
  if (ttl !== undefined) {
    if (timeout !== undefined) throw bothError();
    if (typeof ttl !== 'number') throw new CacheTimeoutError(`ttl must be a number of milliseconds, got ${describe(ttl)}`);
    amount = ttl;
    return KIND_MILLIS;
  }
  if (timeout === undefined) return KIND_DEFAULT;
  if (timeout === null) return KIND_NEVER;
  if (typeof timeout !== 'number') {
    throw new CacheTimeoutError(`timeout must be a number of seconds or null, got ${describe(timeout)}`);
  }
  amount = timeout;
  return KIND_SECONDS;
}

/** The Cache constructor's options, type-checked, with their defaults. */
export function readOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new CacheConfigError(`Cache options must be an object, got ${describe(options)}`);
  }
  const { max, maxSize, sizeCalculation, ttl, timeout, timeouts = 'lru-cache' } = options;
  const { now = Date.now, eviction = 'adaptive', cullFrequency = 3 } = options;
  if (max === undefined && maxSize === undefined) {
    throw new CacheConfigError('a cache needs a bound: set max (entries), maxSize (total size) or both');
  }
  for (const [name, v] of [['max', max], ['maxSize', maxSize]]) {
    if (v !== undefined && typeof v !== 'number') {
      throw new CacheConfigError(`${name} must be a positive integer, got ${describe(v)}`);
    }
  }
  if (sizeCalculation !== undefined && typeof sizeCalculation !== 'function') {
    throw new CacheConfigError(`sizeCalculation must be a function, got ${describe(sizeCalculation)}`);
  }
  if (typeof now !== 'function') throw new CacheConfigError(`now must be a function, got ${describe(now)}`);
  if (eviction !== 'lru' && eviction !== 'cull' && eviction !== 'adaptive') {
    throw new CacheConfigError(`eviction must be 'lru', 'cull' or 'adaptive', got ${describe(eviction)}`);
  }
  if (typeof cullFrequency !== 'number') {
    throw new CacheConfigError(`cullFrequency must be a number, got ${describe(cullFrequency)}`);
  }
  if (timeouts !== 'lru-cache' && timeouts !== 'django') {
    throw new CacheConfigError(`timeouts must be 'lru-cache' or 'django', got ${describe(timeouts)}`);
  }
  let kind = ttlKind(ttl, timeout);
  if (kind === KIND_DEFAULT && timeouts === 'django') kind = KIND_DJANGO_DEFAULT;
  return {
    max: max === undefined ? MAX_SLOTS : max,
    maxSize,
    sizeCalculation,
    now,
    cull: eviction === 'cull' ? cullFrequency : undefined,
    adaptive: eviction === 'adaptive',
    kind,
    amount,
  };
}

// Seeds for the core's keyed hasher of namespace names (wasm32 has no OS randomness),
// drawn once per process, when a Cache's first name comes (cache.js `names`), from its
// random source: the entry point's (Node reads /dev/urandom, which costs a file read
// where the first crypto.getRandomValues loads Node's crypto module, ~2 ms), else
// crypto.getRandomValues. Workers refuse crypto.getRandomValues at module scope; a name
// used there gets seeds from Math.random, which suffices:
// the store hashes slot numbers the Cache allocates, never text an attacker picks
// (namespace names are the application's), and the next cache asks crypto again.
let fill = null;
let drawn = null;

/**
 * The entry point's random source: `fill(Uint32Array)` fills it, or throws, or returns
 * false where no source may be asked now (then the seeds come from Math.random).
 */
export function randomFrom(f) {
  fill = f;
}

export function seeds() {
  if (drawn !== null) return drawn;
  const out = new Uint32Array(8);
  for (const source of [fill, (o) => globalThis.crypto.getRandomValues(o)]) {
    if (source === null) continue;
    try {
      if (source(out) === false) break;
      drawn = out;
      return out;
    } catch {
      // the next source
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(Math.random() * 2 ** 32);
  return out;
}

/**
 * What an entry is charged. With maxSize, a size is a positive integer, as lru-cache
 * demands: a size of 0 (or one the store would round) would let entries past the bound.
 * A `size` that is not one falls back to sizeCalculation, as in lru-cache.
 */
export function charge(maxSize, sizeCalculation, key, value, size) {
  if (maxSize === undefined) {
    if (size === undefined && sizeCalculation !== undefined) size = sizeCalculation(value, key);
    if (size === undefined) return 0;
    if (typeof size !== 'number') throw new CacheArgumentError(`size must be a number, got ${describe(size)}`);
    return size;
  }
  if (Number.isInteger(size) && size > 0) return size;
  if (sizeCalculation === undefined) {
    if (size === undefined) {
      throw new CacheArgumentError('a cache with maxSize needs a size for every entry: pass {size} or set sizeCalculation');
    }
    throw new CacheArgumentError(`size must be a positive integer, got ${describe(size)}`);
  }
  const computed = sizeCalculation(value, key);
  if (Number.isInteger(computed) && computed > 0) return computed;
  throw new CacheArgumentError(`sizeCalculation must return a positive integer, got ${describe(computed)}`);
}
