// What the store module (the wasm every import loads) must not carry, and what an import
// reads, as docs/js-size-and-speed.md and the READMEs say: its errors are joined without
// `core::fmt` (no `Display` of the core's Error, no `str::replace`), it allocates with
// talc (no dlmalloc), it has no sort and no SipHash; and Node ESM's import reads at most
// the budget below.
// Function names come from cargo's module, which build.mjs keeps beside the shipped one
// (target/.../js-modules/store.wasm: the same code before wasm-bindgen and wasm-opt).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { readLeb as leb } from '../../bindings-js/wasm-features.mjs';

const root = new URL('../../', import.meta.url);
const cargoModule = new URL('target/wasm32-unknown-unknown/release/js-modules/store.wasm', root);

/** The function names of a module's `name` section. */
function functionNames(wasm) {
  const names = [];
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at++];
    let size;
    [size, at] = leb(wasm, at);
    const end = at + size;
    if (id === 0) {
      let [len, p] = leb(wasm, at);
      if (wasm.toString('utf8', p, p + len) === 'name') {
        for (p += len; p < end; ) {
          const sub = wasm[p++];
          let subSize;
          [subSize, p] = leb(wasm, p);
          if (sub === 1) {
            let [count, q] = leb(wasm, p);
            for (; count > 0; count--) {
              [, q] = leb(wasm, q); // the function's index
              let n;
              [n, q] = leb(wasm, q);
              names.push(wasm.toString('utf8', q, q + n));
              q += n;
            }
          }
          p += subSize;
        }
      }
    }
    at = end;
  }
  return names;
}

// Symbol names as the linker left them (mangled): each path below is the run of
// length-prefixed identifiers both of Rust's manglings write for it.
const ABSENT = [
  ["the core Error's Display", 'polycache..error..Error$u20$as$u20$core..fmt..Display'],
  ['format! (alloc::fmt::format)', '5alloc3fmt6format12format_inner'],
  ['str::replace', '$LT$impl$u20$str$GT$7replace'],
  ['dlmalloc', '8dlmalloc'],
  ['a sort (core::slice::sort)', '4core5slice4sort'],
  // (Inside an impl's `<...>` the legacy mangling writes the path with `..`.)
  ["std's SipHash (a HashMap or HashSet with the default RandomState)", ['core..hash..sip..', '4core4hash3sip']],
  // It has a module of its own, loaded with LRUCache's code (lru-module.js).
  ["the LRUCache's store", '3lru8LruStore'],
];

test('the store module carries no error formatting, no dlmalloc, no sort, no SipHash and no LRUCache store', { skip: !existsSync(cargoModule) && 'run npm run build first' }, () => {
  const names = functionNames(readFileSync(cargoModule));
  assert.ok(names.some((n) => n.includes('9SlotStore')), `read ${names.length} names, the store's among them`);
  for (const [what, path] of ABSENT) {
    const found = names.filter((n) => [path].flat().some((p) => n.includes(p)));
    assert.deepEqual(found, [], `the store module links ${what}`);
  }
});

// Raise it only with the docs: README.md, bindings-js/README.md and
// docs/js-size-and-speed.md give the figure (38.9 KiB when this was set).
const IMPORT_BUDGET_GZIP = 39 * 1024;

// (Since session 16 the store wasm is read at the first `new Cache`, not at import: the
// budget is what a Cache user's program reads by then.)
test('what Node ESM reads for a first Cache (the bundle at import, the store wasm then) stays within its budget (gzip -9)', () => {
  const files = ['dist/polycache_wasm_bg.wasm', 'dist/polycache.mjs'];
  const gzip = files.reduce((n, f) => n + gzipSync(readFileSync(new URL(f, root)), { level: 9 }).length, 0);
  assert.ok(gzip <= IMPORT_BUDGET_GZIP, `${files.join(' + ')}: ${(gzip / 1024).toFixed(1)} KiB gzip, over the budget of ${IMPORT_BUDGET_GZIP / 1024} KiB`);
});

// The LRUCache's store module is built without the core's adaptive policy (bindings-js's
// `lru` feature leaves the core's `adaptive` off): 43 -> 31 KB, less for a first
// LRUCache to compile. The Cache's module keeps it (its default policy).
const ADAPTIVE = ['6policy8adaptive', '6policy5ghost', '6policy6sketch6Sketch'];
const lruModule = new URL('target/wasm32-unknown-unknown/release/js-modules/lru.wasm', root);
test("the LRUCache's store module carries no adaptive policy; the Cache's does", { skip: !existsSync(lruModule) && 'run npm run build first' }, () => {
  const lru = functionNames(readFileSync(lruModule));
  assert.ok(lru.some((n) => n.includes('3lru8LruStore')), `read ${lru.length} names, the LRUCache store's among them`);
  assert.deepEqual(lru.filter((n) => ADAPTIVE.some((p) => n.includes(p))), [], "the LRUCache's store module links the adaptive policy");
  const store = functionNames(readFileSync(cargoModule));
  for (const p of ADAPTIVE) assert.ok(store.some((n) => n.includes(p)), `the Cache's store module lacks ${p}`);
});
