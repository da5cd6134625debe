// What `make bench-js` says of a cell below 1.0x (bench/js/report.mjs): only one whose
// processes are all slower than all of lru-cache's is counted as a gap; the rest overlap.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getsLine, separation, startUpLine, targetLine } from '../../bench/js/report.mjs';

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

test("the gets target's sentence: ahead of both peers where both ran, tiny-lru alone with a TTL, ties behind", () => {
  const ops = (get1, get2) => ({ set: 1, get1, update: 1, get2, evict: 1 });
  const cases = [
    { impl: 'ours', shape: 'short', ttl: 0, opsPerMs: ops(110, 90) },
    { impl: 'mnemonist LRUMap', shape: 'short', ttl: 0, opsPerMs: ops(100, 95) },
    { impl: 'tiny-lru', shape: 'short', ttl: 0, opsPerMs: ops(105, 80) },
    { impl: 'ours', shape: 'short', ttl: 60_000, opsPerMs: ops(50, 40) },
    { impl: 'tiny-lru', shape: 'short', ttl: 60_000, opsPerMs: ops(20, 40) },
    // A bounded run and a shape no peer ran are not cells.
    { impl: 'ours', shape: 'short', ttl: 0, mode: 'sized', opsPerMs: ops(1, 1) },
    { impl: 'ours', shape: '1KiB', ttl: 0, opsPerMs: ops(1, 1) },
  ];
  const line = getsLine(cases, ['ours']);
  assert.match(line, /ours ahead of both in 2 of 4; behind in /);
  assert.match(line, /get \(shuffled\), short, no ttl \(90 against mnemonist LRUMap 95\)/);
  assert.match(line, /get \(shuffled\), short, ttl 60 s \(40 against tiny-lru 40\)/);
  assert.doesNotMatch(line, /1KiB|get, short/);
  assert.equal(getsLine(cases.slice(0, 1), ['ours']), '', 'no peer ran: no sentence');
});

test("the start-up sentence counts ours against 5 ms on each Node, the baseline beside them", () => {
  const at = (ms) => ({ readyToFirstGetMs: ms });
  const cold = { polycache: at(5.2), 'polycache/lru-cache': at(4.9), 'lru-cache': at(4.5) };
  const nodes = { '22.1.0': { polycache: at(4.1), 'lru-cache': at(3.2) }, '24.1.0': { polycache: at(5.01), 'lru-cache': at(3) } };
  const line = startUpLine(cold, { error: 'no workerd' }, 'lru-cache', nodes);
  assert.match(line, /: 1 of 2 meet it: polycache 5\.2 ms, polycache\/lru-cache 4\.9 ms; lru-cache 4\.5 ms\./);
  assert.match(line, /On Node 22\.1\.0: 1 of 1 meet it: polycache 4\.1 ms; lru-cache 3\.2 ms\./);
  assert.match(line, /On Node 24\.1\.0: 0 of 1 meet it: polycache 5\.01 ms; lru-cache 3 ms\./);
  // Without other Nodes (none installed, or an older run), the sentence is the machine's alone.
  assert.doesNotMatch(startUpLine(cold, { error: 'no workerd' }, 'lru-cache'), /On Node/);
});
