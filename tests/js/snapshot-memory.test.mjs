// What snapshot() and loadSnapshot() cost in wasm memory, which grows and never shrinks:
// measured as WebAssembly.Memory's byteLength around each call, in a process of its own
// (node --test runs each file apart). Before issue 11 a 50 MiB snapshot() grew it by
// ~160 MiB and a loadSnapshot() by ~225 MiB.
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { Cache } from 'polycache';
import { eq, ok } from './assert.mjs';

// Node's entry loads the snapshot and key module's glue with require, on first use: the
// same module object here.
const { initSync: codecInit } = createRequire(import.meta.url)('../../dist/polycache_codec.cjs');

// The snapshot module comes with the first snapshot; initSync then hands back its instance.
new Cache({ max: 1 }).snapshot();
const store = Cache[Symbol.for('polycache.storeMemory')];
const codec = codecInit({ module: new Uint8Array(0) });
// Both modules' memories: a snapshot passes through the store's (its entries and
// generations) and the snapshot module's (the encoding).
const memory = () => store.buffer.byteLength + codec.memory.buffer.byteLength;
const MiB = 1 << 20;
const KEY = 'the memory test key, 16+ bytes';

test('snapshot() and loadSnapshot() do not grow wasm memory with the snapshot', () => {
  const src = new Cache({ max: 2000 });
  const value = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 2000; i++) src.set(`k${i}`, `${i}${value}`);
  const before = memory();
  const bytes = src.snapshot({ key: KEY });
  const written = memory() - before;
  ok(bytes.length > 30 * MiB, `a large snapshot (${bytes.length} bytes)`);
  // One value and a 64 KiB piece of output at a time.
  ok(written <= 2 * MiB, `snapshot() grew wasm memory by ${written} bytes for ${bytes.length}`);

  const small = new Cache({ max: 10 });
  const start = memory();
  eq(small.loadSnapshot(bytes, { key: KEY }).entries, 10, 'loaded');
  const read = memory() - start;
  // The input stays in JS; the core sees a 1 MiB window of it at a time.
  ok(read <= 4 * MiB, `loadSnapshot() grew wasm memory by ${read} bytes for ${bytes.length}`);
  eq(small.get('k1999').length, value.length + 4, 'the last entry');
});
