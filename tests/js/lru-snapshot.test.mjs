// LRUCache snapshots in the core's format: what crosses (string keys, JSON and byte
// values, expiries as epoch ms), what does not (other keys: refused, or left out and
// counted), signing, and the way to and from the Django-rules Cache.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cache, CacheKeyError, CacheLoadError, LRUCache } from '../../bindings-js/js/node.js';

let wall = 1_700_000_000_000;
Date.now = () => wall;
const clock = { t: 5000, now: () => clock.t };

test('string keys, values, order and time left survive a snapshot', () => {
  const a = new LRUCache({ max: 10, ttl: 1000, ttlResolution: 0, perf: clock });
  a.set('x', { n: 1 }).set('y', new Uint8Array([1, 2])).set('z', 'forever', { ttl: 0 });
  a.get('x');
  clock.t += 400;
  wall += 400;
  const bytes = a.snapshot();
  const b = new LRUCache({ max: 10, ttlResolution: 0, perf: clock });
  b.set('old', 1);
  assert.deepEqual(b.loadSnapshot(bytes, { allowUnsigned: true }), { verified: false, entries: 3 });
  assert.deepEqual([...b.rkeys()], ['y', 'z', 'x']);
  assert.deepEqual([b.get('x'), b.get('y'), b.get('z'), b.has('old')], [{ n: 1 }, new Uint8Array([1, 2]), 'forever', false]);
  assert.equal(b.getRemainingTTL('x'), 600);
  assert.equal(b.getRemainingTTL('z'), Infinity);
});

test('keys that cannot cross languages: refused with their count, or left out and counted', () => {
  const c = new LRUCache({ max: 10, perf: clock });
  c.set('s', 1).set(2, 2).set({ o: 1 }, 3).set(Symbol('q'), 4);
  assert.throws(() => c.snapshot(), (e) => e instanceof CacheKeyError && /3 key\(s\) are not/.test(e.message));
  const status = {};
  const bytes = c.snapshot({ skipNonStringKeys: true, status });
  assert.deepEqual(status, { entries: 1, skipped: 3 });
  const d = new LRUCache({ max: 10, perf: clock });
  d.loadSnapshot(bytes, { allowUnsigned: true });
  assert.deepEqual([...d.entries()], [['s', 1]]);
});

test('stale entries are left out; a signed snapshot needs its key', () => {
  const c = new LRUCache({ max: 10, ttl: 10, allowStale: true, ttlResolution: 0, perf: clock });
  c.set('gone', 1).set('kept', 2, { ttl: 100 });
  clock.t += 50;
  wall += 50;
  const bytes = c.snapshot({ key: 'an lru secret, 16+ bytes' });
  const d = new LRUCache({ max: 10, perf: clock });
  assert.throws(() => d.loadSnapshot(bytes), CacheLoadError);
  assert.throws(() => d.loadSnapshot(bytes, { key: 'the wrong key, 16+ bytes' }), CacheLoadError);
  assert.deepEqual(d.loadSnapshot(bytes, { key: 'an lru secret, 16+ bytes' }), { verified: true, entries: 1 });
  assert.deepEqual([...d.keys()], ['kept']);
});

test('a corrupt snapshot changes nothing', () => {
  const c = new LRUCache({ max: 10, perf: clock });
  c.set('a', 1);
  const bytes = c.snapshot();
  bytes[bytes.length - 2] ^= 0xff;
  const d = new LRUCache({ max: 10, perf: clock });
  d.set('mine', 1);
  assert.throws(() => d.loadSnapshot(bytes.subarray(0, bytes.length - 3), { allowUnsigned: true }), CacheLoadError);
  assert.throws(() => d.loadSnapshot('not bytes'), CacheLoadError);
  assert.deepEqual([...d.entries()], [['mine', 1]]);
});

test('to and from the Cache (Django rules), sizes from the encoded value under maxSize', () => {
  const django = new Cache({ max: 10, timeouts: 'django', now: () => wall });
  django.set('page', '<html>');
  const lru = new LRUCache({ maxSize: 100, perf: clock, ttlResolution: 0 });
  lru.loadSnapshot(django.snapshot(), { allowUnsigned: true });
  assert.equal(lru.get('page'), '<html>');
  assert.equal(lru.getRemainingTTL('page'), 300_000);
  assert.equal(lru.calculatedSize, JSON.stringify('<html>').length);
  lru.set('n', 42, { size: 2 });
  const back = new Cache({ max: 10, now: () => wall });
  back.loadSnapshot(lru.snapshot(), { allowUnsigned: true });
  assert.deepEqual([back.get('page'), back.get('n'), back.getRemainingTTL('page')], ['<html>', 42, 300_000]);
});
