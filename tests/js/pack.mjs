// The package as a user gets it from a clone: `npm pack`, then `npm install <tarball>` into
// a scratch project outside the repository (offline: the package has no dependencies),
// then import and require it there. Catches files missing from package.json's "files",
// paths that only resolve inside the repository, and a tarball npm refuses to install.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'polycache-pack-'));
const checks = [];
try {
  const [{ filename }] = JSON.parse(
    execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }),
  );
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'uses-polycache', private: true }));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, filename)], { cwd: dir, stdio: 'pipe' });
  const use = `c.set('k', 41); if (c.get('k') + 1 !== 42) throw new Error('wrong value');
    if (m.makeKey('p', 1, 'k') !== 'p:1:k') throw new Error('wrong key');`;
  writeFileSync(join(dir, 'esm.mjs'), `import * as m from 'polycache'; const c = new m.Cache({ max: 2 }); ${use}\n`);
  writeFileSync(join(dir, 'cjs.cjs'), `const m = require('polycache'); const c = new m.Cache({ max: 2 }); ${use}\n`);
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    try {
      execFileSync(process.execPath, [file], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
      checks.push([file, null]);
    } catch (e) {
      checks.push([file, e.stderr || e.message]);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const [file, err] of checks) if (err) console.error(`FAIL pack ${file}: ${err}`);
const failed = checks.filter(([, e]) => e).length;
console.log(`pack: ${checks.length - failed} passed, ${failed} failed`);
process.exit(failed === 0 && checks.length > 0 ? 0 : 1);
