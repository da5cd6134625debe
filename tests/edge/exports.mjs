// The file the package's exports map gives a runtime condition, so each runtime test
// loads the package exactly the way that runtime would.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const root = fileURLToPath(new URL('../..', import.meta.url));

export function entryFor(condition) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const target = pkg.exports['.'][condition];
  const file = typeof target === 'string' ? target : target.default;
  if (!file) throw new Error(`package.json exports has no "${condition}" entry`);
  return file.replace(/^\.\//, '');
}

/** Parses `N passed, N failed` out of a runtime's report and prints it. */
export function report(runtime, result) {
  for (const f of result.failures) console.error(`FAIL ${runtime}: ${f}`);
  console.log(`${runtime}: ${result.passed} passed, ${result.failed} failed`);
  return result.failed === 0 && result.passed > 0;
}
