// Runs the shared suite in Deno (the `deno` npm package) and checks that "polycache"
// resolved to the exports map's `deno` entry.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { entryFor, report, root } from './exports.mjs';

const out = execFileSync(
  join(root, 'node_modules/.bin/deno'),
  ['run', '--no-lock', '--node-modules-dir=manual', '--allow-read', 'tests/edge/deno-suite.mjs'],
  { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } },
);
const result = JSON.parse(out.trim().split('\n').pop());
if (!result.entry.endsWith(`/${entryFor('deno')}`)) {
  result.failures.push(`"polycache" resolved to ${result.entry}, not the exports map's deno entry`);
  result.failed = result.failures.length;
}
process.exit(report('deno', result) ? 0 : 1);
