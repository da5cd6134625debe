// The snapshot and key module (dist/polycache_codec_bg.wasm) is instantiated on first
// use: importing the package and using a cache, its namespaces and the LRUCache never
// load it; the first snapshot or key function does. In a process of its own (node --test
// runs each file apart), so nothing before has loaded it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache, LRUCache, makeKey } from 'polycache';
import { initSync as codecInit } from '../../dist/polycache_codec.js';

// initSync hands back the instance when there is one; else it compiles what it is given,
// and an empty buffer is no module.
function codecLoaded() {
  try {
    codecInit({ module: new Uint8Array(0) });
    return true;
  } catch (e) {
    assert.ok(e instanceof WebAssembly.CompileError, `${e}`);
    return false;
  }
}

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
  assert.equal(codecLoaded(), false, 'not loaded by the cache');
  assert.equal(makeKey('p', 1, 'k'), 'p:1:k');
  assert.equal(codecLoaded(), true, 'loaded by makeKey');
});
