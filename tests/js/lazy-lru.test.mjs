// LRUCache's code is loaded on first use in Node: importing the package and using a Cache
// does not read dist/polycache_lru.cjs nor its store's wasm (dist/polycache_lrustore_bg.wasm);
// the first `new LRUCache` (or any read of the class) reads each once. The ESM entry reads it with fs.readFileSync (watched here by a wrapper
// that calls the real one), the CommonJS entry requires it (seen in require.cache). The class then behaves as the class it stands for: `instanceof`,
// `.constructor`, subclasses, static reads, and the errors it throws are the package's
// own error classes (the bundle shares the package's modules; build.mjs, lazy-bundle.mjs).
// In a process of its own (node --test runs each file apart).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { readsOf } from './file-reads.mjs';
import { Cache, CacheLoadError, LRUCache } from 'polycache';

const require = createRequire(import.meta.url);
const bundle = require.resolve('../../dist/polycache_lru.cjs');
const readBundle = () => readsOf('/dist/polycache_lru.cjs') > 0;
const wasmReads = () => readsOf('/dist/polycache_lrustore_bg.wasm');

test('a Cache does not load LRUCache; the first LRUCache does, and it is the class it stands for', () => {
  const c = new Cache({ max: 10 });
  c.set('a', 1);
  assert.equal(c.get('a'), 1);
  assert.equal(typeof LRUCache, 'function');
  assert.ok(!readBundle(), 'importing and using Cache left it unread');
  assert.equal(wasmReads(), 0, 'and its store\'s wasm');

  const l = new LRUCache({ max: 2 });
  assert.ok(readBundle(), 'new LRUCache read it');
  new LRUCache({ max: 2 });
  assert.equal(wasmReads(), 1, 'and its store\'s wasm, once');
  l.set('x', 1).set('y', 2).set('z', 3);
  assert.deepEqual([...l.keys()], ['z', 'y'], 'the least recently used went');
  assert.ok(l instanceof LRUCache);
  assert.equal(l.constructor, LRUCache);
  assert.equal(Object.getPrototypeOf(l), LRUCache.prototype);
  assert.equal(LRUCache.name, 'LRUCache');
  assert.equal(new l.constructor({ max: 1 }).max, 1);
  assert.throws(() => LRUCache({ max: 1 }), TypeError, 'a class, not a function');

  class Counting extends LRUCache {
    sets = 0;
    set(k, v, o) {
      this.sets++;
      return super.set(k, v, o);
    }
  }
  const s = new Counting({ max: 5 });
  s.set('a', 1).set('b', 2);
  assert.deepEqual([s.sets, s.get('a'), s instanceof Counting, s instanceof LRUCache], [2, 1, true, true]);

  // An error from the LRUCache's code is the class the package exports.
  assert.throws(() => l.loadSnapshot(new Uint8Array([1, 2, 3])), (e) => e instanceof CacheLoadError);
});

test('the CommonJS entry requires LRUCache\'s code on first use too', () => {
  const cjs = require('polycache');
  new cjs.Cache({ max: 10 }).set('a', 1);
  assert.equal(require.cache[bundle], undefined, 'requiring the package and using Cache left it unloaded');
  const l = new cjs.LRUCache({ max: 1 });
  assert.ok(require.cache[bundle], 'new LRUCache required it');
  assert.ok(l instanceof cjs.LRUCache && !(l instanceof LRUCache), 'the CommonJS package is its own copy');
});
