// The `types` section of `npm test`: the typed examples against polycache's types, and
// lru.ts against lru-cache 11's own (tsconfig.peer.json). One line of counts at the end.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
let passed = 0;
let failed = 0;
for (const config of ['tsconfig.json', 'tsconfig.peer.json']) {
  const r = spawnSync('node_modules/.bin/tsc', ['-p', `tests/js/types/${config}`], { cwd: root, encoding: 'utf8' });
  process.stdout.write(`${r.stdout || ''}${r.stderr || ''}`);
  if (r.status === 0) passed++;
  else failed++;
  console.log(`tsc -p tests/js/types/${config}: ${r.status === 0 ? 'ok' : 'FAILED'}`);
}
console.log(`types: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
