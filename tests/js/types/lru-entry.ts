// The `polycache/lru-cache` entry's types: the drop-in and its errors, as the package's.
import { CacheLoadError, LRUCache } from 'polycache/lru-cache';
import * as whole from 'polycache';

const c: LRUCache<string, number> = new LRUCache({ max: 10, ttl: 1000 });
c.set('a', 1);
const n: number | undefined = c.get('a');
const same: whole.LRUCache<string, number> = c;
const status: LRUCache.Status<string, number> = {};
c.get('a', { status });
try {
  c.load(c.dump());
  const key = 'an app secret, 16+ bytes';
  const snap: { entries?: number; skipped?: number } = {};
  const loaded: { verified: boolean; entries: number } = c.loadSnapshot(c.snapshot({ key, skipNonStringKeys: true, status: snap }), { key });
  console.log(loaded.verified, snap.skipped);
} catch (e) {
  if (e instanceof CacheLoadError) console.log(e.message, n, same);
}
// @ts-expect-error: keys and values are typed as the class says
c.set('b', 'two');
