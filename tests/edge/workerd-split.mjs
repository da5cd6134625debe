// workerd's entry in parts (bindings-js/js/workerd.js): a Worker bundled as wrangler
// bundles it keeps only the parts it imports, and each part works alone. For each import,
// the Worker is bundled from the package (tests/edge/wrangler-bundle.mjs), the wasm
// modules its bundle imports are checked, and `workerd test` runs it: its test() throws
// on a wrong answer. Run by workerd.mjs after the suite, and by tests/js/pack.mjs on the
// package as npm installs it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './exports.mjs';
import { bundleWorker } from './wrangler-bundle.mjs';

const check = `function check(ok, what) { if (!ok) throw new Error(what); }\n`;
const CASES = [
  {
    name: 'Cache alone',
    imports: 'Cache',
    wasm: ['polycache_codec_bg', 'polycache_wasm_bg'],
    body: `const c = new Cache({ max: 2 });
      c.set('a', 1);
      check(c.get('a') === 1, 'a value set at module scope');
      check(Cache.name === 'Cache', 'Cache.name');
      try { c.set(1, 2); check(false, 'a number key must throw'); } catch (e) { check(e.constructor.name === 'CacheKeyError', 'the error class keeps its name: ' + e.constructor.name); }
      const key = 'sixteen bytes ok';
      const d = new Cache({ max: 2 });
      check(d.loadSnapshot(c.snapshot({ key }), { key }).verified && d.get('a') === 1, 'a signed snapshot round trip');`,
    // The key functions' code (keys.js, and its glue) is the keys part's alone.
    absent: ['maxLength'],
  },
  {
    // Two parts that each hand codec.js and the Cache's extras what they use
    // (workerd-setup.js): the snapshot methods and the key functions both work.
    name: 'Cache and key functions',
    imports: 'Cache, makeKey, shortenKey',
    wasm: ['polycache_codec_bg', 'polycache_wasm_bg'],
    body: `const key = 'sixteen bytes ok';
      const c = new Cache({ max: 2 });
      c.set(makeKey('p', 1, 'k'), 1);
      const d = new Cache({ max: 2 });
      check(d.loadSnapshot(c.snapshot({ key }), { key }).verified && d.get('p:1:k') === 1, 'a signed snapshot round trip');
      check(shortenKey('x'.repeat(300), 250).length <= 250, 'shortenKey');
      const e = new Cache({ max: 2 });
      e.load(c.dump());
      check(e.get('p:1:k') === 1, 'a dump loaded');`,
  },
  {
    name: 'LRUCache alone',
    imports: 'LRUCache',
    wasm: ['polycache_codec_bg', 'polycache_lrustore_bg'],
    body: `const l = new LRUCache({ max: 1 });
      l.set('a', 1).set('b', 2);
      check(l.get('a') === undefined && l.get('b') === 2, 'LRUCache evicts');
      check(LRUCache.name === 'LRUCache', 'LRUCache.name');
      const key = 'sixteen bytes ok';
      const m = new LRUCache({ max: 1 });
      m.loadSnapshot(l.snapshot({ key }), { key });
      check(m.get('b') === 2, "an LRUCache's signed snapshot round trip");`,
    absent: ['maxLength'],
  },
  {
    name: 'key functions alone',
    imports: 'makeKey',
    wasm: ['polycache_codec_bg'],
    body: `check(makeKey('p', 1, 'k') === 'p:1:k', 'makeKey');`,
  },
  {
    name: 'error classes alone',
    imports: 'CacheKeyError',
    wasm: [],
    body: `check(CacheKeyError.name === 'CacheKeyError' && new CacheKeyError('x').name === 'CacheKeyError', 'CacheKeyError');`,
  },
];

/**
 * Runs every case on the package at `pkg` (this repository, or an installed copy: pack.mjs);
 * returns `{ passed, failed, failures }`.
 */
export function runSplit(pkg = root) {
  const failures = [];
  for (const c of CASES) {
    const dir = mkdtempSync(join(tmpdir(), 'polycache-workerd-split-'));
    try {
      const source = `import { ${c.imports} } from 'polycache';\n${check}export default { test() {\n${c.body}\n} };\n`;
      let modules;
      try {
        modules = bundleWorker(dir, source, { polycache: pkg });
      } catch (e) {
        failures.push(`${c.name}: bundling failed: ${e.stderr || e.message}`);
        continue;
      }
      const bundled = readFileSync(join(dir, 'out', 'src.js'), 'utf8');
      const held = (c.absent || []).filter((text) => bundled.includes(text));
      if (held.length > 0) {
        failures.push(`${c.name}: the bundle holds ${held.map((t) => JSON.stringify(t))}, code of a part it does not import`);
        continue;
      }
      const wasm = modules.flatMap((m) => /name = "([a-z_]+)-[A-Z0-9]+\.wasm"/.exec(m)?.[1] ?? []).sort();
      if (wasm.join() !== c.wasm.join()) {
        failures.push(`${c.name}: the bundle imports the wasm modules [${wasm}], expected [${c.wasm}]`);
        continue;
      }
      writeFileSync(
        join(dir, 'config.capnp'),
        `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .w)]);
const w :Workerd.Worker = (modules = [${modules.join(', ')}], compatibilityDate = "2024-09-23");
`,
      );
      const r = spawnSync(join(root, 'node_modules/.bin/workerd'), ['test', join(dir, 'config.capnp')], { encoding: 'utf8' });
      if (r.status !== 0) failures.push(`${c.name}: ${(r.stderr || '').split('\n').filter((l) => /Error|FAIL/.test(l)).join(' | ') || `exit ${r.status}`}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { passed: CASES.length - failures.length, failed: failures.length, failures };
}
