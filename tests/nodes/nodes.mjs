// The LTS Nodes of this directory's package.json (its optional dependencies), which `npm
// ci` here installs (make test-js and make bench-js run it; on a platform other than Linux
// x64 npm installs none). `node tests/nodes/nodes.mjs --missing` prints, a line each, those
// it did not install (mk/js.mk reports them as skips).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The names package.json installs them under (node22, node24). */
export const LTS_NODES = Object.keys(JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).optionalDependencies);

/** Each installed one: { name, version, bin } (bin: the path of its `node`). */
export function ltsNodes() {
  return LTS_NODES.map((name) => ({ name, dir: join(here, 'node_modules', name) }))
    .filter(({ dir }) => existsSync(join(dir, 'bin', 'node')))
    .map(({ name, dir }) => ({ name, version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version, bin: join(dir, 'bin', 'node') }));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--missing') {
  const installed = new Set(ltsNodes().map((n) => n.name));
  for (const name of LTS_NODES) if (!installed.has(name)) console.log(name);
}
