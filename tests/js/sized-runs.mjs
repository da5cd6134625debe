// What the sized-write tests of both classes share (cache-sized.test.mjs,
// lru-sized-ring.test.mjs): a random run against real lru-cache 11 of new keys, gets,
// writes of held keys with the size they have or another, and deletes, values of 1-6
// characters sized by their length, checking the bytes held every 7 steps and the order
// every 53. `bytes(ours)` reads the polycache cache's sum of sizes.
import assert from 'node:assert/strict';
import { ints } from './lru-side.mjs';

/** Runs 5,000 random steps on `ours` and `real` (`label` names the case); the writes made. */
export function sizedRun(ours, real, seed, label, bytes) {
  const next = ints(seed);
  let fresh = 0;
  let writes = 0;
  const write = (key, value) => {
    writes++;
    ours.set(key, value);
    real.set(key, value);
  };
  for (let step = 0; step < 5_000; step++) {
    const where = `${label} at ${step}`;
    const r = next() % 100;
    const old = `k${next() % 40}`;
    const value = 'v'.repeat(1 + (next() % 6));
    if (r < 45) write(`n${fresh++}`, value);
    else if (r < 70) assert.equal(ours.get(old), real.get(old), `get ${old}, ${where}`);
    else if (r < 85) {
      // A held key again: the same size as it has, or another.
      const same = real.has(old) && next() % 2 === 0 ? real.peek(old) : value;
      write(old, same.slice(0, -1) + 'w');
    } else if (r < 92) assert.equal(ours.delete(old), real.delete(old), `delete ${old}, ${where}`);
    else write(old, value);
    if (step % 7 === 0) assert.equal(bytes(ours), real.calculatedSize, `bytes, ${where}`);
    if (step % 53 === 0) assert.deepEqual([...ours.keys()], [...real.keys()], `order, ${where}`);
  }
  assert.deepEqual([...ours.entries()], [...real.entries()], label);
  assert.equal(ours.size, real.size);
  return writes;
}
