// Node, CommonJS: the package required by its own name, through the exports map.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { test } = require('node:test');
const assert = require('node:assert');
const lib = require('polycache');

const read = (name) => readFileSync(join(__dirname, '..', 'vectors', `${name}.json`), 'utf8');

test('cjs: require resolves to the CommonJS build', () => {
  assert.match(require.resolve('polycache'), /dist[\\/]polycache\.cjs$/);
  assert.strictEqual(typeof lib.Cache, 'function');
});

// As in ESM (lazy-codec.test.mjs): the snapshot and key module's glue is required on the
// first key function, not by require('polycache') or a cache.
test('cjs: the snapshot and key module loads on first use', () => {
  const glue = join(__dirname, '..', '..', 'dist', 'polycache_codec.cjs');
  const c = new lib.Cache({ max: 10 });
  c.set('a', 1);
  assert.strictEqual(c.get('a'), 1);
  assert.strictEqual(require.cache[glue], undefined);
  assert.strictEqual(lib.shortenKey('k'.repeat(300), 100).length, 100);
  assert.ok(require.cache[glue], 'shortenKey required it');
});

// The suite is an ES module; the library under test is still the require()d one.
test('cjs: the shared suite', async (t) => {
  const { cases, parseVectors } = await import('./suite.mjs');
  const vectors = parseVectors({ keys: read('keys'), timeouts: read('timeouts'), eviction: read('eviction') });
  for (const [name, fn] of cases(lib, vectors)) await t.test(name, fn);
});
