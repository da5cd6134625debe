// The module as it ships, but with its function names: what `make size-js-wasm` shows
// (twiggy) and tests/js/wasm-panics.test.mjs reads. build.mjs keeps wasm-bindgen's output
// beside cargo's module (target/.../js-modules/<feature>.bindgen.wasm); this runs the rest
// of the build's steps on a copy, wasm-opt with `-g` so that the names stay.
//
//   node bindings-js/wasm-named.mjs FEATURE OUT   (FEATURE: store, lru or codec)
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noInlineFlags } from './wasm-outlined.mjs';
import { WASM_FEATURES, trapPanics } from './wasm-panics.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** wasm-bindgen's output of module `feature`, as build.mjs kept it. */
export const bindgenModule = (feature) => join(root, 'target/wasm32-unknown-unknown/release/js-modules', `${feature}.bindgen.wasm`);

/** wasm-opt -Oz with the build's features, keeping the names, from `input` to `out`. */
export function optimizeNamed(input, out) {
  execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [...noInlineFlags(), '-Oz', '-g', ...WASM_FEATURES.map((f) => `--enable-${f}`), input, '-o', out]);
}

/** Writes module `feature` to `out` as it ships, names kept; `out` is also the work file. */
export function namedModule(feature, out) {
  copyFileSync(bindgenModule(feature), out);
  trapPanics(out, WASM_FEATURES);
  optimizeNamed(out, out);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [feature, out] = process.argv.slice(2);
  if (!['store', 'lru', 'codec'].includes(feature) || out === undefined) {
    console.error('usage: node bindings-js/wasm-named.mjs store|lru|codec OUT');
    process.exit(2);
  }
  namedModule(feature, out);
}
