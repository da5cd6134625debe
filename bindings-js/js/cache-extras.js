// The Cache's less used code: dump/load, snapshot/loadSnapshot (persist.js), fetch()
// (fetch.js) and the key functions (keys.js, through keys-lazy.js), loaded on first use,
// as LRUCache's is (lru-lazy.js): an import that only gets and sets does not parse it.
// Node's entries read it then from dist/polycache_extras.cjs (extras-node.js); the other
// runtimes import it with the package and hand it over at once (extras.js).

let load = null;
let loaded = null;

/** Where the code comes from: `f()` returns extras.js's exports, asked on first use. */
export function extrasFrom(f) {
  load = f;
}

/** extras.js's exports, loading them on the first call. */
export function extras() {
  if (loaded === null) {
    if (load === null) throw new Error('polycache: no entry point said where the Cache\'s extras are');
    loaded = load();
  }
  return loaded;
}
