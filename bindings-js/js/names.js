// The bundles are minified without esbuild's --keep-names (its `__name` calls for every
// function cost 0.9 KiB gzip in Node's): what the package exports gets its own name back,
// so that `Cache.name` and `console.log(cache)` say `Cache`.

/** Names each value of `exported` (an entry's exports, by name) after its key. */
export function named(exported) {
  for (const [name, value] of Object.entries(exported)) Object.defineProperty(value, 'name', { value: name });
}
