// Node's built-in modules for the ES module entries (node.js, lru-cache-node.js), taken
// from `process.getBuiltinModule` (Node 20.16 and 22.3 on) rather than imported. Node 20
// makes an ES module facade of a built-in for its first `import`, and the facade of
// node:fs reads each of its exports, which loads fs's streams: importing node:fs cost a
// first import of ours 1.5 ms of a 4.5 ms import in a program that had not imported it
// yet (docs/js-speed.md, session 27). node:module and node:vm (0.1-0.2 ms to load) are
// taken when first needed: a first snapshot or key function, a first LRUCache. Older
// Nodes import all three (the `await` is taken there only). The CommonJS entry requires
// them and never loads this file.
const builtin = globalThis.process?.getBuiltinModule;
const imported =
  typeof builtin === 'function' ? undefined : await Promise.all([import('node:fs'), import('node:module'), import('node:vm')]);
const take = (name, i) => (imported === undefined ? builtin(name) : imported[i]);

export const fs = take('node:fs', 0);
export const nodeModule = () => take('node:module', 1);
export const vm = () => take('node:vm', 2);
