// Build step (build.mjs, after wasm-opt): writes a module's initial memory size as a
// five-byte LEB128 (the same number, padded), so that an entry point that reads the
// module's bytes can give it more room in place before compiling it
// (bindings-js/js/wasm-room.js).
//
// Why: growing a wasm memory detaches its old ArrayBuffer, and the first ArrayBuffer
// detached in a V8 isolate turns off an optimization for every typed array in it: from
// then on each typed-array access checks for detachment. A `Cache`'s gets, sets and
// evictions read and write the store's memory through typed arrays (and so do lru-cache,
// mnemonist, Node's Buffer code...). Every module started with 17 pages, the 1 MiB stack
// and its data, so a process's first cache grew it. Node, Deno and browsers read the
// bytes and start the stores with 16 MiB (untouched pages cost no RAM), which the allocator takes
// before it grows anything (bindings-js/src/grow.rs); docs/js-speed.md, session 26.
import { readFileSync, writeFileSync } from 'node:fs';
import { roomy } from './js/wasm-room.js';
import { leb, readLeb, sections } from './wasm-features.mjs';

/** Where the initial pages of `wasm`'s one memory are written (five bytes, once padded), or throws. */
export function initialPagesAt(wasm) {
  for (const { id, at } of sections(wasm)) {
    if (id !== 5) continue;
    const [count, flagsAt] = readLeb(wasm, at);
    // One memory, no maximum, not shared: then raising the initial size is all it takes.
    if (count !== 1 || wasm[flagsAt] !== 0) throw new Error(`wasm-memory: one memory without a maximum expected (count ${count}, flags ${wasm[flagsAt]})`);
    return flagsAt + 1;
  }
  throw new Error('wasm-memory: the module has no memory section');
}

/** Rewrites `file` with its initial memory pages padded to five bytes; the pages. */
export function padInitialPages(file) {
  const wasm = readFileSync(file);
  const pagesAt = initialPagesAt(wasm);
  const section = [...sections(wasm)].find((s) => s.id === 5);
  const [pages, end] = readLeb(wasm, pagesAt);
  // The section with five bytes of room for the pages, which the entry points' own
  // writer then fills (so there is one way to write them).
  const body = Buffer.concat([wasm.subarray(section.at, pagesAt), Buffer.alloc(5), wasm.subarray(end, section.end)]);
  const head = Buffer.from([5, ...leb(body.length)]);
  const out = roomy(Buffer.concat([wasm.subarray(0, section.start), head, body, wasm.subarray(section.end)]), pages);
  if (readLeb(out, initialPagesAt(out))[0] !== pages) throw new Error(`wasm-memory: ${file} does not read ${pages} pages back`);
  writeFileSync(file, out);
  return pages;
}
