// The snapshot and key module is loaded on first use: importing the package and using a
// cache, its namespaces, dump() and the LRUCache load neither its glue
// (dist/polycache_codec.cjs, which Node's entry requires) nor its wasm; the first key
// function loads both. In a process of its own (node --test runs each file apart), so
// nothing before has loaded them.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Cache, LRUCache, makeKey } from 'polycache';

const require = createRequire(import.meta.url);
const glue = require.resolve('../../dist/polycache_codec.cjs');

test('a plain cache does not load the snapshot and key module; a key function does', () => {
  const c = new Cache({ max: 100, ttl: 60_000 });
  c.set('a', 1);
  c.namespace('users').set('b', 2);
  c.namespace('users').invalidate();
  assert.deepEqual([c.get('a'), c.namespace('users').get('b')], [1, undefined]);
  assert.equal(c.dump().format, 'polycache', 'dump and load are JS');
  const l = new LRUCache({ max: 10 });
  l.set('x', 'y');
  assert.equal(l.get('x'), 'y');
  assert.equal(require.cache[glue], undefined, 'the glue is not loaded by the cache');
  assert.equal(makeKey('p', 1, 'k'), 'p:1:k');
  assert.ok(require.cache[glue], 'makeKey loaded the glue');
  // initSync hands back the instance there is (an empty buffer is no module to compile).
  const wasm = require.cache[glue].exports.initSync({ module: new Uint8Array(0) });
  assert.ok(wasm.memory instanceof WebAssembly.Memory, 'and instantiated the wasm');
});
