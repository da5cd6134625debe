// The LRUCache's views on its store's wasm memory (bindings-js/js/lru-views.js) hand
// every view a get reads to the cache (`publish`), which reads them itself (lru.js
// `get`): a view the cache kept after the views dropped theirs would read the store's
// arrays where they no longer are. The store module alone here, driven as the entries
// drive it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { LruStore, initSync } from '../../dist/polycache_lrustore.js';
import { LruViews } from '../../bindings-js/js/lru-views.js';

initSync({ module: readFileSync(new URL('../../dist/polycache_lrustore_bg.wasm', import.meta.url)) });

test('every change of the views a get reads is published: opened, timed, moved past, detached, cleared', () => {
  // A bound past what the store lays out up front: its per-slot arrays start small and
  // move as slots past them are written.
  const store = LruStore.make(1 << 20, 0);
  let seen;
  const views = new LruViews(store, (ring, fresh, covered, timed) => {
    seen = { ring, fresh, covered, timed };
  });
  assert.deepEqual([seen.ring.length, seen.covered, seen.timed], [0, 0, false], 'nothing open at first');
  const write = (slot) => {
    store.set(slot, 0, 1000, 1);
    views.wrote(slot);
  };
  write(0);
  assert.equal(views.covers(0), true);
  const opened = seen;
  assert.ok(opened.covered > 0 && opened.ring.length > 0, 'opened');
  // (The arrays may reach a little past the cover: the core's links stay put for fewer.)
  assert.ok(opened.fresh.length >= opened.covered);
  assert.equal(opened.fresh[0], views.freshUntil(0), 'the fresh-until times the views read');
  views.timing();
  assert.equal(seen.timed, true, 'timed');
  // Slots past the arrays: they move, and the published cover drops to 0 at once.
  for (let slot = 1; slot <= opened.covered; slot++) write(slot);
  assert.equal(seen.covered, 0, 'a write past the views: nothing covered');
  assert.equal(views.covers(opened.covered), true);
  assert.ok(seen.covered > opened.covered && seen.fresh.length >= seen.covered, 'opened again, wider');
  assert.equal(seen.fresh[opened.covered], views.freshUntil(opened.covered));
  // The memory grows: every view detaches, the ring's count reads undefined (lru.js).
  initSync().memory.grow(1);
  assert.equal(seen.ring[0], undefined, 'a detached ring reads undefined');
  views.hit(3);
  assert.equal(seen.ring[0], 1, 'the hit opened the views again and went into the ring');
  initSync().memory.grow(1);
  assert.equal(views.covers(1), true, 'covered again after another growth');
  assert.equal(seen.ring[0], 1, 'covers opened the views again: the queued hit is there');
  store.clear();
  views.cleared();
  assert.deepEqual([seen.covered, seen.fresh.length], [0, 0], 'cleared: nothing covered');
  store.free();
});
