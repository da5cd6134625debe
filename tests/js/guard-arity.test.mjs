// errors.js `guardTraps` wraps each method of the stores' wasm-bindgen classes to turn a
// trap into CacheTrappedError, forwarding a fixed number of arguments (nine). A method
// that takes more would lose its last ones without a word: session 25's load_all took
// nine when the wrapper forwarded eight, and every load then left its cache empty.
// The classes here are the glue files' own (not wrapped: the bundles carry their own
// copies), so each method's `length` is wasm-bindgen's count of its parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruStore } from '../../dist/polycache_lrustore.js';
import { SlotStore } from '../../dist/polycache_wasm.js';

const FORWARDED = 9;

for (const [name, Store] of [
  ['SlotStore', SlotStore],
  ['LruStore', LruStore],
]) {
  test(`no method of ${name} takes more arguments than guardTraps forwards`, () => {
    const proto = Store.prototype;
    const methods = Object.getOwnPropertyNames(proto).filter((m) => m !== 'constructor' && typeof proto[m] === 'function');
    assert.ok(methods.length > 10, `${name} has its methods (${methods.length})`);
    const over = methods.filter((m) => proto[m].length > FORWARDED).map((m) => `${m} (${proto[m].length})`);
    assert.deepEqual(over, []);
  });
}

test('a wrapped store method receives its ninth argument', async () => {
  // The wrapper itself: a class with a method of nine parameters, guarded as the stores are.
  const { guardTraps } = await import('../../bindings-js/js/errors.js');
  class Probe {
    last(a, b, c, d, e, f, g, h, i) {
      return i;
    }
  }
  guardTraps(Probe, [], 'Probe');
  assert.equal(new Probe().last(1, 2, 3, 4, 5, 6, 7, 8, 'ninth'), 'ninth');
});
