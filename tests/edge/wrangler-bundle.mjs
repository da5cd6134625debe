// A Worker bundled the way a Cloudflare project deploys it, for workerd-split.mjs and
// bench/js/workerd-*.mjs: the Worker's source imports the package by name ('polycache',
// or 'lru-cache' for the side-by-side), and esbuild bundles it with wrangler's
// resolution (conditions workerd, worker, browser; each .wasm copied beside the bundle
// and imported as a compiled module, as `workerd test wrangler.json` does). Tree-shaking
// is on, as in wrangler: what the Worker does not import is left out (the package says
// `"sideEffects": false`). `keepNames` (wrangler's default, not workerd's) adds esbuild's
// `__name` calls for every function; `minify` is wrangler's `--minify`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { root } from './exports.mjs';

/**
 * Writes `source` as `dir`/worker.js with `packages` (name -> folder) linked under
 * `dir`/node_modules, bundles it into `dir`/out and returns the capnp module lines: the
 * bundle as "worker.js", each copied .wasm under the name the bundle imports it by.
 */
export function bundleWorker(dir, source, packages, { keepNames = false, minify = false } = {}) {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  for (const [name, folder] of Object.entries(packages)) symlinkSync(folder, join(dir, 'node_modules', name), 'dir');
  writeFileSync(join(dir, 'src.js'), source);
  const out = join(dir, 'out');
  execFileSync(join(root, 'node_modules/.bin/esbuild'), [
    join(dir, 'src.js'),
    '--bundle',
    '--format=esm',
    '--platform=browser',
    '--target=es2022',
    '--conditions=workerd,worker,browser',
    '--loader:.wasm=copy',
    ...(keepNames ? ['--keep-names'] : []),
    ...(minify ? ['--minify'] : []),
    '--log-level=warning',
    `--outdir=${out}`,
  ]);
  const embed = (f) => JSON.stringify(relative(dir, join(out, f)));
  return [
    `(name = "worker.js", esModule = embed ${embed('src.js')})`,
    ...readdirSync(out)
      .filter((f) => f.endsWith('.wasm'))
      .map((f) => `(name = "${f}", wasm = embed ${embed(f)})`),
  ];
}
