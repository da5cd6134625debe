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
 * Also what a cache throws once its `free()` has given its wasm memory back.
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

/** Called on a store that trapped, so its owner drops its views (no answer without a call). */
export const ON_TRAP = Symbol('polycache.onTrap');

/**
 * A wasm trap (`WebAssembly.RuntimeError`) as the CacheTrappedError to throw, saying
 * `what` trapped and `then` what to do; any other error as it is.
 */
export function trapped(e, what, then) {
  return e instanceof WebAssembly.RuntimeError
    ? new CacheTrappedError(`${what} trapped (${e.message}), most likely out of wasm memory; ${then}`)
    : e;
}

/**
 * A trap of a store's constructor (making a `Class`). The wasm memory of dropped caches
 * comes back once their finalizers have run, after the current task: a loop that makes
 * caches without end holds it all till then.
 */
export const trappedMaking = (e, Class) =>
  trapped(fromWasm(e), `making a ${Class}`, "dropped caches' wasm memory comes back after the current task");

// A wasm trap (out of memory, say) unwinds out of a store's method without releasing
// wasm-bindgen's borrow of it: later calls would fail with "recursive use of an object",
// or pass (a `&self` method after a trap in another), on a store that may be half way
// through a change. So a trap poisons that store: each of its methods is replaced, on
// that object only, by one that throws one clear error. Other stores go on.
/**
 * Guards every method of `Store` (a wasm-bindgen class) but those named in `unguarded`
 * (each caller guards those where it calls them): a trap poisons the store. Returns
 * `[poison, release]`: `poison(store, e)` poisons `store` if `e` is a trap and returns
 * the error to throw; `release(store)` frees `store`'s wasm memory now, after which each
 * of its calls throws. `Class`: the cache class whose store it is, for the messages.
 */
export function guardTraps(Store, unguarded, Class) {
  const proto = Store.prototype;
  // (The stores' classes have methods only: no getter runs here.)
  const methods = Object.getOwnPropertyNames(proto).filter((name) => name !== 'constructor' && typeof proto[name] === 'function');
  // From now on every method of `store` throws `error`'s message, and its owner drops
  // its views (so that no answer comes without a call).
  const retire = (store, error) => {
    const refuse = () => {
      throw new CacheTrappedError(error.message);
    };
    for (const name of methods) Object.defineProperty(store, name, { value: refuse });
    if (typeof store[ON_TRAP] === 'function') store[ON_TRAP]();
    return error;
  };
  const poison = (store, e) => {
    const error = trapped(e, 'a WebAssembly call of this cache', `build a new ${Class}`);
    return error === e ? e : retire(store, error);
  };
  for (const name of methods) {
    if (unguarded.includes(name)) continue;
    const method = proto[name];
    // (Nine arguments forwarded, the most any store method takes: tests/js/guard-arity.test.mjs.)
    proto[name] = function (a, b, c, d, e, f, g, h, i) {
      try {
        return method.call(this, a, b, c, d, e, f, g, h, i);
      } catch (err) {
        throw poison(this, err);
      }
    };
  }
  // A retired store's methods are its own properties: freed once (after a trap, not at
  // all: wasm-bindgen's borrow of it was never given back).
  const release = (store) => {
    if (Object.hasOwn(store, 'free')) return;
    store.free();
    retire(store, new CacheTrappedError(`this ${Class} was freed (free()); build a new one`));
  };
  return [poison, release];
}
