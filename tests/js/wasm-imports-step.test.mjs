// bindings-js/wasm-imports.mjs on a module and a glue written here in wasm-bindgen's
// layout: the start function (the table of JS values' filler, an import exported again)
// goes with its export and its call in the glue, the `throw` import becomes a trap, and
// the module then imports nothing and still works with its glue; any other import, or a
// glue not as the pinned wasm-bindgen writes it, stops the step.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import binaryen from 'binaryen';
import { dropImports } from '../../bindings-js/wasm-imports.mjs';
import { WASM_FEATURES } from '../../bindings-js/wasm-panics.mjs';

const wat = (extraImport = '') => `(module
  (import "./m_bg.js" "__wbg___wbindgen_throw_0123456789abcdef" (func $throw (param i32 i32)))
  (import "./m_bg.js" "__wbindgen_init_externref_table" (func $init))
  ${extraImport}
  (table $refs (export "__wbindgen_externrefs") 4 externref)
  (memory (export "memory") 1)
  (export "__wbindgen_start" (func $init))
  (func (export "store_get") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (call $throw (i32.const 0) (i32.const 0))))
    (i32.add (local.get 0) (i32.const 1))))`;

const GLUE = `let wasm;
function getStringFromWasm0(ptr, len) { return ''; }
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg___wbindgen_throw_0123456789abcdef: function(arg0, arg1) {
            throw new Error(getStringFromWasm0(arg0, arg1));
        },
        __wbindgen_init_externref_table: function() {
            const table = wasm.__wbindgen_externrefs;
            table.set(0, undefined);
            table.set(1, null);
        },
    };
    return {
        __proto__: null,
        "./m_bg.js": import0,
    };
}
function __wbg_finalize_init(instance) {
    wasm = instance.exports;
    wasm.__wbindgen_start();
    return wasm;
}
export function get(x) { return wasm.store_get(x); }
export function init(module) { return __wbg_finalize_init(new WebAssembly.Instance(module, __wbg_get_imports())); }
`;

function files(text, glue) {
  const dir = mkdtempSync(join(tmpdir(), 'polycache-imports-'));
  const m = binaryen.parseText(text);
  m.setFeatures(binaryen.Features.ReferenceTypes);
  writeFileSync(join(dir, 'm_bg.wasm'), m.emitBinary());
  m.dispose();
  writeFileSync(join(dir, 'm.js'), glue);
  return dir;
}

test('the start import goes, throw becomes a trap, and the module imports nothing', async () => {
  const dir = files(wat(), GLUE);
  try {
    const removed = dropImports(join(dir, 'm_bg.wasm'), join(dir, 'm.js'), WASM_FEATURES);
    assert.deepEqual(removed.sort(), ['__wbg___wbindgen_throw_0123456789abcdef', '__wbindgen_init_externref_table']);
    const module = new WebAssembly.Module(readFileSync(join(dir, 'm_bg.wasm')));
    assert.deepEqual(WebAssembly.Module.imports(module), []);
    assert.ok(!WebAssembly.Module.exports(module).some((e) => e.name === '__wbindgen_start'), 'its export is gone');
    const glue = readFileSync(join(dir, 'm.js'), 'utf8');
    assert.doesNotMatch(glue, /__wbindgen_start|__wbindgen_init_externref_table|__wbindgen_throw/);
    const g = await import(`data:text/javascript,${encodeURIComponent(glue)}`);
    g.init(module);
    assert.equal(g.get(41), 42);
    assert.throws(() => g.get(0), WebAssembly.RuntimeError, 'what threw now traps');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('any other import stops the step', () => {
  const dir = files(wat('(import "./m_bg.js" "__wbg_Error_0123" (func $err (param i32 i32) (result externref)))'), GLUE);
  try {
    assert.throws(() => dropImports(join(dir, 'm_bg.wasm'), join(dir, 'm.js'), WASM_FEATURES), /imports \.\/m_bg\.js __wbg_Error_0123; the stores' modules import nothing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a glue not as the pinned wasm-bindgen writes it stops the step', () => {
  const dir = files(wat(), GLUE.replace('    wasm.__wbindgen_start();\n', '    wasm.__wbindgen_start?.();\n'));
  try {
    assert.throws(() => dropImports(join(dir, 'm_bg.wasm'), join(dir, 'm.js'), WASM_FEATURES), /does not have wasm-bindgen's/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
