// The Cache's dump/load, snapshots and fetch() are loaded on first use in Node, as
// LRUCache's code is (lazy-lru.test.mjs): importing the package and getting and setting
// does not read dist/polycache_extras.cjs; the first dump, load, snapshot or fetch does,
// and so does a first key function (keys-lazy.js), in the CommonJS entry here.
// The code then shares the package's modules (build.mjs, lazy-bundle.mjs): its errors are
// the package's own classes, and a fetch reads the cache's held values through the same
// hook. In a process of its own (node --test runs each file apart).
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { readsOf } from './file-reads.mjs';
import { Cache, CacheConfigError, CacheLoadError } from 'polycache';

const require = createRequire(import.meta.url);
const bundle = require.resolve('../../dist/polycache_extras.cjs');
const readBundle = () => readsOf('/dist/polycache_extras.cjs');

test('gets and sets do not load the extras; the first dump does, once, and they work', async () => {
  const c = new Cache({ max: 10, fetchMethod: async (k) => `fetched ${k}` });
  c.set('a', 1);
  assert.equal(c.get('a'), 1);
  assert.equal(c.has('b'), false);
  c.delete('a');
  c.set('a', 2);
  assert.equal(readBundle(), 0, 'importing and using Cache left it unread');

  const dumped = c.dump();
  assert.equal(readBundle(), 1, 'dump() read it');
  assert.deepEqual(dumped.entries.map(([k, e]) => [k, e.value]), [['a', 2]]);
  const copy = new Cache({ max: 10 });
  copy.load(dumped);
  assert.equal(copy.get('a'), 2);
  assert.throws(() => copy.load({ format: 'nope' }), (e) => e instanceof CacheLoadError, "the package's own error class");
  assert.equal(copy.get('a'), 2, 'a refused load changes nothing');

  const bytes = c.snapshot();
  const restored = new Cache({ max: 10 });
  assert.deepEqual(restored.loadSnapshot(bytes, { allowUnsigned: true }), { verified: false, entries: 1 });
  assert.equal(restored.get('a'), 2);
  assert.throws(() => restored.loadSnapshot(bytes, { maxAge: 'soon' }), (e) => e instanceof CacheConfigError);

  assert.equal(await c.fetch('a'), 2, 'a hit');
  assert.equal(await c.fetch('b'), 'fetched b', 'a miss calls fetchMethod');
  assert.equal(c.get('b'), 'fetched b', 'and stores what it resolved to');
  assert.equal(readBundle(), 1, 'read once');
});

test('the CommonJS entry requires the extras on first use too, a first key function as a dump', () => {
  const cjs = require('polycache');
  const c = new cjs.Cache({ max: 10 });
  c.set('a', 1);
  assert.equal(require.cache[bundle], undefined, 'requiring the package and using Cache left it unloaded');
  assert.equal(cjs.makeKey('p', 2, 'k'), 'p:2:k');
  assert.ok(require.cache[bundle], 'makeKey required it');
  assert.deepEqual(
    [cjs.buildKey, cjs.keyWarnings, cjs.makeKey, cjs.namespacedKey, cjs.shortenKey].map((f) => f.name),
    ['buildKey', 'keyWarnings', 'makeKey', 'namespacedKey', 'shortenKey'],
  );
  assert.throws(() => cjs.makeKey('p', 'two', 'k'), (e) => e instanceof cjs.CacheArgumentError, "the package's own error class");
  assert.equal(c.dump().entries.length, 1);
});
