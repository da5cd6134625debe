// Builds the npm package's generated files into dist/:
//   cargo (wasm32), once per module -> target_features without multivalue
//   (wasm-features.mjs) -> wasm-bindgen --target web -> panics that trap
//   (wasm-panics.mjs) -> the stores without imports (wasm-imports.mjs) -> wasm-opt -Oz -> short import and export names (wasm-names.mjs)
//   -> esbuild (the glue, the Node ESM bundle and the CJS bundle).
// Tools: WASM_BINDGEN (default: the pinned CLI that mk/js.mk installs), wasm-opt and
// esbuild from node_modules.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLazyBundle } from './lazy-bundle.mjs';
import { dropTargetFeature } from './wasm-features.mjs';
import { trimGlue } from './glue-trim.mjs';
import { dropImports } from './wasm-imports.mjs';
import { padInitialPages } from './wasm-memory.mjs';
import { shortNames } from './wasm-names.mjs';
import { noInlineFlags } from './wasm-outlined.mjs';
import { WASM_FEATURES, trapPanics } from './wasm-panics.mjs';
import { buildWorkerd } from './workerd-bundle.mjs';

// `POLYCACHE_READABLE=1 npm run build`: the same bundles with their names kept (esbuild
// minifies whitespace and syntax only), for profiles that name our functions
// (bench/js/profile.mjs); larger, so the size tests fail on it. Never for a release.
const READABLE = Boolean(process.env.POLYCACHE_READABLE);
const MINIFY = READABLE ? ['--minify-whitespace', '--minify-syntax'] : ['--minify'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bin = join(root, 'node_modules', '.bin');
const WASM_BINDGEN_VERSION = '0.2.130';
const wasmBindgen =
  process.env.WASM_BINDGEN || join(homedir(), '.cache', 'polycache', `wasm-bindgen-${WASM_BINDGEN_VERSION}`, 'bin', 'wasm-bindgen');

function run(cmd, args, env = process.env) {
  console.log(`$ ${[cmd, ...args].join(' ')}`);
  execFileSync(cmd, args, { cwd: root, stdio: 'inherit', env });
}

// The paths of the crates cargo downloaded (`~/.cargo/registry/src/index.crates.io-<hash>/`)
// stay in the modules, in the locations of panics that no code formats any more: written
// as `/c` instead, 50 bytes shorter each, and the same on every machine. (Set for the
// wasm target alone, and not over a RUSTFLAGS of the caller's.)
const registry = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'registry', 'src');
const wasmEnv = { ...process.env };
if (existsSync(registry) && wasmEnv.RUSTFLAGS === undefined) {
  const remaps = readdirSync(registry).map((d) => `--remap-path-prefix=${join(registry, d)}=/c`);
  const flags = 'CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS';
  wasmEnv[flags] = [wasmEnv[flags], ...remaps].filter(Boolean).join(' ');
}

if (!existsSync(wasmBindgen)) {
  console.error(`wasm-bindgen ${WASM_BINDGEN_VERSION} not found at ${wasmBindgen}: run \`make js-tools\` or set WASM_BINDGEN`);
  process.exit(1);
}
const version = execFileSync(wasmBindgen, ['--version'], { encoding: 'utf8' }).trim();
if (version !== `wasm-bindgen ${WASM_BINDGEN_VERSION}`) {
  console.error(`${wasmBindgen} is ${version}; the crate pins ${WASM_BINDGEN_VERSION}`);
  process.exit(1);
}

