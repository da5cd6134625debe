// Cloudflare Workers (workerd): everything the package exports, from four entries, each
// what one part of the API needs. Workers can load no code after start-up (no eval, no
// wasm compiled from bytes), so whatever a Worker's bundle holds is parsed and compiled
// at every start, each .wasm imported statically as a compiled WebAssembly.Module. The
// bundler a Worker deploys with (wrangler's esbuild) keeps only the entries whose exports
// the Worker imports (the package says `"sideEffects": false`): a Worker with a `Cache`
// leaves out `LRUCache`'s code and its store's module, one with an `LRUCache` the Cache's
// and the store's (docs/js-size-and-speed.md). build.mjs builds this file and the four,
// minified, as dist/polycache.workerd*.mjs, the file the exports map names.
export * from './workerd-cache.js';
export * from './workerd-errors.js';
export * from './workerd-keys.js';
export * from './workerd-lru.js';
