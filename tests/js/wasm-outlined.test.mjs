// The functions the Rust code keeps out of line, so that a cache's first calls compile
// less wasm in V8 (bindings-js/wasm-outlined.mjs): each pattern still names a function
// of the store module as cargo and wasm-bindgen make it (a renamed Rust function would
// silently be inlined again), and the module as it ships keeps each apart.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import binaryen from 'binaryen';
import { OUT_OF_LINE } from '../../bindings-js/wasm-outlined.mjs';
import { bindgenModule, namedModule } from '../../bindings-js/wasm-named.mjs';

/** The names of the functions defined (not imported) in the module at `file`. */
function functionNames(file) {
  binaryen.setDebugInfo(true);
  const m = binaryen.readBinary(readFileSync(file));
  try {
    const names = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const info = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (info.module === '') names.push(info.name);
    }
    return names;
  } finally {
    m.dispose();
  }
}

/** wasm-opt's wildcard pattern (`*` for any run of characters) as a RegExp. */
const wildcard = (p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);

test('the wildcard patterns read as wasm-opt reads them', () => {
  const p = '*::store::outlined::<impl *>::make_room::*';
  assert.ok(wildcard(p).test('polycache::store::outlined::<impl polycache::store::Store<K,V,S>>::make_room::h8844af3b7b1eae91'));
  assert.ok(!wildcard(p).test('polycache::store::Store<K,V,S>::set::h0351a2cb3eb999f2'));
});

const built = existsSync(bindgenModule('store'));

test('each function kept out of line is in the store module, and stays apart once optimized', { skip: !built && 'run npm run build first' }, () => {
  const before = functionNames(bindgenModule('store'));
  const dir = mkdtempSync(join(tmpdir(), 'polycache-outlined-'));
  try {
    namedModule('store', join(dir, 'store.wasm'));
    const after = functionNames(join(dir, 'store.wasm'));
    for (const p of OUT_OF_LINE) {
      const re = wildcard(p);
      assert.equal(before.filter((n) => re.test(n)).length, 1, `${p}: one function of wasm-bindgen's store module`);
      assert.equal(after.filter((n) => re.test(n)).length, 1, `${p}: still a function of its own after wasm-opt`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