// Three modules from one crate (bindings-js/Cargo.toml's features): the store, which every
// import loads; the LRUCache's store, loaded with its code on first use; and the codec
// (snapshots, SHA-256/HMAC, key functions), loaded on first use.
mkdirSync(dist, { recursive: true });
const raw = join(root, 'target', 'wasm32-unknown-unknown', 'release', 'polycache_wasm.wasm');
const MODULES = [
  ['store', 'polycache_wasm'],
  ['lru', 'polycache_lrustore'],
  ['codec', 'polycache_codec'],
];
for (const [feature, name] of MODULES) {
  run('cargo', ['build', '-p', 'polycache-wasm', '--target', 'wasm32-unknown-unknown', '--release', '--no-default-features', '--features', feature], wasmEnv);
  // A copy per module (cargo's file is the last build's), kept for `make size-js-wasm`.
  const own = join(dirname(raw), 'js-modules', `${feature}.wasm`);
  mkdirSync(dirname(own), { recursive: true });
  copyFileSync(raw, own);
  if (!dropTargetFeature(own, 'multivalue')) console.log(`note: ${name} did not list multivalue`);
  run(wasmBindgen, ['--target', 'web', '--out-dir', dist, '--out-name', name, '--no-typescript', own]);
  const wasm = join(dist, `${name}_bg.wasm`);
  const before = statSync(wasm).size;
  // wasm-bindgen's output with its function names, for tests/js/wasm-panics.test.mjs.
  copyFileSync(wasm, join(dirname(own), `${feature}.bindgen.wasm`));
  // Panics trap at once, without formatting a message nobody reads (wasm-panics.mjs).
  console.log(`wasm-panics ${name}: ${trapPanics(wasm, WASM_FEATURES)} functions now trap`);
  const glue = join(dist, `${name}.js`);
  // The stores' modules import nothing: no wrapper for V8 to compile (wasm-imports.mjs).
  if (feature !== 'codec') console.log(`wasm-imports ${name}: removed ${dropImports(wasm, glue, WASM_FEATURES).join(', ')}`);
  // Short names for the imports and exports, in the module and its glue (wasm-names.mjs).
  const renamed = shortNames(wasm, glue);
  console.log(`wasm-names ${name}: ${renamed.imports} imports, ${renamed.exports} exports renamed; dropped ${renamed.dropped.join(', ') || 'none'}`);
  // What wasm-opt starts from, names kept, for bindings-js/wasm-named.mjs.
  copyFileSync(wasm, join(dirname(own), `${feature}.preopt.wasm`));
  run(join(bin, 'wasm-opt'), [
    // Functions kept out of line stay so (wasm-outlined.mjs).
    ...noInlineFlags(),
    // Run until nothing changes (54 bytes gzip off the store module).
    '-Oz',
    '--converge',
    ...WASM_FEATURES.map((f) => `--enable-${f}`),
    // Custom sections nothing reads once wasm-bindgen has run (260 bytes).
    '--strip-producers',
    '--strip-target-features',
    wasm,
    '-o',
    wasm,
  ]);
  console.log(`wasm-opt ${name}: ${before} -> ${statSync(wasm).size} bytes`);
  // Its initial pages in five bytes, which Node's and Deno's entries raise (wasm-memory.mjs).
  console.log(`wasm-memory ${name}: ${padInitialPages(wasm)} initial pages, padded`);
  console.log(`glue-trim ${name}: ${trimGlue(glue)} bytes of code none of ours runs`);
  // The glue, minified in place (every runtime loads it; half the bytes gzipped).
  run(join(bin, 'esbuild'), [glue, ...MINIFY, '--format=esm', '--target=es2020', `--outfile=${glue}`, '--allow-overwrite']);
}
// Node loads the snapshot and key module's glue on first use, through require (ESM has no
// synchronous import): a CommonJS copy of it.
run(join(bin, 'esbuild'), [
  join(dist, 'polycache_codec.js'),
  ...MINIFY,
  '--format=cjs',
  '--target=node18',
  '--log-override:empty-import-meta=silent',
  `--outfile=${join(dist, 'polycache_codec.cjs')}`,
]);
// Node loads LRUCache's code (with its store's glue) and the Cache's extras on first use
// too (lazy-bundle.mjs).
await buildLazyBundle(root, 'lru', join(dist, 'polycache_lru.cjs'));
await buildLazyBundle(root, 'extras', join(dist, 'polycache_extras.cjs'));
run(join(bin, 'esbuild'), [
  'bindings-js/js/node-cjs.js',
  '--bundle',
  '--platform=node',
  '--format=cjs',
  '--target=node18',
  ...MINIFY,
  '--log-override:empty-import-meta=silent',
  `--outfile=${join(dist, 'polycache.cjs')}`,
]);
// Node ESM: our modules and the store's glue in one minified file. One file to read and
// link instead of twenty halved the import time, and the glue inside it saves another
// module load (docs/js-size-and-speed.md). The snapshot and key module's glue,
// LRUCache's code with its store's glue and the Cache's extras (lazy-bundle.mjs) stay
// apart: they are read on first use.
const esm = join(dist, 'polycache.mjs');
// How bindings-js/js/*.js name the glue and the wasm; in dist/ they are neighbours.
const fromSources = (file) => relative(join(root, 'bindings-js', 'js'), join(dist, file));
run(join(bin, 'esbuild'), [
  'bindings-js/js/node.js',
  '--bundle',
  '--platform=node',
  '--format=esm',
  '--target=node18',
  ...MINIFY,
  `--outfile=${esm}`,
]);
/** Rewrites `file`'s paths to the dist/ files named, as bindings-js/js/ wrote them, to `./name`. */
function asNeighbours(file, names) {
  let bundled = readFileSync(file, 'utf8');
  for (const name of names) {
    const parts = bundled.split(fromSources(name));
    if (parts.length < 2) throw new Error(`${relative(root, file)}: expected ${fromSources(name)}, found none`);
    bundled = parts.join(`./${name}`);
  }
  writeFileSync(file, bundled);
}
asNeighbours(esm, [
  'polycache_wasm_bg.wasm',
  'polycache_codec.cjs',
  'polycache_codec_bg.wasm',
  'polycache_lru.cjs',
  'polycache_lrustore_bg.wasm',
  'polycache_extras.cjs',
]);
// Node ESM, `polycache/lru-cache`: the lru-cache drop-in alone, its store's glue inside
// (lru-cache-node.js).
const lruEsm = join(dist, 'polycache.lru-cache.mjs');
run(join(bin, 'esbuild'), ['bindings-js/js/lru-cache-node.js', '--bundle', '--platform=node', '--format=esm', '--target=node18', ...MINIFY, `--outfile=${lruEsm}`]);
asNeighbours(lruEsm, ['polycache_lrustore_bg.wasm', 'polycache_codec.cjs', 'polycache_codec_bg.wasm']);
// workerd: its entry and the files it re-exports, minified (workerd-bundle.mjs). A Worker
// parses what it bundles at every start: minified, our sources cost 5 M instructions less
// than as wrangler bundles them, and a Worker bundles only the parts it imports
// (docs/js-size-and-speed.md). The package's exports map names dist/polycache.workerd.mjs.
await buildWorkerd(root, dist);
copyFileSync(join(root, 'bindings-js', 'js', 'index.d.ts'), join(dist, 'polycache.d.cts'));
console.log('built dist/');
