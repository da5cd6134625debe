// The build step that makes panics trap without formatting (bindings-js/wasm-panics.mjs):
// its table pruning on small modules whose answer is known, and its effect on the real
// store module, read with its function names (wasm-named.mjs).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import binaryen from 'binaryen';
import { deadEntries, graph } from '../../bindings-js/wasm-panics.mjs';
import { bindgenModule, namedModule, optimizeNamed } from '../../bindings-js/wasm-named.mjs';

/** The table entries wasm-panics.mjs finds dead in the module `wat`. */
function dead(wat) {
  const m = binaryen.parseText(wat);
  try {
    return [...deadEntries(graph(m.emitText()))].sort();
  } finally {
    m.dispose();
  }
}

const TYPES = `
  (type $pair (func (param i32 i32)))
  (type $one (func (param i32)))
  (type $ret (func (param i32) (result i32)))`;

test('an entry is dead when no reachable call_indirect has its signature', () => {
  const wat = `(module ${TYPES}
    (table 4 funcref)
    (elem (i32.const 0) $a $b $c $d)
    (func $a (param i32 i32))
    (func $b (param i32))
    (func $c (param i32) (result i32) (i32.const 0))
    (func $d (param i32))
    (func $run (export "run") (param i32)
      (call_indirect (type $pair) (i32.const 0) (i32.const 0) (local.get 0))))`;
  assert.deepEqual(dead(wat), ['b', 'c', 'd']);
});

test('an entry called directly stays, and a live entry makes its own indirect calls live', () => {
  const wat = `(module ${TYPES}
    (table 3 funcref)
    (elem (i32.const 0) $a $b $c)
    (func $a (param i32 i32) (call_indirect (type $one) (i32.const 0) (local.get 0)))
    (func $b (param i32))
    (func $c (param i32) (result i32) (i32.const 0))
    (func $helper (call $c (i32.const 0)) (drop))
    (func $run (export "run") (param i32)
      (call $helper)
      (call_indirect (type $pair) (i32.const 0) (i32.const 0) (local.get 0))))`;
  // $a is live (a $pair call), so its $one call makes $b live; $c is only called directly.
  assert.deepEqual(dead(wat), []);
});

test('an entry only a dead function calls indirectly is dead', () => {
  const wat = `(module ${TYPES}
    (table 2 funcref)
    (elem (i32.const 0) $a $b)
    (func $a (param i32 i32))
    (func $b (param i32))
    (func $unused (param i32) (call_indirect (type $one) (i32.const 0) (local.get 0)))
    (func $run (export "run") (param i32)
      (call_indirect (type $pair) (i32.const 0) (i32.const 0) (local.get 0))))`;
  assert.deepEqual(dead(wat), ['b']);
});

test('nothing is pruned when a function of the table can escape it', () => {
  const wat = `(module ${TYPES}
    (table 2 funcref)
    (elem (i32.const 0) $a $b)
    (func $a (param i32 i32))
    (func $b (param i32))
    (func $run (export "run") (param i32) (result funcref)
      (call_indirect (type $pair) (i32.const 0) (i32.const 0) (local.get 0))
      (table.get (local.get 0))))`;
  assert.deepEqual(dead(wat), []);
});

/**
 * The functions named like `pattern` in the module at `file` that do more than trap
 * (wasm-opt merges identical bodies, so one trap may keep any of their names).
 */
function named(file, pattern) {
  const m = binaryen.readBinary(readFileSync(file));
  try {
    const out = [];
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const { name, body } = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (pattern.test(name) && binaryen.getExpressionId(body) !== binaryen.UnreachableId) out.push(name);
    }
    return out;
  } finally {
    m.dispose();
  }
}

test('the store module keeps no formatting once its panics trap', { skip: !existsSync(bindgenModule('store')) && 'run npm run build first' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'polycache-panics-'));
  try {
    const FORMATTING = /core(\[[0-9a-f]+\])?::fmt::(write|Display>::fmt|Write>::write_fmt)$/;
    optimizeNamed(bindgenModule('store'), join(dir, 'before.wasm'));
    assert.ok(named(join(dir, 'before.wasm'), FORMATTING).length >= 3, 'the formatter is there without the step');
    namedModule('store', join(dir, 'after.wasm'));
    assert.deepEqual(named(join(dir, 'after.wasm'), FORMATTING), []);
    assert.ok(named(join(dir, 'after.wasm'), /slotstore_set/).length > 0, "the store's exports are still there");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
