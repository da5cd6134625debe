// LRUCache's constructor options, checked as lru-cache 11 checks them (same error classes
// and messages), plus what lru-cache lets pass silently: an option name it does not know
// (a typo, or an option of an older lru-cache such as `maxAge`) and a callback that is
// not a function are TypeErrors here, never ignored.

const KNOWN = new Set([
  'max',
  'maxSize',
  'maxEntrySize',
  'sizeCalculation',
  'ttl',
  'ttlResolution',
  'ttlAutopurge',
  'allowStale',
  'updateAgeOnGet',
  'updateAgeOnHas',
  'noUpdateTTL',
  'noDeleteOnStaleGet',
  'dispose',
  'disposeAfter',
  'noDisposeOnSet',
  'onInsert',
  'fetchMethod',
  'memoMethod',
  'ignoreFetchAbort',
  'allowStaleOnFetchAbort',
  'allowStaleOnFetchRejection',
  'noDeleteOnFetchRejection',
  'backgroundFetchSize',
  'perf',
]);

// The store counts sizes and entries in 32 bits (wasm32).
const STORE_LIMIT = 2 ** 32 - 1;

/** lru-cache's test for sizes, ttls and bounds: a finite whole number above 0. */
export const isPosInt = (n) => !!n && n === Math.floor(n) && n > 0 && isFinite(n);

/**
 * The size lru-cache gives an entry: 0 when nothing is sized, else the `size` given,
 * else `fetchSize` for a background fetch (false for any other value), else
 * `sizeCalculation(v, k)`; lru-cache's TypeErrors otherwise.
 */
export function entrySize(sizeTracking, fetchSize, k, v, size, sizeCalculation) {
  if (!sizeTracking) {
    if (size || sizeCalculation) {
      throw new TypeError('cannot set size without setting maxSize or maxEntrySize on cache');
    }
    return 0;
  }
  if (isPosInt(size)) return size;
  if (fetchSize !== false) return fetchSize;
  if (!sizeCalculation) {
    throw new TypeError(
      'invalid size value (must be positive integer). When maxSize or maxEntrySize is used, sizeCalculation or size must be set.',
    );
  }
  if (typeof sizeCalculation !== 'function') throw new TypeError('sizeCalculation must be a function');
  const calculated = sizeCalculation(v, k);
  if (!isPosInt(calculated)) throw new TypeError('sizeCalculation return invalid (expect positive integer)');
  return calculated;
}

const defaultPerf =
  typeof performance === 'object' && performance && typeof performance.now === 'function' ? performance : Date;

function callback(options, name) {
  const f = options[name];
  if (f !== undefined && f !== null && typeof f !== 'function') {
    throw new TypeError(`${name} must be a function if specified`);
  }
  return typeof f === 'function' ? f : undefined;
}

let warnedUnbounded = false;

function warnUnbounded() {
  if (warnedUnbounded) return;
  warnedUnbounded = true;
  const msg = 'TTL caching without ttlAutopurge, max, or maxSize can result in unbounded memory consumption.';
  const proc = typeof process === 'object' && process ? process : undefined;
  if (proc && typeof proc.emitWarning === 'function') proc.emitWarning(msg, 'UnboundedCacheWarning', 'LRU_CACHE_UNBOUNDED');
  else console.error(`[LRU_CACHE_UNBOUNDED] UnboundedCacheWarning: ${msg}`);
}

/** The options as the cache keeps them, with lru-cache's defaults. */
export function readLruOptions(options) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('LRUCache options must be an object');
  }
  for (const name of Object.keys(options)) {
    if (!KNOWN.has(name)) throw new TypeError(`unknown LRUCache option ${JSON.stringify(name)}`);
  }
  const { max = 0, maxSize = 0, maxEntrySize = 0, ttl, ttlResolution = 1, perf } = options;
  const { sizeCalculation, fetchMethod, memoMethod, backgroundFetchSize = 1 } = options;
  if (perf !== undefined && typeof perf?.now !== 'function') {
    throw new TypeError('perf option must have a now() method if specified');
  }
  if (max !== 0 && !isPosInt(max)) throw new TypeError('max option must be a nonnegative integer');
  if (max > STORE_LIMIT) throw new Error(`invalid max value: ${max}`);
  const entryLimit = maxEntrySize || maxSize;
  if (sizeCalculation) {
    if (!maxSize && !entryLimit) {
      throw new TypeError('cannot set sizeCalculation without setting maxSize or maxEntrySize');
    }
    if (typeof sizeCalculation !== 'function') throw new TypeError('sizeCalculation set to non-function');
  }
  if (memoMethod !== undefined && typeof memoMethod !== 'function') {
    throw new TypeError('memoMethod must be a function if defined');
  }
  if (fetchMethod !== undefined && typeof fetchMethod !== 'function') {
    throw new TypeError('fetchMethod must be a function if specified');
  }
  if (entryLimit !== 0) {
    if (maxSize !== 0 && !isPosInt(maxSize)) throw new TypeError('maxSize must be a positive integer if specified');
    if (!isPosInt(entryLimit)) throw new TypeError('maxEntrySize must be a positive integer if specified');
  }
  if (maxSize > STORE_LIMIT) throw new RangeError(`maxSize above ${STORE_LIMIT} is not supported, got ${maxSize}`);
  if (maxSize && entryLimit > maxSize) {
    // lru-cache takes it, then evicts without end when such an entry arrives.
    throw new TypeError('maxEntrySize must not be larger than maxSize');
  }
  if (!isPosInt(backgroundFetchSize)) throw new TypeError('backgroundFetchSize must be a positive integer');
  const ttlOr0 = ttl || 0;
  if (ttlOr0 && !isPosInt(ttlOr0)) throw new TypeError('ttl must be a positive integer if specified');
  if (max === 0 && ttlOr0 === 0 && maxSize === 0) {
    throw new TypeError('At least one of max, maxSize, or ttl is required');
  }
  if (!options.ttlAutopurge && !max && !maxSize) warnUnbounded();
  return {
    max,
    maxSize,
    maxEntrySize: entryLimit,
    sizeTracking: entryLimit !== 0,
    ttl: ttlOr0,
    ttlResolution: isPosInt(ttlResolution) || ttlResolution === 0 ? ttlResolution : 1,
    perf: perf ?? defaultPerf,
    sizeCalculation,
    fetchMethod,
    memoMethod,
    backgroundFetchSize,
    dispose: callback(options, 'dispose'),
    disposeAfter: callback(options, 'disposeAfter'),
    onInsert: callback(options, 'onInsert'),
  };
}

/** The flags lru-cache keeps as public, writable fields of the cache (read at each call). */
export const FLAGS = [
  'ttlAutopurge',
  'updateAgeOnGet',
  'updateAgeOnHas',
  'allowStale',
  'noDisposeOnSet',
  'noUpdateTTL',
  'noDeleteOnFetchRejection',
  'noDeleteOnStaleGet',
  'allowStaleOnFetchAbort',
  'allowStaleOnFetchRejection',
  'ignoreFetchAbort',
];
