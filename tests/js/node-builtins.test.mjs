// The ES module entries take Node's built-ins from process.getBuiltinModule, not by
// importing them (bindings-js/js/node-builtins.js): Node 20's facade of an imported
// node:fs loads fs's streams, 1.5 ms of a first import. Each case runs in a fresh Node
// (what a built-in loaded is per process) and lists the internal modules Node loaded
// during it (process.moduleLoadList). Where getBuiltinModule is missing (Nodes before
// 20.16), the entries import the built-ins and work the same.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
// Imported first in each fresh Node: a module of ours that imports nothing, so that what
// Node's loader loads for itself at a first import is loaded before the count starts.
const warm = new URL('../../bindings-js/js/wasm-room.js', import.meta.url).href;

/** Runs `body` (an async function's text, given `entry`'s module as `m`) in a fresh Node; its answer. */
function fresh(entry, body, { withoutGetBuiltin = false } = {}) {
  const script = `
    ${withoutGetBuiltin ? 'delete process.getBuiltinModule;' : ''}
    await import(${JSON.stringify(warm)});
    const before = new Set(process.moduleLoadList);
    const m = await import(${JSON.stringify(entry)});
    const answer = await (async () => { ${body} })();
    const loaded = process.moduleLoadList.filter((name) => !before.has(name));
    process.stdout.write(JSON.stringify({ answer, loaded }));`;
  let out;
  try {
    out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (e) {
    // (Its last lines: the error, not the minified line it points at.)
    throw new Error(`the fresh Node failed: ${e.stderr.split('\n').slice(-8).join('\n').slice(-1500)}`);
  }
  return JSON.parse(out);
}

const STREAMS = 'NativeModule internal/fs/streams';
const use = (cls) => `const c = new m.${cls}({ max: 100 }); c.set('a', 1); return c.get('a');`;

test("importing polycache and using a Cache loads none of Node's modules but import.meta's", () => {
  const { answer, loaded } = fresh('polycache', use('Cache'));
  assert.equal(answer, 1);
  assert.deepEqual(loaded, ['NativeModule internal/modules/esm/initialize_import_meta']);
});

test('polycache/lru-cache and its LRUCache likewise', () => {
  const { answer, loaded } = fresh('polycache/lru-cache', use('LRUCache'));
  assert.equal(answer, 1);
  // (globalThis.performance, which lru-cache's clock reads, is Node's perf_hooks.)
  const perf = (name) => /^NativeModule (internal\/perf\/|perf_hooks$|internal\/histogram$)/.test(name);
  assert.deepEqual(loaded.filter((name) => !perf(name)), ['NativeModule internal/modules/esm/initialize_import_meta']);
});

test('node:module and node:vm are taken when first needed: a key function, a first LRUCache', () => {
  const { answer, loaded } = fresh('polycache', `${use('LRUCache')}`);
  assert.equal(answer, 1);
  assert.ok(loaded.includes('NativeModule vm') && !loaded.includes(STREAMS), loaded.join(', '));
  const key = fresh('polycache', "return m.makeKey('p', 2, 'k');");
  assert.equal(key.answer, 'p:2:k');
  assert.ok(key.loaded.includes('NativeModule module') && !key.loaded.includes(STREAMS), key.loaded.join(', '));
});

for (const entry of ['polycache', 'polycache/lru-cache']) {
  test(`${entry} without process.getBuiltinModule imports the built-ins and works the same`, () => {
    const body = `
      const l = new m.LRUCache({ max: 2 });
      l.set('a', 1).set('b', 2).set('c', 3);
      const out = { keys: [...l.keys()], snapshotLoads: false, withoutGetBuiltin: process.getBuiltinModule === undefined };
      const copy = new m.LRUCache({ max: 2 });
      copy.loadSnapshot(l.snapshot(), { allowUnsigned: true });
      out.snapshotLoads = copy.get('c') === 3 && copy.get('a') === undefined;
      if (m.Cache !== undefined) {
        const c = new m.Cache({ max: 10 });
        c.namespace('users').set('1', 'x');
        out.cache = c.namespace('users').get('1');
        out.key = m.makeKey('p', 2, 'k');
      }
      return out;`;
    const { answer, loaded } = fresh(entry, body, { withoutGetBuiltin: true });
    assert.deepEqual(answer.keys, ['c', 'b']);
    assert.equal(answer.snapshotLoads, true);
    if (entry === 'polycache') assert.deepEqual([answer.cache, answer.key], ['x', 'p:2:k']);
    assert.equal(answer.withoutGetBuiltin, true, 'the entry ran without process.getBuiltinModule: it imported them');
    // (Node 20's facade of the imported node:fs loads the streams, as before the change.)
    if (process.version.startsWith('v20.')) assert.ok(loaded.includes(STREAMS));
  });
}
