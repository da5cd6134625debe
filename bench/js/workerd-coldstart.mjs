// Start-up inside Cloudflare's runtime: `node bench/js/workerd-coldstart.mjs [workers]
// [rounds]`. workerd loads every Worker of its config, each in an isolate of its own,
// before it answers a request. So a config of N Workers that each import an
// implementation and build a first cache at module scope (as coldstart.mjs does in Node)
// is timed from starting workerd to its first answer, against the same config whose
// Workers import nothing; the difference over N is one Worker's import, compile and
// first cache. polycache is bundled as wrangler bundles it (esbuild, the `workerd` entry,
// each .wasm its own module). Rounds alternate the implementations; medians, as JSON.
// POLYCACHE_ROOT: time another build of the package (a checkout with dist/ built).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root } from '../../tests/edge/exports.mjs';
import { freePort } from '../../tests/edge/serve-worker.mjs';

const workers = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 7);
const pkg = process.env.POLYCACHE_ROOT || root;
const lruCache = join(root, 'bench/js/node_modules/lru-cache/dist/esm/browser/index.min.js');

// The entry the exports map names for workerd (bindings-js/js/workerd.js before session 7,
// dist/polycache.workerd.mjs since).
const workerdEntry = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')).exports['.'].workerd.default;
// The bundle sits where the entry is, so that its imports of the wasm modules (relative
// to the entry) name them as listed.
const bundleName = join(dirname(workerdEntry), 'bundle.js');
function polycacheModules(dir) {
  const entry = join(pkg, workerdEntry);
  execFileSync(join(root, 'node_modules/.bin/esbuild'), [entry, '--bundle', '--format=esm', '--platform=neutral', '--external:*.wasm', '--log-level=warning', `--outfile=${join(dir, 'bundle.js')}`]);
  const wasm = readdirSync(join(pkg, 'dist')).filter((f) => f.endsWith('_bg.wasm'));
  return [
    `(name = "${bundleName}", esModule = embed "bundle.js")`,
    ...wasm.map((f) => `(name = "dist/${f}", wasm = embed ${JSON.stringify(relative(dir, join(pkg, 'dist', f)))})`),
  ];
}

const use = (Class) => `const c = new ${Class}({ max: 10000 });
c.set('foo1bar', 1);
if (c.get('foo1bar') !== 1) throw new Error('the first get did not return the value set');`;
const serve = "export default { fetch() { return new Response('ok'); } };";
const IMPLS = {
  none: { source: serve, modules: () => [] },
  polycache: { source: `import { Cache } from './${bundleName}';\n${use('Cache')}\n${serve}`, modules: polycacheModules },
  'lru-cache': {
    source: `import { LRUCache } from 'lru-cache';\n${use('LRUCache')}\n${serve}`,
    modules: (dir) => [`(name = "lru-cache", esModule = embed ${JSON.stringify(relative(dir, lruCache))})`],
  },
};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function startUp(name, dir) {
  const impl = IMPLS[name];
  writeFileSync(join(dir, 'worker.js'), impl.source);
  const modules = [`(name = "worker.js", esModule = embed "worker.js")`, ...impl.modules(dir)].join(',\n    ');
  const port = await freePort();
  const ids = Array.from({ length: workers }, (_, i) => `w${i}`);
  writeFileSync(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [${ids.map((id) => `(name = "${id}", worker = .${id})`).join(', ')}],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "w0")],
);
${ids.map((id) => `const ${id} :Workerd.Worker = (\n  modules = [\n    ${modules}\n  ],\n  compatibilityDate = "2024-09-23",\n);`).join('\n')}
`,
  );
  const started = performance.now();
  const workerd = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (workerd.exitCode !== null) throw new Error(`workerd exited with ${workerd.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/`);
        if ((await res.text()) !== 'ok') throw new Error(`${name}: the worker answered ${res.status}`);
        return performance.now() - started;
      } catch (e) {
        if (e.message.includes('answered')) throw e;
        await new Promise((r) => setTimeout(r, 2));
      }
    }
  } finally {
    workerd.kill();
    await new Promise((r) => (workerd.exitCode !== null ? r() : workerd.once('exit', r)));
  }
}

const dir = mkdtempSync(join(tmpdir(), 'polycache-workerd-start-'));
const times = Object.fromEntries(Object.keys(IMPLS).map((k) => [k, []]));
try {
  for (let r = 0; r < rounds; r++) for (const name of Object.keys(IMPLS)) times[name].push(await startUp(name, dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const none = median(times.none);
const result = { workers, rounds, startUpMs: {}, perWorkerMs: {} };
for (const [name, t] of Object.entries(times)) {
  result.startUpMs[name] = Math.round(median(t) * 10) / 10;
  if (name !== 'none') result.perWorkerMs[name] = Math.round(((median(t) - none) / workers) * 100) / 100;
}
console.log(JSON.stringify(result));
