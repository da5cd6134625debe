// Every error polycache throws is one of these classes. Core errors arrive from wasm
// as `polycache:<Code>:<message>`; `fromWasm` maps each code to its class, once.

/** A key that is not a string, or that holds a lone UTF-16 surrogate. */
export class CacheKeyError extends TypeError {
  constructor(message) {
    super(message);
    this.name = 'CacheKeyError';
  }
}

/** A cache option out of range: `max` of 0 or below, a negative `maxSize`... */
export class CacheConfigError extends RangeError {
  constructor(message) {
    super(message);
    this.name = 'CacheConfigError';
  }
}

/** A `ttl` or `timeout` that names no time (NaN, not a number). */
export class CacheTimeoutError extends RangeError {
  constructor(message) {
    super(message);
    this.name = 'CacheTimeoutError';
  }
}

/** A value whose size alone is larger than the cache's `maxSize`. */
export class ValueTooLargeError extends RangeError {
  constructor(message) {
    super(message);
    this.name = 'ValueTooLargeError';
  }
}

/** Input to `load()` that is not a dump this cache can read. */
export class CacheLoadError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CacheLoadError';
  }
}

/**
 * A cache whose WebAssembly call trapped (ran out of wasm memory): the store may be half
 * way through a change, so every later call on that cache throws this. Other caches go on.
 */
export class CacheTrappedError extends Error {
  constructor(message) {
    super(message);
    this.name = 'CacheTrappedError';
  }
}

/** An argument of the wrong type or range. */
export class CacheArgumentError extends TypeError {
  constructor(message) {
    super(message);
    this.name = 'CacheArgumentError';
  }
}

const byCode = {
  InvalidTimeout: CacheTimeoutError,
  InvalidConfig: CacheConfigError,
  ValueTooLarge: ValueTooLargeError,
  Snapshot: CacheLoadError,
  InvalidArgument: CacheArgumentError,
};

/**
 * The error to throw for a coded message from wasm (`polycache:<Code>:<message>`). The
 * core's messages name its own fields; JS users set lru-cache's options.
 */
export function fromMessage(message) {
  const m = /^polycache:(\w+):([\s\S]*)$/.exec(message);
  if (!m) return new Error(message);
  const Class = byCode[m[1]] || Error;
  return new Class(m[2].replace(/max_entries/g, 'max').replace(/max_bytes/g, 'maxSize'));
}

/** The error to throw for something wasm threw. */
export function fromWasm(e) {
  return e instanceof Error && e.message.startsWith('polycache:') ? fromMessage(e.message) : e;
}
