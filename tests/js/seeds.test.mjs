// The hasher seeds (bindings-js/js/options.js): drawn once per process from the entry
// point's random source (Node: /dev/urandom), else crypto.getRandomValues; where both are
// refused (a Worker's module scope), Math.random for that call only. Tested on the source
// modules, in a process of its own (node --test runs each file apart).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { test } from 'node:test';
import { randomFrom, seeds } from '../../bindings-js/js/options.js';
import { urandomWith } from '../../bindings-js/js/node-random.js';

const urandom = urandomWith(fs);

test('seeds: Math.random only while no source answers, then one draw kept for the process', () => {
  const getRandomValues = globalThis.crypto.getRandomValues;
  let asked = 0;
  randomFrom(() => {
    asked += 1;
    throw new Error('refused');
  });
  globalThis.crypto.getRandomValues = () => {
    throw new Error('refused at module scope');
  };
  try {
    const a = seeds();
    const b = seeds();
    assert.equal(a.length, 8);
    assert.notEqual(a, b, 'a Math.random draw is not kept');
    assert.equal(asked, 2, 'the source is asked again each time');
  } finally {
    globalThis.crypto.getRandomValues = getRandomValues;
  }
  const drawn = [];
  randomFrom((out) => {
    urandom(out);
    drawn.push(out);
  });
  const c = seeds();
  assert.deepEqual(drawn, [c], 'drawn from the source');
  assert.ok(c.some((x) => x !== 0), 'random words');
  assert.equal(seeds(), c, 'kept: the next cache gets the same seeds');
});

test('urandom fills the whole array from the kernel', () => {
  const a = new Uint32Array(8);
  const b = new Uint32Array(8);
  urandom(a);
  urandom(b);
  assert.notDeepEqual(a, b);
});
