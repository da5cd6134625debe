// The Cache's store module is read and compiled on the first `new Cache` in Node, not at
// import: a program that uses only LRUCache (whose store is a module of its own) never
// compiles it. The ESM entry reads it with fs.readFileSync (watched here by a wrapper that
// calls the real one, and can make one read fail); a failed read is a clear error at
// `new Cache`, and the next `new Cache` tries again. In a process of its own (node --test
// runs each file apart).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { test } from 'node:test';
import { Cache, LRUCache } from 'polycache';

const STORE_WASM = '/dist/polycache_wasm_bg.wasm';
const reads = [];
let failNext = false;
const readFileSync = fs.readFileSync;
fs.readFileSync = (path, ...rest) => {
  reads.push(String(path));
  if (failNext && String(path).endsWith(STORE_WASM)) {
    failNext = false;
    throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
  }
  return readFileSync(path, ...rest);
};
syncBuiltinESMExports();
const storeReads = () => reads.filter((p) => p.endsWith(STORE_WASM)).length;

test('an LRUCache alone never reads the Cache\'s store module; a failed read is a clear error, tried again at the next Cache', () => {
  const l = new LRUCache({ max: 2 });
  l.set('a', 1).set('b', 2).set('c', 3);
  assert.deepEqual([...l.keys()], ['c', 'b']);
  assert.equal(storeReads(), 0, 'importing and using LRUCache left it unread');

  failNext = true;
  assert.throws(
    () => new Cache({ max: 10 }),
    (e) => /^polycache: loading the Cache's wasm module failed: EACCES/.test(e.message) && e.cause?.code === 'EACCES',
  );
  assert.equal(storeReads(), 1);

  const c = new Cache({ max: 10 });
  c.set('a', 1);
  assert.equal(c.get('a'), 1, 'the next Cache read it again, and works');
  new Cache({ max: 10 }).set('b', 2);
  assert.equal(storeReads(), 2, 'read once it was read whole');
  assert.deepEqual([...l.keys()], ['c', 'b'], 'the LRUCache made before is untouched');
});

test('the CommonJS entry reads it at its first Cache too', () => {
  const cjs = createRequire(import.meta.url)('polycache');
  const before = storeReads();
  const l = new cjs.LRUCache({ max: 1 });
  l.set('x', 1);
  assert.equal(storeReads(), before, 'requiring the package and using LRUCache left it unread');
  const c = new cjs.Cache({ max: 1 });
  c.set('y', 2);
  assert.equal(c.get('y'), 2);
  assert.equal(storeReads(), before + 1, 'its first Cache read it');
});
