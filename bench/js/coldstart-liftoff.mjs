// The wasm a cache's first calls compile: `node bench/js/coldstart-liftoff.mjs [Cache|LRUCache]
// [eviction]` runs a first `new` (max 10,000), `set` and `get` in a fresh Node with V8's
// --trace-wasm-compilation-times and lists each function Liftoff compiles (V8 compiles a
// wasm function on its first call, whole; workerd as Node), its wasm body and machine code
// in bytes, named from the module as it ships but with its names (bindings-js/wasm-named.mjs,
// whose functions are in the same order). The sum of the bodies is load-independent and
// follows Liftoff's share of a Worker's start (workerd-instructions.mjs: about 250-300
// instructions a byte). POLYCACHE_ROOT: another build (names are this checkout's then).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { namedModule } from '../../bindings-js/wasm-named.mjs';
import { root } from '../../tests/edge/exports.mjs';

const [cls = 'Cache', eviction] = process.argv.slice(2);
const pkg = process.env.POLYCACHE_ROOT || root;
const options = `{ max: 10000${eviction ? `, eviction: ${JSON.stringify(eviction)}` : ''} }`;
const source = `const m = await import(${JSON.stringify(join(pkg, 'dist/polycache.mjs'))});
const c = new m.${cls}(${options});
c.set('foo1bar', 1);
if (c.get('foo1bar') !== 1) throw new Error('the first get did not return the value set');`;
const trace = execFileSync(process.execPath, ['--trace-wasm-compilation-times', '--input-type=module', '-e', source], { encoding: 'utf8' });

/** Function names by index (imports first, as V8 numbers them) of the named `feature` module. */
function names(feature) {
  const dir = mkdtempSync(join(tmpdir(), 'polycache-liftoff-'));
  try {
    namedModule(feature, join(dir, 'm.wasm'));
    binaryen.setDebugInfo(true);
    const m = binaryen.readBinary(readFileSync(join(dir, 'm.wasm')));
    try {
      const infos = Array.from({ length: m.getNumFunctions() }, (_, i) => binaryen.getFunctionInfo(m.getFunctionByIndex(i)));
      return [...infos.filter((f) => f.module !== ''), ...infos.filter((f) => f.module === '')].map((f) => f.name);
    } finally {
      m.dispose();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// One module compiles for a Cache (the store's), one for an LRUCache (its store's).
const named = names(cls === 'LRUCache' ? 'lru' : 'store');
const rows = [...trace.matchAll(/Compiled function (0x[0-9a-f]+)#(\d+) using Liftoff.*bodysize (\d+) codesize (\d+)/g)];
const modules = [...new Set(rows.map((r) => r[1]))];
let body = 0;
let code = 0;
for (const [, module, index, b, c] of rows) {
  body += Number(b);
  code += Number(c);
  const name = modules.length === 1 ? named[Number(index)] : `${module}#${index}`;
  console.log(`${b.padStart(6)} ${c.padStart(6)}  ${name}`);
}
console.log(`${cls}${eviction ? ` (${eviction})` : ''}: ${rows.length} functions, ${body} bytes of wasm, ${code} of machine code`);
