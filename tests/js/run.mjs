// `npm test`: the JS suite in every runtime — Node (ESM and CJS), TypeScript types,
// Cloudflare workerd, Deno, headless Chromium, the packed tarball — then one closing count.
// `node tests/js/run.mjs node deno` runs only the sections named.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = process.execPath;
const sections = {
  node: [node, ['--test', '--test-reporter=spec', 'tests/js/']],
  types: [node, ['tests/js/types/check.mjs']],
  workerd: [node, ['tests/edge/workerd.mjs']],
  deno: [node, ['tests/edge/deno.mjs']],
  chromium: [node, ['tests/browser/run.mjs']],
  pack: [node, ['tests/js/pack.mjs']],
};

const wanted = process.argv.slice(2);
for (const w of wanted) if (!(w in sections)) throw new Error(`unknown section ${w}; known: ${Object.keys(sections)}`);
let passed = 0;
let failed = 0;
const lines = [];
for (const [name, [cmd, args]] of Object.entries(sections)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', timeout: 300_000 });
  const out = `${r.stdout || ''}${r.stderr || ''}`;
  process.stdout.write(out);
  let p = 0;
  let f = 0;
  const spec = /ℹ pass (\d+)[\s\S]*ℹ fail (\d+)/.exec(out);
  const plain = /^\w+: (\d+) passed, (\d+) failed$/m.exec(out);
  if (spec) [p, f] = [Number(spec[1]), Number(spec[2])];
  else if (plain) [p, f] = [Number(plain[1]), Number(plain[2])];
  if (r.status !== 0 && f === 0) f = 1; // a runner that crashed counts as a failure
  passed += p;
  failed += f;
  lines.push(`  ${name.padEnd(9)} ${String(p).padStart(4)} passed ${String(f).padStart(3)} failed  ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
console.log(`\npolycache JS tests\n${lines.join('\n')}`);
console.log(`js: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
