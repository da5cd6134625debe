// Build step (build.mjs): workerd's entry, dist/polycache.workerd.mjs, and the files it
// re-exports. Workers load no code after start-up, so a Worker parses and compiles all
// that its bundle holds at every start; the bundler it deploys with keeps only the
// files whose exports it imports (js/workerd.js says how the API is split). Each entry
// (js/workerd-*.js) is minified into dist/polycache.workerd-NAME.mjs, the code two of
// them share into dist/polycache.workerd-chunk-HASH.mjs (esbuild's splitting: one copy
// of every module), each .wasm imported from beside them, compiled, as Workers require.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { build } from 'esbuild';

/** The entries js/workerd.js re-exports, by NAME (`export * from './workerd-NAME.js'`). */
export function workerdEntries(root) {
  const source = readFileSync(join(root, 'bindings-js', 'js', 'workerd.js'), 'utf8');
  const names = [...source.matchAll(/^export \* from '\.\/workerd-([a-z]+)\.js';$/gm)].map((m) => m[1]);
  if (names.length === 0) throw new Error('workerd-bundle.mjs: js/workerd.js re-exports no workerd-NAME.js');
  return names;
}

// The wasm modules stay imports, named as their neighbours in dist/.
const wasmBeside = {
  name: 'wasm-beside',
  setup(b) {
    b.onResolve({ filter: /\.wasm$/ }, (args) => ({ path: `./${basename(args.path)}`, external: true }));
  },
};

/** Builds the workerd files into `dist` (the last build's chunks removed first). */
export async function buildWorkerd(root, dist) {
  for (const f of readdirSync(dist)) if (f.startsWith('polycache.workerd')) rmSync(join(dist, f));
  const js = join(root, 'bindings-js', 'js');
  const entries = workerdEntries(root);
  await build({
    entryPoints: Object.fromEntries(entries.map((n) => [`polycache.workerd-${n}`, join(js, `workerd-${n}.js`)])),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    minify: true,
    outdir: dist,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'polycache.workerd-chunk-[hash]',
    plugins: [wasmBeside],
    logLevel: 'warning',
  });
  // The entry the exports map names: js/workerd.js's re-exports, of the built files.
  const entry = entries.map((n) => `export*from"./polycache.workerd-${n}.mjs";`).join('');
  writeFileSync(join(dist, 'polycache.workerd.mjs'), `${entry}\n`);
  const built = readdirSync(dist).filter((f) => f.startsWith('polycache.workerd'));
  console.log(`built ${built.map((f) => relative(root, join(dist, f))).join(', ')}`);
}
