// Start-up inside workerd in instructions, which the machine's load does not move (the
// wall-clock figures of workerd-coldstart.mjs do, by tens of percent):
// `node bench/js/workerd-instructions.mjs [case ...]` runs `workerd test` on a config of one
// Worker under valgrind's cachegrind and prints the instructions of the whole process.
// workerd loads the Worker (compiling its wasm modules, evaluating its JS), runs its
// test() and exits; a case's cost is its count less that of `none`. Cases:
//   none       a Worker that imports nothing
//   cache, lru polycache, the exports map's `workerd` entry bundled as wrangler bundles it
//              (workerd-coldstart.mjs's way), a
//              `Cache` or `LRUCache` of 10,000 built at module scope, one set and get
//   import     the same bundle imported, nothing built
//   lru-cache  lru-cache 11 (bench/js's copy), as `lru`
//   wasm:A,B   only the listed dist/ wasm modules imported (compiled, not instantiated)
// POLYCACHE_ROOT: another build of the package (a checkout with dist/ built).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { root } from '../../tests/edge/exports.mjs';

const pkg = process.env.POLYCACHE_ROOT || root;
const cases = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['none', 'import', 'cache', 'lru', 'lru-cache'];
const lruCache = join(root, 'bench/js/node_modules/lru-cache/dist/esm/browser/index.min.js');
const use = (Class) => `const c = new ${Class}({ max: 10000 });
c.set('foo1bar', 1);
if (c.get('foo1bar') !== 1) throw new Error('the first get did not return the value set');\n`;

/** The Worker's source and its other modules (capnp lines), for case `what`. */
function worker(what, dir) {
  const embed = (name, file, kind) => `(name = "${name}", ${kind} = embed ${JSON.stringify(relative(dir, file))})`;
  const wasmOf = (f) => embed(`dist/${f}`, join(pkg, 'dist', f), 'wasm');
  if (what === 'none') return ['', []];
  if (what === 'lru-cache') return [`import { LRUCache } from 'lru-cache';\n${use('LRUCache')}`, [embed('lru-cache', lruCache, 'esModule')]];
  if (what.startsWith('wasm:')) {
    const files = what.slice(5).split(',');
    const imports = files.map((f, i) => `import m${i} from './dist/${f}';`).join('\n');
    return [`${imports}\nglobalThis.modules = [${files.map((_, i) => `m${i}`).join(', ')}];\n`, files.map(wasmOf)];
  }
  const workerdEntry = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).exports['.'].workerd.default;
  const entry = join(pkg, workerdEntry);
  // Beside the entry, so that its imports of the wasm modules name them as listed.
  const bundle = join(dirname(workerdEntry), 'bundle.js');
  const args = [entry, '--bundle', '--format=esm', '--platform=neutral', '--external:*.wasm', '--log-level=warning'];
  execFileSync(join(root, 'node_modules/.bin/esbuild'), [...args, `--outfile=${join(dir, bundle)}`]);
  const modules = [
    embed(bundle, join(dir, bundle), 'esModule'),
    ...readdirSync(join(pkg, 'dist')).filter((f) => f.endsWith('_bg.wasm')).map(wasmOf),
  ];
  const bodies = { import: 'globalThis.m = m;\n', cache: use('m.Cache'), lru: use('m.LRUCache') };
  if (!(what in bodies)) throw new Error(`unknown case ${what}`);
  return [`import * as m from './${bundle}';\n${bodies[what]}`, modules];
}

for (const what of cases) {
  const dir = mkdtempSync(join(tmpdir(), 'polycache-workerd-ir-'));
  try {
    const [source, modules] = worker(what, dir);
    writeFileSync(join(dir, 'worker.js'), `${source}export default { test() {} };\n`);
    writeFileSync(
      join(dir, 'config.capnp'),
      `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .w)]);
const w :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js"), ${modules.join(', ')}],
  compatibilityDate = "2024-09-23",
);
`,
    );
    const workerd = join(root, 'node_modules/workerd/bin/workerd');
    const r = spawnSync('valgrind', ['--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null', workerd, 'test', join(dir, 'config.capnp')], { encoding: 'utf8' });
    const ir = /I\s+refs:\s+([\d,]+)/.exec(r.stderr);
    if (r.status !== 0 || ir === null) throw new Error(`${what}: workerd test failed\n${r.stderr.slice(-3000)}`);
    console.log(`${what.padEnd(12)} ${ir[1].padStart(14)} instructions`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
