// `polycache/lru-cache`, the lru-cache drop-in alone (bindings-js/js/lru-cache-node.js): in
// Node its import reads the LRUCache's store wasm and nothing of the Cache (neither the
// package's bundle nor the Cache's store wasm); it exports the class and the errors it
// throws, named; its snapshots are the package's; and the side-by-side tests with the
// real lru-cache 11 (lru-side.mjs) pass on it. In a process of its own (node --test runs
// each file apart), file-reads.mjs first so that it sees the import's reads.
import { readsOf } from './file-reads.mjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const m = await import('polycache/lru-cache');
const { LRUCache } = m;
const root = fileURLToPath(new URL('../..', import.meta.url));

test('its import reads its store\'s wasm once and nothing of the Cache', () => {
  assert.match(import.meta.resolve('polycache/lru-cache'), /\/dist\/polycache\.lru-cache\.mjs$/);
  assert.equal(readsOf('/dist/polycache_lrustore_bg.wasm'), 1);
  assert.equal(readsOf('/dist/polycache_wasm_bg.wasm'), 0, "the Cache's store");
  assert.equal(readsOf('/dist/polycache_lru.cjs'), 0, "the package entry's LRUCache bundle");
  assert.equal(readsOf('/dist/polycache_codec_bg.wasm'), 0, 'the snapshot module, before a snapshot');
  const l = new LRUCache({ max: 2 });
  l.set('x', 1).set('y', 2).set('z', 3);
  assert.deepEqual([...l.keys()], ['z', 'y']);
  assert.equal(readsOf('/dist/polycache_lrustore_bg.wasm'), 1, 'one instance for every cache');
});

test("elsewhere it is the package's own entry, whose runtime tests cover it", () => {
  const { exports } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const sub = exports['./lru-cache'];
  assert.deepEqual(Object.keys(sub), Object.keys(exports['.']), 'the same conditions, in the same order');
  for (const condition of ['workerd', 'deno', 'browser', 'require']) {
    assert.equal(sub[condition].default, exports['.'][condition].default, condition);
  }
  assert.equal(sub.import.default, './dist/polycache.lru-cache.mjs');
  assert.equal(sub.import.types, './bindings-js/js/lru-cache.d.ts');
});

test('it exports the class and the errors it throws, each named', () => {
  assert.deepEqual(Object.keys(m).sort(), [
    'CacheArgumentError', 'CacheConfigError', 'CacheKeyError', 'CacheLoadError', 'CacheTimeoutError',
    'CacheTrappedError', 'LRUCache', 'OpaqueValue', 'ValueTooLargeError',
  ]);
  for (const [name, value] of Object.entries(m)) assert.equal(value.name, name);
  const l = new LRUCache({ max: 3 });
  assert.equal(l.constructor, LRUCache);
  assert.ok(l instanceof LRUCache);
  assert.equal(String(l), '[object LRUCache]');
  assert.throws(() => new LRUCache({}), TypeError, "lru-cache's error for a cache with no bound");
  assert.throws(() => l.loadSnapshot(new Uint8Array([1, 2, 3])), (e) => e instanceof m.CacheLoadError && e.name === 'CacheLoadError');
  l.free();
  assert.throws(() => l.set('a', 1), (e) => e instanceof m.CacheTrappedError);
});

test("its snapshots are the package's: a Cache reads one, and it reads a Cache's", async () => {
  const { Cache } = await import('polycache');
  const l = new LRUCache({ max: 10 });
  l.set('a', 1).set('b', 'two');
  const c = new Cache({ max: 10 });
  const key = 'an app secret, 16+ bytes';
  c.loadSnapshot(l.snapshot({ key }), { key });
  assert.deepEqual([c.get('a'), c.get('b')], [1, 'two']);
  c.set('c', [3]);
  const back = new LRUCache({ max: 10 });
  back.loadSnapshot(c.snapshot({ key }), { key });
  assert.deepEqual(back.get('c'), [3]);
  assert.equal(back.get('a'), 1);
});

test('the side-by-side tests with the real lru-cache pass on it, every one the package passes', () => {
  // (lru-diff-fetch.test.mjs, the slowest, is left to the package's own run;
  // lru-fetch.test.mjs covers fetch.)
  const files = ['lru-basic', 'lru-diff', 'lru-fetch', 'lru-quick', 'lru-ttl'].map((f) => `tests/js/${f}.test.mjs`);
  // (Without the test runner's context, which would make the child report to this one.)
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  // The same files on the package's own LRUCache (entry '') and on this entry's.
  const run = (entry) => {
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', ...files], {
      cwd: root,
      encoding: 'utf8',
      env: { ...env, POLYCACHE_LRU_ENTRY: entry },
    });
    const count = (what) => Number(new RegExp(`^# ${what} (\\d+)$`, 'm').exec(r.stdout)?.[1]);
    assert.equal(r.status, 0, `${entry || 'the package'}: ${r.stdout.slice(-3000)}${r.stderr}`);
    return { pass: count('pass'), fail: count('fail') };
  };
  const ours = run('');
  const sub = run('polycache/lru-cache');
  assert.ok(ours.pass > 0);
  assert.deepEqual(sub, ours, 'the same tests pass on both');
});
