// Cold start on the other Nodes a user runs: the LTS lines 22 and 24, installed from the
// npm registry's Linux x64 builds into tests/nodes (its package.json; `make bench-js`
// installs them, and on another platform npm installs none: then nothing runs here). The
// machine's own Node (20, past its end of life in April 2026) is run.mjs's table.
// coldstart.mjs under each, fresh processes, the Nodes and implementations alternating.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ltsNodes } from '../../tests/nodes/nodes.mjs';
import { IMPLS } from './impls.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round2 = (x) => Math.round(x * 100) / 100;

/**
 * `impls` (names in impls.mjs) under each installed Node, `processes` each: per Node
 * version, per implementation, the medians (ms after Node is ready) of the import and of
 * the first get, as run.mjs's table has them. `errors` collects what failed.
 */
export function coldStartOnNodes(impls, processes, errors) {
  const nodes = ltsNodes();
  const ms = new Map();
  for (let i = 0; i < processes; i++) {
    for (const { version, bin } of nodes) {
      for (const impl of impls) {
        const r = spawnSync(bin, ['coldstart.mjs', impl, IMPLS[impl].specifier()], { cwd: here, encoding: 'utf8', timeout: 60_000 });
        const line = (r.stdout || '').trim().split('\n').pop();
        if (r.status !== 0 || !line) {
          errors.push(`cold start ${impl} on Node ${version}: ${(r.stderr || '').trim().split('\n').slice(-2).join(' | ') || `exit ${r.status}`}`);
          continue;
        }
        const { nodeReady, imported, firstGet } = JSON.parse(line);
        const key = `${version}\0${impl}`;
        if (!ms.has(key)) ms.set(key, { imported: [], firstGet: [] });
        ms.get(key).imported.push(imported - nodeReady);
        ms.get(key).firstGet.push(firstGet - nodeReady);
      }
    }
  }
  const out = {};
  for (const [key, v] of ms) {
    const [version, impl] = key.split('\0');
    out[version] ??= {};
    out[version][impl] = { processes: v.firstGet.length, importMs: round2(median(v.imported)), readyToFirstGetMs: round2(median(v.firstGet)) };
  }
  return out;
}
