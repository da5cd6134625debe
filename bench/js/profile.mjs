// Where an implementation spends its time in the five phases: runs worker.mjs under
// `node --cpu-prof` and prints the functions with the most self time.
//
//   node bench/js/profile.mjs [implementation=polycache] [shape=namespaced] [ttl=0] [iterations=200] [sized]
//
// Our functions are named in the profile after `POLYCACHE_READABLE=1 npm run build`
// (build.mjs; build again without it before the tests: the size tests fail on it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [impl = 'polycache', shape = 'namespaced', ttl = '0', iterations = '200', mode = ''] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'polycache-prof-'));
const r = spawnSync(
  process.execPath,
  ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', 'worker.mjs', impl, shape, ttl, '10000', iterations, mode],
  { cwd: here, encoding: 'utf8' },
);
if (r.status !== 0) throw new Error(r.stderr);
console.log(JSON.parse(r.stdout).opsPerMs);
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
const prof = JSON.parse(readFileSync(join(dir, file), 'utf8'));
const self = new Map();
const dt = prof.timeDeltas;
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const n = byId.get(prof.samples[i]);
  const f = n.callFrame;
  const where = f.url ? `${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  const us = dt[i] ?? 0;
  self.set(key, (self.get(key) ?? 0) + us);
  total += us;
}
console.log(`self time, ${impl} ${shape} ttl=${ttl}${mode && ` ${mode}`}: ${(total / 1000).toFixed(0)} ms sampled (profile in ${dir})`);
for (const [k, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`  ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
}
