// bindings-js/wasm-names.mjs on a module and a glue written here in wasm-bindgen's layout:
// after the step they still work together, with short names; an export the glue never
// reads is gone; a glue that would still read a renamed name stops the step.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import binaryen from 'binaryen';
import { shortNames } from '../../bindings-js/wasm-names.mjs';

const WAT = `(module
  (import "./m_bg.js" "__wbg_twice_0123456789abcdef" (func $twice (param i32) (result i32)))
  (memory (export "memory") 1)
  (global (export "__abort_handler") (mut i32) (i32.const 0))
  (func (export "store_get") (param i32) (result i32) (call $twice (i32.add (local.get 0) (i32.const 1))))
  (func (export "store_len") (result i32) (i32.const 7)))`;

const GLUE = `let wasm;
function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_twice_0123456789abcdef: function(arg0) {
            return arg0 * 2;
        },
    };
    return { __proto__: null, "./m_bg.js": import0 };
}
/** What store_get answers. */
export function get(x) { return wasm.store_get(x); }
export function len() { return wasm.store_len(); }
export function init(module) {
    wasm = new WebAssembly.Instance(module, __wbg_get_imports()).exports;
    return wasm;
}
`;

function files(glue) {
  const dir = mkdtempSync(join(tmpdir(), 'polycache-names-'));
  const m = binaryen.parseText(WAT);
  writeFileSync(join(dir, 'm_bg.wasm'), m.emitBinary());
  m.dispose();
  writeFileSync(join(dir, 'm.js'), glue);
  return dir;
}

test('the module and its glue are renamed together; what the glue never reads goes', async () => {
  const dir = files(GLUE);
  try {
    const r = shortNames(join(dir, 'm_bg.wasm'), join(dir, 'm.js'));
    assert.deepEqual(r, { imports: 1, exports: 2, dropped: ['__abort_handler'] }, 'memory keeps its name');
    const module = new WebAssembly.Module(readFileSync(join(dir, 'm_bg.wasm')));
    assert.deepEqual(WebAssembly.Module.exports(module).map((e) => e.name), ['memory', 'b', 'c']);
    assert.deepEqual(WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`), ['w.a']);
    const glue = readFileSync(join(dir, 'm.js'), 'utf8');
    assert.doesNotMatch(glue, /store_get\(|__wbg_twice_|m_bg\.js/);
    const g = await import(`data:text/javascript,${encodeURIComponent(glue)}`);
    assert.ok(g.init(module).memory instanceof WebAssembly.Memory);
    assert.deepEqual([g.get(20), g.len()], [42, 7]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a glue that reads a renamed name some other way stops the step', () => {
  const dir = files(`${GLUE}export const name = 'store_len';\n`);
  try {
    assert.throws(() => shortNames(join(dir, 'm_bg.wasm'), join(dir, 'm.js')), /still reads store_len/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
