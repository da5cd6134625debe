// The caches under test, each loaded the way its users load it, and built the same way:
// `make(max, ttl)` returns the library's own cache object (the benchmark calls its `set`
// and `get` directly, no wrapper), `ttl` in milliseconds or 0 for none. `ttl: false`
// marks a library that has no per-cache TTL; it is left out of the TTL runs.
//
// No Node module is imported here: coldstart.mjs imports this file before it starts its
// clock, and an `import` of node:fs (whose ES facade loads fs's streams, 1.5 ms) or
// node:module would be done already for the library it times. The functions take them
// from process.getBuiltinModule (Node 20.16 on) when called.
const builtin = (name) => process.getBuiltinModule(name);

/**
 * polycache's Node ESM entry (or `subpath`'s), read from the root package.json's exports map; or from the
 * package at `root` (default: POLYCACHE_ROOT, a copy built another way, e.g. with symbol
 * names kept for profiling).
 */
export function polycacheEntry(subpath = '.', root = process.env.POLYCACHE_ROOT) {
  const { fileURLToPath, pathToFileURL } = builtin('node:url');
  const base = root ? `${root.replace(/\/$/, '')}/` : fileURLToPath(new URL('../../', import.meta.url));
  const pkg = JSON.parse(builtin('node:fs').readFileSync(`${base}package.json`, 'utf8'));
  let target = pkg.exports[subpath];
  if (target === undefined) throw new Error(`${base}package.json exports no ${subpath}`);
  while (typeof target === 'object') target = target.import ?? target.node ?? target.default;
  return pathToFileURL(`${base}${target}`).href;
}

// `specifier` is what each implementation's user writes in `import`; `pick` takes the
// class from the module. `sized(cls, maxSize, sizeOf, ttl, max)`, where a library has
// one, builds its byte-bounded cache: `maxSize` over `sizeOf(value, key)`, and no entry
// count unless `max` is given.
export const IMPLS = {
  polycache: {
    // (`root`: another build's, as polycacheEntry takes it.)
    specifier: (root) => polycacheEntry('.', root),
    // Read only by the first snapshot or key function (bindings-js/js/codec.js), the
    // first LRUCache (bindings-js/js/lru-lazy.js, with its store's wasm) and a Cache's first dump, load or fetch
    // (bindings-js/js/cache-extras.js), not by the import: size.mjs counts them apart.
    firstUse: [
      'dist/polycache_codec.cjs',
      'dist/polycache_codec_bg.wasm',
      'dist/polycache_lru.cjs',
      'dist/polycache_lrustore_bg.wasm',
      'dist/polycache_extras.cjs',
    ],
    pick: (m) => m.Cache,
    ttl: true,
    make: (Cache, max, ttl) => new Cache(ttl ? { max, ttl, eviction: 'lru' } : { max, eviction: 'lru' }),
    sized: (Cache, maxSize, sizeCalculation, ttl, max) =>
      new Cache({ maxSize, sizeCalculation, eviction: 'lru', ...(max ? { max } : {}), ...(ttl ? { ttl } : {}) }),
  },
  'polycache LRUCache': {
    // The lru-cache 11 drop-in of the same package (same files: sized once, as polycache).
    specifier: (root) => polycacheEntry('.', root),
    pick: (m) => m.LRUCache,
    ttl: true,
    samePackageAs: 'polycache',
    make: (LRUCache, max, ttl) => new LRUCache(ttl ? { max, ttl } : { max }),
    sized: (LRUCache, maxSize, sizeCalculation, ttl, max) =>
      new LRUCache({ maxSize, sizeCalculation, ...(max ? { max } : {}), ...(ttl ? { ttl } : {}) }),
  },
  'polycache/lru-cache': {
    // The drop-in's own entry (bindings-js/js/lru-cache-node.js): the same class, so it
    // runs in the cold start only (`coldOnly`), not in the throughput runs.
    specifier: (root) => polycacheEntry('./lru-cache', root),
    pick: (m) => m.LRUCache,
    ttl: true,
    samePackageAs: 'polycache',
    coldOnly: true,
    make: (LRUCache, max, ttl) => new LRUCache(ttl ? { max, ttl } : { max }),
  },
  'lru-cache': {
    specifier: () => 'lru-cache',
    pick: (m) => m.LRUCache,
    ttl: true,
    make: (LRUCache, max, ttl) => new LRUCache(ttl ? { max, ttl } : { max }),
    sized: (LRUCache, maxSize, sizeCalculation, ttl, max) =>
      new LRUCache({ maxSize, sizeCalculation, ...(max ? { max } : {}), ...(ttl ? { ttl } : {}) }),
  },
  'lru.min': {
    specifier: () => 'lru.min',
    pick: (m) => m.createLRU,
    ttl: false,
    make: (createLRU, max) => createLRU({ max }),
  },
  'mnemonist LRUMap': {
    // The package root re-exports every mnemonist structure; users of one load its file,
    // which mnemonist exports to `require` only.
    specifier: () => 'mnemonist/lru-map.js',
    require: true,
    pick: (m) => m,
    ttl: false,
    make: (LRUMap, max) => new LRUMap(max),
  },
  'tiny-lru': {
    specifier: () => 'tiny-lru',
    pick: (m) => m.LRU,
    ttl: true,
    make: (LRU, max, ttl) => new LRU(max, ttl),
  },
  'quick-lru': {
    // quick-lru keeps between maxSize and 2 * maxSize entries (two generations).
    specifier: () => 'quick-lru',
    pick: (m) => m.default,
    ttl: true,
    make: (QuickLRU, max, ttl) => new QuickLRU(ttl ? { maxSize: max, maxAge: ttl } : { maxSize: max }),
  },
};

/** The implementations that have a byte bound (`maxSize`), lru-cache first. */
export const SIZED = Object.keys(IMPLS).filter((k) => IMPLS[k].sized !== undefined);

/**
 * `(max, ttl) => cache` for `name`; with `sizeOf`, `(maxSize, ttl, max) => cache` bounded
 * by the total of `sizeOf(value, key)`, and by a count as well when `max` is given.
 */
export async function load(name, sizeOf) {
  const impl = IMPLS[name];
  if (impl === undefined) throw new Error(`unknown implementation ${name}; known: ${Object.keys(IMPLS).join(', ')}`);
  const mod = impl.require ? builtin('node:module').createRequire(import.meta.url)(impl.specifier()) : await import(impl.specifier());
  const cls = impl.pick(mod);
  if (typeof cls !== 'function') throw new Error(`${name}: ${impl.specifier()} exports no cache constructor`);
  if (sizeOf === undefined) return (max, ttl) => impl.make(cls, max, ttl);
  if (impl.sized === undefined) throw new Error(`${name} has no byte bound (maxSize)`);
  return (maxSize, ttl, max) => impl.sized(cls, maxSize, sizeOf, ttl, max);
}
