// The stores' wasm modules import nothing (bindings-js/wasm-imports.mjs, src/error.rs):
// V8 compiles a wrapper per import, with its optimizing compiler, when it compiles a
// module (docs/js-speed.md, session 21). What they said through JS values before goes
// through numbers and text now: a maker's failure (`take_failure`), a method's
// (`take_error`), namespace names joined in one text. Each way is driven here, through the
// public API where it reaches it and on the store where it does not.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { Cache, CacheConfigError, CacheTimeoutError, CacheTrappedError, LRUCache } from '../../dist/polycache.mjs';
import * as storeGlue from '../../dist/polycache_wasm.js';
import * as lruGlue from '../../dist/polycache_lrustore.js';

const bytes = (name) => readFileSync(new URL(`../../dist/${name}`, import.meta.url));

for (const [name, glue] of [
  ['polycache_wasm_bg.wasm', storeGlue],
  ['polycache_lrustore_bg.wasm', lruGlue],
]) {
  test(`${name} imports nothing and instantiates with no import object`, () => {
    const module = new WebAssembly.Module(bytes(name));
    assert.deepEqual(WebAssembly.Module.imports(module), []);
    const instance = new WebAssembly.Instance(module);
    assert.ok(instance.exports.memory instanceof WebAssembly.Memory);
    // The glue answers the exports, memory included, once instantiated.
    glue.initSync({ module });
    assert.ok(glue.initSync().memory instanceof WebAssembly.Memory);
  });
}

test("a store maker's failure: undefined, and its message once", () => {
  storeGlue.initSync({ module: bytes('polycache_wasm_bg.wasm') });
  assert.equal(storeGlue.SlotStore.make(1.5, undefined, undefined, 0, 0, false, 0), undefined);
  assert.match(storeGlue.take_failure(), /^polycache:InvalidConfig:.*max must be a whole number.*got 1\.5$/);
  assert.equal(storeGlue.take_failure(), '');
  const store = storeGlue.SlotStore.make(4, undefined, undefined, 0, 0, false, 5);
  assert.equal(store.len(), 0);
  store.free();

  lruGlue.initSync({ module: bytes('polycache_lrustore_bg.wasm') });
  assert.equal(lruGlue.LruStore.make(-1, 0), undefined);
  assert.match(lruGlue.take_failure(), /^polycache:InvalidArgument:max must be a whole number/);
  lruGlue.LruStore.make(3, 0).free();
});

test("a Cache whose options the core refuses throws the core's message as CacheConfigError", () => {
  for (const options of [{ max: 1.5 }, { max: -1 }, { maxSize: 0.5 }, { max: 10, eviction: 'cull', cullFrequency: -2 }]) {
    assert.throws(() => new Cache(options), (e) => e instanceof CacheConfigError && /must be a whole number/.test(e.message), JSON.stringify(options));
  }
  assert.throws(() => new Cache({ max: 10, ttl: -5 }), CacheConfigError);
  // The failure left nothing behind: the next cache is made and works.
  const c = new Cache({ max: 2 });
  c.set('a', 1);
  assert.equal(c.get('a'), 1);
  assert.throws(() => new LRUCache({ max: 1.5 }), TypeError);
});

test('add and touch answer true, false, or the error, and a refused one changes nothing', () => {
  const c = new Cache({ max: 10 });
  assert.equal(c.add('a', 1), true);
  assert.equal(c.add('a', 2), false);
  assert.equal(c.get('a'), 1);
  assert.equal(c.touch('a', { ttl: 60_000 }), true);
  assert.equal(c.touch('missing', { ttl: 60_000 }), false);
  const left = c.getRemainingTTL('a');
  assert.throws(() => c.touch('a', { ttl: NaN }), CacheTimeoutError);
  assert.throws(() => c.add('b', 1, { ttl: NaN }), CacheTimeoutError);
  assert.equal(c.has('b'), false, 'the refused add stored nothing');
  assert.equal(c.size, 1);
  assert.ok(c.getRemainingTTL('a') <= left && c.getRemainingTTL('a') > 59_000, 'the refused touch kept the lifetime');
  assert.equal(c.add('b', 3), true, 'and the cache goes on');
});

test('namespace names of any text cross dump, load, snapshot and loadSnapshot whole', () => {
  const names = ['', ':', '12:ab', 'users:é', '𝄞x', 'a\u0000b', '3:', 'x'.repeat(300)];
  const c = new Cache({ max: 10 });
  names.forEach((n, i) => {
    for (let k = 0; k <= i; k++) c.namespace(n).invalidate();
  });
  const want = names.map((n) => c.generation(n));
  const dumped = c.dump();
  assert.deepEqual(new Map(dumped.namespaces), new Map(names.map((n, i) => [n, want[i]])));
  const loaded = new Cache({ max: 10 });
  loaded.load(dumped);
  assert.deepEqual(names.map((n) => loaded.generation(n)), want);
  const restored = new Cache({ max: 10 });
  restored.loadSnapshot(c.snapshot(), { allowUnsigned: true });
  assert.deepEqual(names.map((n) => restored.generation(n)), want);
  // Loaded into a cache that has rows of its own: each ends at the larger.
  restored.namespace('12:ab').invalidate();
  restored.load(dumped);
  assert.equal(restored.generation('12:ab'), want[2] + 1);
});

test('a store called after free() traps, and the Cache says it was freed before any call', () => {
  storeGlue.initSync({ module: bytes('polycache_wasm_bg.wasm') });
  const store = storeGlue.SlotStore.make(4, undefined, undefined, 0, 0, false, 5);
  store.free();
  assert.throws(() => store.len(), WebAssembly.RuntimeError);
  const c = new Cache({ max: 4 });
  c.free();
  assert.throws(() => c.get('a'), CacheTrappedError);
  assert.throws(() => c.set('a', 1), CacheTrappedError);
});
