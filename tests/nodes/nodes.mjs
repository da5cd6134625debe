// The LTS Nodes installed in this directory (package.json: `npm ci` here, which make
// test-js and make bench-js run; on a platform other than Linux x64 npm installs none).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The names package.json installs them under. */
export const LTS_NODES = ['node22', 'node24'];

/** Each installed one: { name, version, bin } (bin: the path of its `node`). */
export function ltsNodes() {
  return LTS_NODES.map((name) => ({ name, dir: join(here, 'node_modules', name) }))
    .filter(({ dir }) => existsSync(join(dir, 'bin', 'node')))
    .map(({ name, dir }) => ({ name, version: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version, bin: join(dir, 'bin', 'node') }));
}
