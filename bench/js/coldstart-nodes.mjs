// Cold start in fresh processes (coldstart.mjs), under the machine's Node and under the
// LTS lines 22 and 24, installed from the npm registry's Linux x64 builds into tests/nodes
// (its package.json; `make bench-js` installs them, and on another platform npm installs
// none: then only the machine's Node runs). The machine's Node 20 is past its end of life
// (April 2026). Every Node and implementation alternate, so that each sees the same
// machine.
import { spawnSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ltsNodes } from '../../tests/nodes/nodes.mjs';
import { IMPLS } from './impls.mjs';

const here = dirname(fileURLToPath(import.meta.url));

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const round2 = (x) => Math.round(x * 100) / 100;

/** The Nodes to run: this one (key 'this') and each LTS one installed (key: its version). */
export function coldStartNodes() {
  return [{ key: 'this', bin: process.execPath }, ...ltsNodes().map(({ version, bin }) => ({ key: version, bin }))];
}

/**
 * `runs`: [{ key, bin, impls }] (impls: names in impls.mjs, or 'none' for Node alone),
 * `processes` each. Per run key, per implementation, the medians (ms): when Node was ready
 * (from process start), the import and the first get after Node was ready, and the
 * first get from process start. `errors` collects what failed.
 */
export function coldStarts(runs, processes, errors) {
  const ms = new Map();
  for (let i = 0; i < processes; i++) {
    for (const { key, bin, impls } of runs) {
      for (const impl of impls) {
        const args = ['coldstart.mjs', impl, ...(impl === 'none' ? [] : [IMPLS[impl].specifier()])];
        const r = spawnSync(bin, args, { cwd: here, encoding: 'utf8', timeout: 60_000 });
        const line = (r.stdout || '').trim().split('\n').pop();
        const on = key === 'this' ? '' : ` on Node ${key}`;
        if (r.status !== 0 || !line) {
          errors.push(`cold start ${impl}${on}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ') || `exit ${r.status}`}`);
          continue;
        }
        const { nodeReady, imported, firstGet } = JSON.parse(line);
        const id = `${key}\0${impl}`;
        if (!ms.has(id)) ms.set(id, { nodeReady: [], imported: [], firstGet: [], fromStart: [] });
        const m = ms.get(id);
        m.nodeReady.push(nodeReady);
        m.imported.push(imported - nodeReady);
        // Import, instantiation and the first cache's work together: polycache reads and
        // compiles its wasm at the first `new Cache` or `new LRUCache`, not at import.
        m.firstGet.push(firstGet - nodeReady);
        m.fromStart.push(firstGet);
      }
    }
  }
  const out = {};
  for (const { key, impls } of runs) {
    out[key] = {};
    for (const impl of impls) {
      const m = ms.get(`${key}\0${impl}`);
      if (m === undefined) continue;
      out[key][impl] = {
        processes: m.firstGet.length,
        nodeReadyMs: round2(median(m.nodeReady)),
        importMs: round2(median(m.imported)),
        readyToFirstGetMs: round2(median(m.firstGet)),
        firstGetMs: round2(median(m.fromStart)),
      };
    }
  }
  return out;
}
