// The package as a user gets it from a clone: `npm pack`, then `npm install <tarball>` into
// a scratch project outside the repository (offline: the package has no dependencies),
// then import and require it there. Catches files missing from package.json's "files",
// paths that only resolve inside the repository, and a tarball npm refuses to install
// (the package's entry and `polycache/lru-cache`).
// Then a Worker bundled from the install as wrangler bundles it, for each part of
// workerd's entry (tests/edge/workerd-split.mjs). Then, with the LRUCache's store's wasm
// taken out of the install, the first LRUCache must throw an error that says what failed,
// and a Cache must still work.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSplit } from '../edge/workerd-split.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'polycache-pack-'));
const checks = [];
try {
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'uses-polycache', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, filename)], { cwd: dir, stdio: 'pipe' });
  const use = `c.set('k', 41); if (c.get('k') + 1 !== 42) throw new Error('wrong value');
    if (m.makeKey('p', 1, 'k') !== 'p:1:k') throw new Error('wrong key');
    const l = new m.LRUCache({ max: 1 }); l.set('a', 1).set('b', 2);
    if (l.get('a') !== undefined || l.get('b') !== 2) throw new Error('wrong LRUCache');`;
  writeFileSync(join(dir, 'esm.mjs'), `import * as m from 'polycache'; const c = new m.Cache({ max: 2 }); ${use}\n`);
  writeFileSync(join(dir, 'cjs.cjs'), `const m = require('polycache'); const c = new m.Cache({ max: 2 }); ${use}\n`);
  // The drop-in's own entry: the class alone in Node ESM (the package's in CommonJS).
  const lruOnly = `const l = new m.LRUCache({ max: 1 }); l.set('a', 1).set('b', 2);
    if (l.get('a') !== undefined || l.get('b') !== 2) throw new Error('wrong LRUCache');
    if (typeof m.CacheLoadError !== 'function') throw new Error('no CacheLoadError');`;
  writeFileSync(join(dir, 'lru-esm.mjs'), `import * as m from 'polycache/lru-cache'; if (m.Cache) throw new Error('the Cache too'); ${lruOnly}\n`);
  writeFileSync(join(dir, 'lru-cjs.cjs'), `const m = require('polycache/lru-cache'); ${lruOnly}\n`);
  const missing = `for (let i = 0; i < 2; i++) {
      try { new m.LRUCache({ max: 1 }); throw new Error('no error'); } catch (e) {
        if (!/^polycache: loading LRUCache's code and its wasm module failed: ENOENT/.test(e.message)) throw e;
      }
    }
    const c = new m.Cache({ max: 2 }); c.set('k', 1); if (c.get('k') !== 1) throw new Error('wrong value');`;
  // The Cache's store wasm, read at the first `new Cache`: without it the import and an
  // LRUCache work, and each `new Cache` says what failed.
  const missingStore = `const l = new m.LRUCache({ max: 1 }); l.set('a', 1); if (l.get('a') !== 1) throw new Error('wrong LRUCache');
    for (let i = 0; i < 2; i++) {
      try { new m.Cache({ max: 1 }); throw new Error('no error'); } catch (e) {
        if (!/^polycache: loading the Cache's wasm module failed: ENOENT/.test(e.message)) throw e;
      }
    }`;
  writeFileSync(join(dir, 'missing-store-esm.mjs'), `import * as m from 'polycache'; ${missingStore}\n`);
  writeFileSync(join(dir, 'missing-store-cjs.cjs'), `const m = require('polycache'); ${missingStore}\n`);
  writeFileSync(join(dir, 'missing-esm.mjs'), `import * as m from 'polycache'; ${missing}\n`);
  writeFileSync(join(dir, 'missing-cjs.cjs'), `const m = require('polycache'); ${missing}\n`);
  writeFileSync(join(dir, 'missing-lru-esm.mjs'), `try { await import('polycache/lru-cache'); throw new Error('no error'); } catch (e) {
      if (!/^polycache: loading LRUCache's wasm module failed: ENOENT/.test(e.message)) throw e;
    }\n`);
  // TypeScript's resolutions that read the exports map, and node10's, which does not
  // (package.json's typesVersions names the subpath's types for it).
  writeFileSync(join(dir, 'types.ts'), `import { LRUCache, CacheLoadError } from 'polycache/lru-cache';
    import { Cache } from 'polycache';
    const l: LRUCache<string, number> = new LRUCache({ max: 1 });
    const c: Cache<number> = new Cache({ max: 1 });
    export const both: [number | undefined, number | undefined, boolean] = [l.get('a'), c.get('a'), new CacheLoadError('x') instanceof Error];\n`);
  for (const [module, resolution] of [['nodenext', 'nodenext'], ['commonjs', 'node10'], ['esnext', 'bundler']]) {
    const config = `tsconfig.${resolution}.json`;
    writeFileSync(join(dir, config), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'es2022', module, moduleResolution: resolution, types: [], lib: ['es2022', 'dom'] }, files: ['types.ts'] }));
    try {
      execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      checks.push([`types (${resolution})`, null]);
    } catch (e) {
      checks.push([`types (${resolution})`, e.stdout || e.message]);
    }
  }
  const split = runSplit(join(dir, 'node_modules/polycache'));
  checks.push(['workerd parts', split.failed === 0 ? null : split.failures.join('\n')]);
  const runs = [
    ['esm.mjs', () => {}],
    ['cjs.cjs', () => {}],
    ['lru-esm.mjs', () => {}],
    ['lru-cjs.cjs', () => {}],
    ['missing-esm.mjs', () => renameSync(join(dir, 'node_modules/polycache/dist/polycache_lrustore_bg.wasm'), join(dir, 'gone.wasm'))],
    ['missing-cjs.cjs', () => {}],
    ['missing-lru-esm.mjs', () => {}],
    ['missing-store-esm.mjs', () => {
      const dist = join(dir, 'node_modules/polycache/dist');
      renameSync(join(dir, 'gone.wasm'), join(dist, 'polycache_lrustore_bg.wasm'));
      renameSync(join(dist, 'polycache_wasm_bg.wasm'), join(dir, 'gone.wasm'));
    }],
    ['missing-store-cjs.cjs', () => {}],
  ];
  for (const [file, before] of runs) {
    before();
    try {
      execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      checks.push([file, null]);
    } catch (e) {
      checks.push([file, e.stderr || e.message]);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const [file, err] of checks) if (err) console.error(`FAIL pack ${file}: ${err}`);
const failed = checks.filter(([, e]) => e).length;
console.log(`pack: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 && checks.length > 0 ? 0 : 1);
