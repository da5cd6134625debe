// Serves one worker in Cloudflare's runtime (the `workerd` npm package) and fetches its
// answer: writes a config.capnp whose module list holds the package files under their
// package paths (the .wasm as a `wasm` module, as Workers bundle it) plus the caller's
// own modules, listens on a free 127.0.0.1 port, and stops workerd afterwards.
// Shared by the edge suite (tests/edge/workerd.mjs) and the snapshot e2e (tests/e2e).
import { spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, relative } from 'node:path';
import { entryFor, root } from './exports.mjs';

export function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Runs `worker` (a repo-relative path) in workerd from the folder `dir` and returns
 * `{ status, text }` of its answer to `GET /`. `esModules` and `textModules` are more
 * repo-relative files for the worker to import; `bindings` are capnp binding lines.
 */
export async function serveWorker({ dir, worker, esModules = [], textModules = [], bindings = [] }) {
  const embed = (path) => JSON.stringify(relative(dir, join(root, path)));
  const js = (name) => `(name = ${JSON.stringify(name)}, esModule = embed ${embed(name)})`;
  const modules = [
    `(name = "worker.js", esModule = embed ${embed(worker)})`,
    `(name = "polycache", esModule = embed "entry.js")`,
    ...readdirSync(join(root, 'bindings-js/js')).filter((f) => f.endsWith('.js')).map((f) => js(`bindings-js/js/${f}`)),
    // The entry the exports map names for workerd and the minified files it re-exports
    // (bindings-js/workerd-bundle.mjs).
    ...readdirSync(join(root, 'dist')).filter((f) => /^polycache\.workerd.*\.mjs$/.test(f)).map((f) => js(`dist/${f}`)),
    // The store's module, the LRUCache's store's and the snapshot and key module, each its
    // glue and its wasm.
    ...['polycache_wasm', 'polycache_lrustore', 'polycache_codec'].flatMap((m) => [
      js(`dist/${m}.js`),
      `(name = "dist/${m}_bg.wasm", wasm = embed ${embed(`dist/${m}_bg.wasm`)})`,
    ]),
    ...esModules.map(js),
    ...textModules.map((f) => `(name = ${JSON.stringify(f)}, text = embed ${embed(f)})`),
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
  ],${bindings.length ? `\n  bindings = [${bindings.join(', ')}],` : ''}
  compatibilityDate = "2024-09-23",
);
`,
  );
  const workerd = spawn(join(root, 'node_modules/.bin/workerd'), ['serve', join(dir, 'config.capnp')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
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
    return { status: res.status, text: await res.text() };
  } finally {
    workerd.kill();
  }
}
