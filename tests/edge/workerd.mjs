// Runs the shared suite inside Cloudflare's runtime (the `workerd` npm package): writes
// a config.capnp whose module list holds the package files under their package paths
// (the .wasm as a `wasm` module, as Workers bundle it), serves it on 127.0.0.1 and asks
// the worker for its report.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { entryFor, report, root } from './exports.mjs';

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const dir = mkdtempSync(join(tmpdir(), 'polycache-workerd-'));
const embed = (path) => JSON.stringify(relative(dir, join(root, path)));
const js = (name) => `(name = ${JSON.stringify(name)}, esModule = embed ${embed(name)})`;
const modules = [
  `(name = "worker.js", esModule = embed ${embed('tests/edge/worker.js')})`,
  `(name = "polycache", esModule = embed "entry.js")`,
  ...readdirSync(join(root, 'bindings-js/js')).filter((f) => f.endsWith('.js')).map((f) => js(`bindings-js/js/${f}`)),
  js('dist/polycache_wasm.js'),
  `(name = "dist/polycache_wasm_bg.wasm", wasm = embed ${embed('dist/polycache_wasm_bg.wasm')})`,
  ...['suite', 'api', 'errors', 'snapshots', 'vectors', 'assert'].map((f) => js(`tests/js/${f}.mjs`)),
  ...['keys', 'timeouts', 'eviction'].map((f) => `(name = "tests/vectors/${f}.json", text = embed ${embed(`tests/vectors/${f}.json`)})`),
];
// "polycache" is what the exports map's `workerd` condition names, as a bundler resolves it.
writeFileSync(join(dir, 'entry.js'), `export * from ${JSON.stringify('./' + entryFor('workerd'))};\n`);
const port = await freePort();
writeFileSync(
  join(dir, 'config.capnp'),
  `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [(name = "main", worker = .worker)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [
    ${modules.join(',\n    ')}
  ],
  compatibilityDate = "2024-09-23",
);
`,
);

const workerd = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp')], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
let passed = false;
try {
  let res;
  for (let i = 0; i < 100 && !res; i++) {
    try {
      res = await fetch(`http://127.0.0.1:${port}/`);
    } catch {
      if (workerd.exitCode !== null) throw new Error(`workerd exited with ${workerd.exitCode}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!res) throw new Error('workerd did not answer');
  const text = await res.text();
  let result;
  try {
    result = JSON.parse(text);
  } catch {
    throw new Error(`worker answered ${res.status}: ${text.slice(0, 2000)}`);
  }
  passed = report('workerd', result);
} finally {
  workerd.kill();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(passed ? 0 : 1);
