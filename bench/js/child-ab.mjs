// Builds side by side in their own processes, alternated: the driver of store-writes-ab.mjs
// and lru-store-ab.mjs. `main(url, child, usage)`: with `--child DIR`, prints what
// `child(dir)` measured (ns per named operation); else runs PROCS processes of the script
// at `url` per DIR given and prints each operation's median over them.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export async function main(url, child, usage) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--child') {
    process.stdout.write(JSON.stringify(await child(rest[0])));
    return;
  }
  const dirs = rest.length > 0 ? rest : ['.'];
  const procs = Number(mode);
  if (!(procs > 0)) {
    console.error(`usage: ${usage}`);
    process.exit(2);
  }
  const self = fileURLToPath(url);
  const runs = Object.fromEntries(dirs.map((d) => [d, []]));
  for (let p = 0; p < procs; p++) {
    for (const d of dirs) {
      const out = execFileSync(process.execPath, [self, '--child', d === '.' ? root : d], { encoding: 'utf8' });
      runs[d].push(JSON.parse(out));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const names = Object.keys(runs[dirs[0]][0]);
  console.log(`| ns/op | ${dirs.join(' | ')} |`);
  console.log(`|---|${dirs.map(() => '---:').join('|')}|`);
  for (const name of names) console.log(`| ${name} | ${dirs.map((d) => median(runs[d].map((r) => r[name])).toFixed(1)).join(' | ')} |`);
}

/**
 * A view of `length` i32 on the ring of a `SlotStore` or `LruStore` `store` of the glue
 * module `glue`: located by `views_at` (its first place), or by `ring_ptr` in builds that
 * had no `views_at` (the `SlotStore` before session 20, the `LruStore` before 26).
 */
export function storeRing(glue, store, length) {
  const buffer = glue.initSync().memory.buffer;
  const at = store.views_at ? new Uint32Array(buffer, store.views_at(), 1)[0] : store.ring_ptr();
  return new Int32Array(buffer, at, length);
}

/**
 * A `SlotStore` of the glue module `glue` for `max` slots (a lifetime `kind` and `ttl`,
 * the adaptive policy or LRU), as each build makes one: `make` without seeds since
 * session 26, with them before; a constructor before session 21.
 */
export function makeSlotStore(glue, max, kind, ttl, adaptive) {
  const seeds = new Uint32Array(8).fill(7);
  const { SlotStore } = glue;
  if (SlotStore.make === undefined) return new SlotStore(max, undefined, undefined, kind, ttl, seeds, adaptive, max + 1);
  if (SlotStore.make.length === 8) return SlotStore.make(max, undefined, undefined, kind, ttl, seeds, adaptive, max + 1);
  return SlotStore.make(max, undefined, undefined, kind, ttl, adaptive, max + 1);
}
