// Start-up inside workerd in instructions, which the machine's load does not move (the
// wall-clock figures of workerd-coldstart.mjs do, by tens of percent):
// `node bench/js/workerd-instructions.mjs [case ...]` runs `workerd test` on a config of one
// Worker under valgrind's cachegrind and prints the instructions of the whole process.
// workerd loads the Worker (compiling its wasm modules, evaluating its JS), runs its
// test() and exits; a case's cost is its count less that of `none`. Cases:
//   none       a Worker that imports nothing
//   cache, lru a Worker that imports `Cache` (or `LRUCache`) from 'polycache', bundled as
//              wrangler bundles it (tests/edge/wrangler-bundle.mjs: the exports map's `workerd`
//              entry, tree-shaken), builds a cache of 10,000 at module scope, one set
//              and get
//   import     `import * as m from 'polycache'`: all of the package, nothing built
//   cache-all  the same, and a `Cache` as in `cache`
//   cache-lru  `cache` with `eviction: 'lru'` (the default is 'adaptive')
//   lru-cache  lru-cache 11 (bench/js's copy), bundled the same way, as `lru`
//   wasm:A,B   only the listed dist/ wasm modules imported (compiled, not instantiated)
// Before session 8 the package's entry was bundled alone and imported whole (as `import`
// is now): a Worker paid for all of it whatever it imported.
// POLYCACHE_ROOT: another build of the package (a checkout with dist/ built).
// CALLGRIND=DIR: run callgrind instead, its profile of each case in DIR/CASE.callgrind
// (`callgrind_annotate --inclusive=yes` reads it: which part of the start costs what).
// KEEP_NAMES=1: bundle with esbuild's keepNames, as wrangler does by default; MINIFY=1:
// minified, as `wrangler deploy --minify` bundles it.
// TASK_CLOCK=N: no valgrind; the config holds N copies of the Worker and `perf stat -r 5`
// prints workerd's CPU time (task-clock: every thread, user and kernel), which the load
// moves less than the wall clock: (case - none) / N is one Worker's.
// The config is compiled to capnp's binary form first (`workerd compile --config-only`)
// and read with `workerd test --binary`, as tools that generate configs hand it over:
// the text form costs workerd about 35 instructions a byte of every file it embeds (5 M
// for a Worker with a Cache), which a deployed Worker never pays. CONFIG=text: read the
// text form, as session 7 measured.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { root } from '../../tests/edge/exports.mjs';
import { bundleWorker } from '../../tests/edge/wrangler-bundle.mjs';

const pkg = process.env.POLYCACHE_ROOT || root;
const lruCacheDir = join(root, 'bench/js/node_modules/lru-cache');
const cases = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['none', 'import', 'cache', 'lru', 'lru-cache'];
const use = (Class, options = '') => `const c = new ${Class}({ max: 10000${options} });
c.set('foo1bar', 1);
if (c.get('foo1bar') !== 1) throw new Error('the first get did not return the value set');\n`;
const SOURCES = {
  import: "import * as m from 'polycache';\nglobalThis.m = m;\n",
  cache: `import { Cache } from 'polycache';\n${use('Cache')}`,
  'cache-lru': `import { Cache } from 'polycache';\n${use('Cache', ", eviction: 'lru'")}`,
  'cache-all': `import * as m from 'polycache';\nglobalThis.m = m;\n${use('m.Cache')}`,
  lru: `import { LRUCache } from 'polycache';\n${use('LRUCache')}`,
  'lru-cache': `import { LRUCache } from 'lru-cache';\n${use('LRUCache')}`,
};

/** The capnp module list of the Worker for case `what`. */
function worker(what, dir) {
  const test = 'export default { test() {} };\n';
  if (what === 'none') {
    writeFileSync(join(dir, 'worker.js'), test);
    return ['(name = "worker.js", esModule = embed "worker.js")'];
  }
  if (what.startsWith('wasm:')) {
    const files = what.slice(5).split(',');
    const imports = files.map((f, i) => `import m${i} from './dist/${f}';`).join('\n');
    writeFileSync(join(dir, 'worker.js'), `${imports}\nglobalThis.modules = [${files.map((_, i) => `m${i}`).join(', ')}];\n${test}`);
    const wasm = (f) => `(name = "dist/${f}", wasm = embed ${JSON.stringify(relative(dir, join(pkg, 'dist', f)))})`;
    return ['(name = "worker.js", esModule = embed "worker.js")', ...files.map(wasm)];
  }
  if (!(what in SOURCES)) throw new Error(`unknown case ${what}`);
  return bundleWorker(dir, `${SOURCES[what]}${test}`, { polycache: pkg, 'lru-cache': lruCacheDir }, {
    keepNames: process.env.KEEP_NAMES === '1',
    minify: process.env.MINIFY === '1',
  });
}

for (const what of cases) {
  const dir = mkdtempSync(join(tmpdir(), 'polycache-workerd-ir-'));
  try {
    const modules = worker(what, dir);
    const ids = Array.from({ length: Number(process.env.TASK_CLOCK || 1) }, (_, i) => `w${i}`);
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [${ids.map((id) => `(name = "${id}", worker = .${id})`).join(', ')}]);
${ids.map((id) => `const ${id} :Workerd.Worker = (modules = [${modules.join(', ')}], compatibilityDate = "2024-09-23");`).join('\n')}
`,
    );
    const workerd = join(root, 'node_modules/workerd/bin/workerd');
    const out = process.env.CALLGRIND;
    const tool = out
      ? ['--tool=callgrind', `--callgrind-out-file=${join(out, `${what.replace(/[^\w.-]+/g, '_')}.callgrind`)}`]
      : ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null'];
    let config = [join(dir, 'config.capnp')];
    if (process.env.CONFIG !== 'text') {
      writeFileSync(join(dir, 'config.bin'), execFileSync(workerd, ['compile', '--config-only', config[0]], { maxBuffer: 1 << 30 }));
      config = ['--binary', join(dir, 'config.bin')];
    }
    if (process.env.TASK_CLOCK) {
      const t = spawnSync('perf', ['stat', '-r', '5', '-x', ',', '-e', 'task-clock', workerd, 'test', ...config], { encoding: 'utf8' });
      const ms = /^([\d.]+),msec,task-clock/m.exec(t.stderr);
      if (t.status !== 0 || ms === null) throw new Error(`${what}: perf stat failed\n${t.stderr.slice(-3000)}`);
      console.log(`${what.padEnd(12)} ${ms[1].padStart(10)} ms task-clock (${ids.length} Workers, mean of 5)`);
      continue;
    }
    const r = spawnSync('valgrind', [...tool, workerd, 'test', ...config], { encoding: 'utf8' });
    const ir = /(?:I\s+refs|Collected)\s*:\s+([\d,]+)/.exec(r.stderr);
    if (r.status !== 0 || ir === null) throw new Error(`${what}: workerd test failed\n${r.stderr.slice(-3000)}`);
    console.log(`${what.padEnd(12)} ${ir[1].padStart(14)} instructions`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
