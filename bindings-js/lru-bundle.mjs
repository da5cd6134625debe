// Build step (build.mjs): dist/polycache_lru.cjs, `LRUCache`'s code for Node, required on
// first use (bindings-js/js/lru-lazy.js, lru-node.js). It bundles lru.js and the lru-*.js
// files only. Every other module they import is the one the package has already loaded:
// the bundle reads it from what lru-node.js hands over (LRU_SHARED), so one wasm
// instance and one set of error classes serve Cache and LRUCache alike. An import of a
// module that is neither stops the build, rather than ship a second copy.
import { basename, dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

const SHARED = new Set(['polycache_wasm.js', 'codec.js', 'errors.js', 'options.js', 'text.js', 'values.js']);

const shared = {
  name: 'polycache-lru-shared',
  setup(b) {
    b.onResolve({ filter: /^polycache:shared$/ }, (args) => ({ path: args.path, namespace: 'shared' }));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const name = basename(args.path);
      if (SHARED.has(name)) return { path: name, namespace: 'shared' };
      if (/^lru(-[a-z]+)?\.js$/.test(name)) return { path: resolve(args.resolveDir, args.path) };
      return { errors: [{ text: `${args.importer} imports ${args.path}: add it to LRU_SHARED (lru-node.js) or name it lru-*.js` }] };
    });
    // Read when the bundle first evaluates the importing file: after the export below has
    // filled the object in.
    b.onLoad({ filter: /.*/, namespace: 'shared' }, (args) => ({
      contents: args.path === 'polycache:shared' ? 'module.exports = {};' : `module.exports = require('polycache:shared')[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
  },
};

/** Writes the bundle to `outfile` (minified CommonJS for Node 18+). */
export async function buildLruBundle(root, outfile) {
  const js = join(root, 'bindings-js', 'js');
  await build({
    stdin: {
      contents: "const s = require('polycache:shared');\nmodule.exports = (modules) => { Object.assign(s, modules); return require('./lru.js').LRUCache; };\n",
      resolveDir: js,
      sourcefile: 'lru-bundle-entry.js',
    },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    minify: true,
    keepNames: true,
    outfile,
    plugins: [shared],
    logLevel: 'warning',
  });
  console.log(`built ${outfile.slice(dirname(js).length - 'bindings-js'.length)}`);
}
