// Build step (build.mjs): dist/polycache_lru.cjs, `LRUCache`'s code for Node, read on
// first use (bindings-js/js/lru-lazy.js, lru-node.js). It bundles lru.js and the lru-*.js
// files only. Every other module they import is the one the package has already loaded:
// the bundle reads it from what lru-node.js hands over (LRU_SHARED), so one wasm
// instance and one set of error classes serve Cache and LRUCache alike. An import of a
// module that is neither stops the build, rather than ship a second copy.
import { writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

// The names of the modules lru-node.js hands over. Imported when the bundle is built, after
// build.mjs has made dist/polycache_wasm.js, which lru-node.js imports (a fresh clone has no
// dist/ before that). Importing it evaluates the glue and our modules: none does anything at load.
async function sharedNames() {
  const { LRU_SHARED } = await import('./js/lru-node.js');
  return new Set(Object.keys(LRU_SHARED));
}

const shared = (SHARED) => ({
  name: 'polycache-lru-shared',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const name = basename(args.path);
      if (SHARED.has(name)) return { path: name, namespace: 'shared' };
      if (/^lru(-[a-z]+)?\.js$/.test(name)) return { path: resolve(args.resolveDir, args.path) };
      return { errors: [{ text: `${args.importer} imports ${args.path}: add it to LRU_SHARED (lru-node.js) or name it lru-*.js` }] };
    });
    // `polycacheShared` is the parameter of the function the bundle is (below).
    b.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({
      contents: `module.exports = polycacheShared[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
});

/**
 * Writes the bundle to `outfile`: CommonJS whose export is a function of the shared
 * modules that returns the class (node-cjs.js requires it; node.js compiles it with
 * `vm.compileFunction(source, ['module'])`, which reads the same text). Built as one ES module, so esbuild hoists every file
 * into one scope (CommonJS output wraps each file in a function, which V8 parses twice:
 * 10 M instructions more for a first LRUCache), then put inside that function, in
 * parentheses so that V8 compiles it at once.
 */
export async function buildLruBundle(root, outfile) {
  const js = join(root, 'bindings-js', 'js');
  const out = await build({
    entryPoints: [join(js, 'lru.js')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node18',
    minify: true,
    keepNames: true,
    write: false,
    plugins: [shared(await sharedNames())],
    logLevel: 'warning',
  });
  const code = out.outputFiles[0].text;
  const exported = /export\s*\{\s*([\w$]+)\s+as\s+LRUCache\s*\};?\s*$/.exec(code);
  if (exported === null || /^\s*(import|export)\b/m.test(code.slice(0, exported.index))) {
    throw new Error('lru-bundle.mjs: expected one ES module whose only export statement, at its end, is LRUCache');
  }
  writeFileSync(outfile, `module.exports=(function(polycacheShared){${code.slice(0, exported.index)}return ${exported[1]}});\n`);
  console.log(`built ${relative(root, outfile)}`);
}
