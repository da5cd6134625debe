// Start-up inside Cloudflare's runtime: `node bench/js/workerd-coldstart.mjs [workers]
// [rounds]`. workerd loads every Worker of its config, each in an isolate of its own,
// before it answers a request. So a config of N Workers that each import an
// implementation and build a first cache at module scope (as coldstart.mjs does in Node)
// is timed from starting workerd to its first answer, against the same config whose
// Workers import nothing; the difference over N is one Worker's import, compile and
// first cache. Each Worker is bundled as wrangler bundles it (tests/edge/wrangler-bundle.mjs:
// `import { Cache } from 'polycache'`, tree-shaken, each .wasm its own module), and the
// config handed to workerd in capnp's binary form, compiled before the clock starts (as
// workerd-instructions.mjs does). Rounds alternate the implementations; medians, as JSON.
// POLYCACHE_ROOT: time another build of the package (a checkout with dist/ built);
// POLYCACHE_BASE: time one more beside this one, in the same rounds ('polycache-base').
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { root } from '../../tests/edge/exports.mjs';
import { freePort } from '../../tests/edge/serve-worker.mjs';
import { bundleWorker } from '../../tests/edge/wrangler-bundle.mjs';

const workers = Number(process.argv[2] ?? 10);
const rounds = Number(process.argv[3] ?? 7);
const pkg = process.env.POLYCACHE_ROOT || root;
const packages = { polycache: pkg, 'lru-cache': join(root, 'bench/js/node_modules/lru-cache') };
if (process.env.POLYCACHE_BASE) packages['polycache-base'] = process.env.POLYCACHE_BASE;

const use = (Class) => `const c = new ${Class}({ max: 10000 });
c.set('foo1bar', 1);
if (c.get('foo1bar') !== 1) throw new Error('the first get did not return the value set');`;
const serve = "export default { fetch() { return new Response('ok'); } };";
// Each Worker's source, bundled once per run (tests/edge/wrangler-bundle.mjs): its modules.
const SOURCES = {
  none: serve,
  polycache: `import { Cache } from 'polycache';\n${use('Cache')}\n${serve}`,
  'polycache LRUCache': `import { LRUCache } from 'polycache';\n${use('LRUCache')}\n${serve}`,
  'lru-cache': `import { LRUCache } from 'lru-cache';\n${use('LRUCache')}\n${serve}`,
};
if (process.env.POLYCACHE_BASE) SOURCES['polycache-base'] = SOURCES.polycache.replace("'polycache'", "'polycache-base'");
const IMPLS = {};

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

async function startUp(name, dir) {
  const modules = IMPLS[name].join(',\n    ');
  const port = await freePort();
  const ids = Array.from({ length: workers }, (_, i) => `w${i}`);
  writeFileSync(
    join(dir, name, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [${ids.map((id) => `(name = "${id}", worker = .${id})`).join(', ')}],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "w0")],
);
${ids.map((id) => `const ${id} :Workerd.Worker = (\n  modules = [\n    ${modules}\n  ],\n  compatibilityDate = "2024-09-23",\n);`).join('\n')}
`,
  );
  const bin = join(root, 'node_modules/.bin/workerd');
  const config = join(dir, name, 'config.bin');
  writeFileSync(config, execFileSync(bin, ['compile', '--config-only', join(dir, name, 'config.capnp')], { maxBuffer: 1 << 30 }));
  const started = performance.now();
  const workerd = spawn(bin, ['serve', '--binary', config], {
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
const times = Object.fromEntries(Object.keys(SOURCES).map((k) => [k, []]));
try {
  for (const [name, source] of Object.entries(SOURCES)) {
    mkdirSync(join(dir, name));
    IMPLS[name] = bundleWorker(join(dir, name), source, packages);
  }
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
