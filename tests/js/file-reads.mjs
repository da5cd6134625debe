// For the lazy-loading tests: counts the files Node's entries read with fs.readFileSync,
// by wrapping it (the wrapper calls the real one) and updating the ES module exports.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';

const read = [];
const readFileSync = fs.readFileSync;
fs.readFileSync = (path, ...rest) => {
  read.push(String(path));
  return readFileSync(path, ...rest);
};
syncBuiltinESMExports();

/** How many times a path ending in `suffix` was read since this module loaded. */
export function readsOf(suffix) {
  return read.filter((p) => p.endsWith(suffix)).length;
}
