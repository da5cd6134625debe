// Cold start, measured inside a fresh process: `node coldstart.mjs <implementation>`
// imports the library, builds a cache of 10,000, sets one key and reads it back, and
// prints the milliseconds since the process started (performance.now() counts from the
// process's time origin) at each step. `node coldstart.mjs none` is Node alone.
const started = performance.now();
const name = process.argv[2];
let imported = started;
let firstGet = started;
if (name !== 'none') {
  // Only this file's own code runs before the import: the path to the library.
  const { IMPLS, polycacheEntry } = await import('./impls.mjs');
  const impl = IMPLS[name];
  const t = performance.now();
  let mod;
  if (impl.require) {
    const { createRequire } = await import('node:module');
    mod = createRequire(import.meta.url)(impl.specifier());
  } else {
    mod = await import(name === 'polycache' ? polycacheEntry() : impl.specifier());
  }
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
