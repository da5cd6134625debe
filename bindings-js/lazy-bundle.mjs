// Build step (build.mjs): the parts of the package Node reads on first use, each one
// CommonJS file: dist/polycache_lru.cjs, `LRUCache`'s code (lru.js and the lru-*.js files)
// and its store's wasm-bindgen glue (js/lru-module.js, lru-lazy.js, lru-node.js), and
// dist/polycache_extras.cjs, the Cache's dump/load, snapshots, fetch(), add/touch/
// getRemainingTTL/purgeStale and the key functions (js/extras.js; cache-extras.js,
// keys-lazy.js, extras-node.js). Each bundles its own files only. Every other module
// they import is the one the package has already loaded: the bundle reads it from what
// its *-node.js hands over (its SHARED map), so one wasm instance and one set of error
// classes serve the whole package. An import of a module that is neither stops the
// build, rather than ship a second copy.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// The bundles: their entry, their own files, the module that hands the rest over (and its
// map's export name), and what the bundle returns (one export, or all of them). A file
// both bundles own (snapshot-values.js) holds no state of its own: a copy in each is the
// same code, and the package's import reads neither. Neither keeps its functions' names
// (esbuild's keepNames: 1.1 KB of `__name` calls in the LRUCache's, run at its first
// use): what the package exports names itself (lru-module.js, lib.js; names.test.mjs).
const LAZY = {
  lru: { entry: 'lru-module.js', own: /^(lru(-[a-z]+)?|snapshot-values|polycache_lrustore)\.js$/, node: 'lru-node.js', shared: 'LRU_SHARED', only: 'lruWith' },
  extras: { entry: 'extras.js', own: /^(extras|cache-rare|persist|snapshot|snapshot-values|fetch|keys)\.js$/, node: 'extras-node.js', shared: 'EXTRAS_SHARED' },
};

// The modules a *-node.js hands over, by file name: each one's exports, but for those it
// declares with `let` or `var` (a bundle reads a copy of each export, taken when it is
// first run, so a binding the module reassigns would read stale: importing one from a
// bundle stops the build, esbuild's "No matching export"). Imported when the bundle is
// built, after build.mjs has made dist/polycache_wasm.js, which they may import (a fresh
// clone has no dist/ before that). Importing evaluates the glue and our modules: none
// does anything at load.
async function sharedExports({ node, shared }) {
  const m = await import(`./js/${node}`);
  const exports = new Map();
  for (const [file, namespace] of Object.entries(m[shared])) {
    const source = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'js', file), 'utf8');
    const rebound = new Set([...source.matchAll(/^export\s+(?:let|var)\s+([\w$]+)/gm)].map((x) => x[1]));
    exports.set(file, Object.keys(namespace).filter((name) => !rebound.has(name)));
  }
  return exports;
}

const sharing = (SHARED, { own, node, shared }) => ({
  name: 'polycache-shared',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const name = basename(args.path);
      if (SHARED.has(name)) return { path: name, namespace: 'shared' };
      if (own.test(name)) return { path: resolve(args.resolveDir, args.path) };
      return { errors: [{ text: `${args.importer} imports ${args.path}: add it to ${shared} (${node}) or to the bundle's own files (lazy-bundle.mjs)` }] };
    });
    // `polycacheShared` is the parameter of the function the bundle is (below). An ES
    // module of its exports, each read once: as CommonJS (`module.exports = ...`), esbuild
    // wrapped each in a copy with a getter per export (`__toESM`), half of a first
    // LRUCache's run of the bundle's top level (0.6 -> 0.3 ms here).
    b.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({
      contents: [
        `const shared = polycacheShared[${JSON.stringify(args.path)}];`,
        ...SHARED.get(args.path).map((name) => `export const ${name} = shared.${name};`),
      ].join('\n'),
      loader: 'js',
    }));
  },
});

/**
 * Writes bundle `which` (a key of LAZY) to `outfile`: CommonJS whose export is a function
 * of the shared modules that returns the entry's export `only`, or an object of all its
 * exports (node-cjs.js requires it; node.js compiles it with
 * `vm.compileFunction(source, ['module'])`, which reads the same text). Built as one ES
 * module, so esbuild hoists every file into one scope (CommonJS output wraps each file in
 * a function, which V8 parses twice: 10 M instructions more for a first LRUCache), then
 * put inside that function, in parentheses so that V8 compiles it at once.
 */
export async function buildLazyBundle(root, which, outfile) {
  const lazy = LAZY[which];
  const js = join(root, 'bindings-js', 'js');
  const out = await build({
    entryPoints: [join(js, lazy.entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    minifyWhitespace: true,
    minifySyntax: true,
    minifyIdentifiers: !process.env.POLYCACHE_READABLE, // (build.mjs READABLE)
    write: false,
    plugins: [sharing(await sharedExports(lazy), lazy)],
    logLevel: 'warning',
  });
  const code = out.outputFiles[0].text;
  const exported = /export\s*\{([^}]*)\};?\s*$/.exec(code);
  if (exported === null || /^\s*(import|export)\b/m.test(code.slice(0, exported.index))) {
    throw new Error(`lazy-bundle.mjs: expected ${lazy.entry} as one ES module whose only export statement is at its end`);
  }
  const names = exported[1].split(',').map((e) => e.trim().split(/\s+as\s+/));
  const inner = new Map(names.map(([local, name = local]) => [name, local]));
  let value;
  if (lazy.only !== undefined) {
    value = inner.get(lazy.only);
    if (value === undefined) throw new Error(`lazy-bundle.mjs: ${lazy.entry} does not export ${lazy.only}`);
  } else {
    value = `{${[...inner].map(([name, local]) => `${name}:${local}`).join(',')}}`;
  }
  writeFileSync(outfile, `module.exports=(function(polycacheShared){${code.slice(0, exported.index)}return ${value}});\n`);
  console.log(`built ${relative(root, outfile)}`);
}
