// Build step (build.mjs), for the stores' modules (`store`, `lru`): they import nothing.
// Run on wasm-bindgen's output and its glue, after wasm-panics.mjs, before wasm-names.mjs.
//
// Why: V8 compiles a wrapper for each import of a module when it compiles the module, with
// its optimizing compiler (TurboFan), and a process's first such compile costs ~0.4 ms
// of its start; a module whose start function is an import re-exported (wasm-bindgen's
// `__wbindgen_start`) costs one more, a JS-to-wasm wrapper. Without them, compiling the
// store's module took 0.5 ms instead of 1.0 (docs/js-speed.md, session 21).
//
// The stores make no JS values (bindings-js/src/error.rs: a failure is a message the
// JS reads), so wasm-bindgen's glue imports only two functions into them:
// - `__wbindgen_init_externref_table`, the start function, which fills the table of JS
//   values no call of theirs uses: gone, with its export and its call in the glue.
// - `__wbindgen_throw`, which wasm-bindgen's exports call for a store used after `free()`
//   (a null pointer) or re-entered during a call of its own (its borrow flag): the JS
//   around a store makes neither happen (a freed or trapped store's methods throw before
//   any call, errors.js `guardTraps`; a store imports no JS to re-enter it from). Each
//   becomes a trap, as a panic is (wasm-panics.mjs), which those guards turn into a
//   CacheTrappedError.
// Any other import stops the build: a change that made a store import JS again.
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { readModule } from './wasm-panics.mjs';

const INIT = '__wbindgen_init_externref_table';
const THROW = /^__wbg___wbindgen_throw_[0-9a-f]+$/;

// What wasm-bindgen's glue says of them (exactly as the pinned wasm-bindgen writes it).
const GLUE = [
  /^ {8}__wbg___wbindgen_throw_[0-9a-f]+: function\(arg0, arg1\) \{\n {12}throw new Error\(getStringFromWasm0\(arg0, arg1\)\);\n {8}\},\n/m,
  /^ {8}__wbindgen_init_externref_table: function\(\) \{\n {12}const table = wasm\.__wbindgen_externrefs;\n(?: {12}table\.set\(\d+, \w+\);\n)+ {8}\},\n/m,
  /^ {4}wasm\.__wbindgen_start\(\);\n/m,
];

/** Rewrites the module `wasmFile` and its glue `glueFile` in place; the imports removed. */
export function dropImports(wasmFile, glueFile, features) {
  const m = readModule(wasmFile, features);
  const removed = [];
  for (let i = m.getNumFunctions() - 1; i >= 0; i--) {
    const f = m.getFunctionByIndex(i);
    const { name, module, base, params, results } = binaryen.getFunctionInfo(f);
    if (module === '') continue;
    if (base === INIT) {
      for (let e = m.getNumExports() - 1; e >= 0; e--) {
        const x = binaryen.getExportInfo(m.getExportByIndex(e));
        if (x.value === name) m.removeExport(x.name);
      }
      m.removeFunction(name);
    } else if (THROW.test(base)) {
      m.removeFunction(name);
      m.addFunction(name, params, results, [], m.unreachable());
    } else {
      throw new Error(`wasm-imports.mjs: ${wasmFile} imports ${module} ${base}; the stores' modules import nothing`);
    }
    removed.push(base);
  }
  if (!m.validate()) throw new Error(`wasm-imports.mjs: ${wasmFile} does not validate without its imports`);
  writeFileSync(wasmFile, m.emitBinary());
  m.dispose();
  let glue = readFileSync(glueFile, 'utf8');
  for (const text of GLUE) {
    if (!text.test(glue)) throw new Error(`wasm-imports.mjs: ${glueFile} does not have wasm-bindgen's ${text}`);
    glue = glue.replace(text, '');
  }
  writeFileSync(glueFile, glue);
  return removed;
}
