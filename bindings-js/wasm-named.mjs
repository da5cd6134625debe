// The module as it ships, but with its function names: what `make size-js-wasm` shows
// (twiggy), tests/js/wasm-panics.test.mjs reads and bench/js/coldstart-liftoff.mjs names
// V8's compiles by. build.mjs keeps wasm-bindgen's output beside cargo's module
// (target/.../js-modules/<feature>.bindgen.wasm) and what its wasm-opt step starts from
// (<feature>.preopt.wasm: panics trapping, imports dropped, exports renamed); this runs
// that step on a copy, with `-g` so that the names stay. (Built from the bindgen output
// with its own steps, the module kept two imports the shipped one drops: every function's
// index was off by two, and V8's compiles were put down to the wrong functions.)
//
//   node bindings-js/wasm-named.mjs FEATURE OUT   (FEATURE: store, lru or codec)
import { execFileSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noInlineFlags } from './wasm-outlined.mjs';
import { WASM_FEATURES } from './wasm-panics.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const modules = join(root, 'target/wasm32-unknown-unknown/release/js-modules');
/** wasm-bindgen's output of module `feature`, as build.mjs kept it. */
export const bindgenModule = (feature) => join(modules, `${feature}.bindgen.wasm`);
/** What build.mjs's wasm-opt step started from for module `feature`. */
export const preoptModule = (feature) => join(modules, `${feature}.preopt.wasm`);

/** build.mjs's wasm-opt step, keeping the names, from `input` to `out`. */
export function optimizeNamed(input, out) {
  const features = WASM_FEATURES.map((f) => `--enable-${f}`);
  execFileSync(join(root, 'node_modules/.bin/wasm-opt'), [...noInlineFlags(), '-Oz', '--converge', '-g', ...features, input, '-o', out]);
}

/** Writes module `feature` to `out` as it ships, names kept; `out` is also the work file. */
export function namedModule(feature, out) {
  copyFileSync(preoptModule(feature), out);
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
