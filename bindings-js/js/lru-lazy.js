// The `LRUCache` the package exports: its code (lru.js and the lru-*.js files, a third of
// our JS) and its store's wasm module (lru-module.js) are loaded on first use, so an
// import that only needs `Cache` does not parse the one nor instantiate the other. Node's
// entries read both then (lru-node.js); the other runtimes import the code with the
// package and instantiate the module then.
//
// What is exported is a Proxy of a function that stands for the class: `new`, `extends`,
// `instanceof`, static reads and `.prototype` all reach the real class, loading it first;
// instances are the real class's own, so their methods run with nothing in between.

import { firstUse } from './first-use.js';

// (A failure, a file missing from dist/ say, is thrown, and the next use tries again.)
const [from, real] = firstUse('where LRUCache is', "LRUCache's code and its wasm module");

/** Where the class comes from: `f()` returns it, asked on first use. */
export function lruFrom(f) {
  from(() => {
    const Real = f();
    // `cache.constructor === LRUCache`, and `new cache.constructor(options)`, as with lru-cache.
    Object.defineProperty(Real.prototype, 'constructor', { value: LRUCache, writable: true, configurable: true });
    return Real;
  });
}

export const LRUCache = new Proxy(function LRUCache() {}, {
  // A subclass passes its own constructor as newTarget; `new LRUCache` passes the Proxy.
  construct: (_, args, newTarget) => Reflect.construct(real(), args, newTarget === LRUCache ? real() : newTarget),
  apply: () => {
    throw new TypeError("Class constructor LRUCache cannot be invoked without 'new'");
  },
  get: (_, name) => Reflect.get(real(), name),
  set: (_, name, value) => Reflect.set(real(), name, value),
  has: (_, name) => Reflect.has(real(), name),
});
