// What `make bench-js` says of a cell below 1.0x (bench/js/report.mjs): only one whose
// processes are all slower than all of lru-cache's is counted as a gap; the rest overlap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { separation, targetLine } from '../../bench/js/report.mjs';

test('separation: below, above or overlapping, from every process of each side', () => {
  assert.equal(separation([90, 95, 97], [98, 100, 104]), 'below');
  assert.equal(separation([105, 110], [98, 100, 104]), 'above');
  // One process each way across the other's range: no evidence either way.
  assert.equal(separation([90, 95, 99], [98, 100, 104]), 'overlap');
  assert.equal(separation([98], [98, 100]), 'overlap');
  assert.equal(separation([], [1]), null);
});

test("the target's sentence names the cells slower in every process, and counts the others", () => {
  const rows = [
    ['short, no ttl', 0.9, 0.97, 1.3, 1, 1],
    ['1KiB, no ttl', 1, 1, 1, 1, 0.95],
  ];
  const seps = [
    ['short, no ttl', 'below', 'overlap', 'above', 'overlap', 'overlap'],
    ['1KiB, no ttl', 'overlap', 'overlap', 'overlap', 'overlap', 'below'],
  ];
  const line = targetLine('X', rows, rows, seps);
  assert.match(line, /7 of 10 cells meet it/);
  assert.match(line, /Of the 3 cells below 1\.0x, 2 are slower than lru-cache in every process/);
  assert.match(line, /set, short, no ttl \(0\.9x\); evict, 1KiB, no ttl \(0\.95x\); the others' processes overlap/);
  assert.match(line, /1 cells are faster in every process/);
  // Without separations (an older run's rows), the sentence is as before.
  assert.doesNotMatch(targetLine('X', rows, rows), /every process/);
});
