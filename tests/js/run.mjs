// `npm test`: the JS suite in every runtime — Node (ESM and CJS), TypeScript types,
// Cloudflare workerd, Deno, headless Chromium, the packed tarball — then one closing count.
// `node tests/js/run.mjs node deno` runs only the sections named.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LTS_NODES, ltsNodes } from '../nodes/nodes.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = process.execPath;
const suite = readdirSync(new URL('.', import.meta.url)).filter((f) => /\.test\.[cm]js$/.test(f)).map((f) => `tests/js/${f}`);
const sections = {
  node: [node, ['--test', '--test-reporter=spec', ...suite]],
  types: [node, ['tests/js/types/check.mjs']],
  workerd: [node, ['tests/edge/workerd.mjs']],
  deno: [node, ['tests/edge/deno.mjs']],
  chromium: [node, ['tests/browser/run.mjs']],
  pack: [node, ['tests/js/pack.mjs']],
};
// The Node suite again under Node 22 and 24 (tests/nodes, which make test-js installs), the
// LTS lines users run: this machine's Node 20 is past its end of life.
const installed = ltsNodes();
for (const { name, bin } of installed) sections[name] = [bin, ['--test', '--test-reporter=spec', ...suite]];
const missing = LTS_NODES.filter((n) => !installed.some((i) => i.name === n));

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
for (const name of missing) if (wanted.length === 0 || wanted.includes(name)) lines.push(`  ${name.padEnd(9)} not installed (tests/nodes: \`npm ci\` there, as make test-js does): skipped`);
console.log(`\npolycache JS tests\n${lines.join('\n')}`);
console.log(`js: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
