// Cold start, measured inside a fresh process: `node coldstart.mjs <implementation>
// <specifier>` imports the library, builds a cache of 10,000, sets one key and reads it
// back, and prints the milliseconds since the process started (performance.now() counts
// from the process's time origin) at each step. `node coldstart.mjs none` is Node alone.
// The caller works out the specifier (impls.mjs `specifier()`, which for polycache reads
// its package.json): before the clock this process reads no file and imports no Node
// module (impls.mjs imports none), so the library's import pays for what it loads.
const started = performance.now();
const [name, specifier] = process.argv.slice(2);
let imported = started;
let firstGet = started;
if (name !== 'none') {
  const { IMPLS } = await import('./impls.mjs');
  const impl = IMPLS[name];
  if (impl === undefined || specifier === undefined) throw new Error('usage: node coldstart.mjs <implementation> <specifier>');
  const t = performance.now();
  const mod = impl.require
    ? process.getBuiltinModule('node:module').createRequire(import.meta.url)(specifier)
    : await import(specifier);
  imported = performance.now();
  const c = impl.make(impl.pick(mod), 10_000, 0);
  c.set('foo1bar', 1);
  if (c.get('foo1bar') !== 1) throw new Error(`${name}: first get did not return the value set`);
  firstGet = performance.now();
  // What the harness itself cost before the import starts, kept out of the import time.
  imported -= t - started;
  firstGet -= t - started;
}
process.stdout.write(`${JSON.stringify({ impl: name, nodeReady: started, imported, firstGet })}\n`);
