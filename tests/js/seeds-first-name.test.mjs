// A Cache draws the process's seeds (options.js `seeds`, in Node a read of /dev/urandom)
// when a first namespace name comes, not when it is made, and its store is seeded before
// it holds any name: a store that took names unseeded keeps hashing them unkeyed
// (SlotStore::seed answers false). On the source entry, whose store class is the glue's
// own (dist/polycache.mjs bundles a copy), in a process of its own (node --test runs each
// file apart): the seeds are drawn once per process.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { SlotStore } from '../../dist/polycache_wasm.js';
import { Cache } from '../../bindings-js/js/node.js';
import { randomFrom } from '../../bindings-js/js/options.js';
import { urandomWith } from '../../bindings-js/js/node-random.js';

const urandom = urandomWith(fs);

let drawn = 0;
randomFrom((out) => {
  drawn += 1;
  urandom(out);
});
// What each store's seeding answered (true: no name was held yet).
const answers = [];
const seed = SlotStore.prototype.seed;
SlotStore.prototype.seed = function (...words) {
  const took = seed.apply(this, words);
  answers.push(took);
  return took;
};

test('made, written and read without a name: no seeds drawn, no store seeded', () => {
  const c = new Cache({ max: 10, ttl: 1000 });
  c.set('a', 1);
  assert.equal(c.get('a'), 1);
  c.delete('a');
  assert.equal(c.dump().entries.length, 0);
  assert.deepEqual([drawn, answers], [0, []]);
});

test('the first name draws the seeds; every store is seeded before its first name', () => {
  const a = new Cache({ max: 10 });
  assert.equal(a.invalidate('users'), 2);
  assert.deepEqual([drawn, answers], [1, [true]]);
  assert.equal(a.generation('users'), 2, 'once: the next names find the store seeded');
  const users = a.namespace('users');
  users.set('k', 'v');
  assert.equal(users.get('k'), 'v');
  assert.deepEqual(answers, [true]);

  // A load brings names: the store is seeded before it takes them.
  const b = new Cache({ max: 10 });
  b.load(a.dump());
  assert.equal(b.generation('users'), 2);
  assert.equal(b.namespace('users').get('k'), 'v');
  // A namespace handle and a snapshot's load, in caches of their own.
  const ns = new Cache({ max: 10 }).namespace('orders');
  assert.equal(ns.invalidate(), 2);
  const d = new Cache({ max: 10 });
  d.loadSnapshot(a.snapshot(), { allowUnsigned: true });
  assert.equal(d.generation('users'), 2);
  assert.deepEqual([drawn, answers], [1, [true, true, true, true]], 'drawn once a process; each store seeded while empty of names');
});
