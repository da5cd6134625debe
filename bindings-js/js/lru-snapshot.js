// LRUCache.snapshot() / loadSnapshot(): the cache in the core's snapshot format, so
// Python (Django's PolyCache), the JS Cache and other LRUCaches can read it.
//
// Only string keys cross languages. Any other key (a number, an object, a symbol) makes
// snapshot() throw a CacheKeyError that says how many there are, unless
// `{ skipNonStringKeys: true }`: then they are left out and `status.skipped` counts them.
// Stale entries and fetches in flight are left out. Expiries are written as epoch ms
// (Date.now() + the time left), so they mean the same thing in another process.

import { codec, codecTrap } from './codec.js';
import { CacheKeyError, CacheLoadError, fromWasm } from './errors.js';
import { describe, text } from './text.js';
import { openReader, readEntries, release, signingKey, writeSnapshot } from './snapshot-values.js';

function crosses(key) {
  try {
    text(key, 'key');
    return true;
  } catch {
    return false;
  }
}

/** The snapshot bytes of `cache` (an LRUCache). */
export function snapshotOf(cache, options = {}) {
  const { key, skipNonStringKeys = false, status } = options;
  const signing = signingKey(key);
  const now = Date.now();
  const keys = [];
  const values = [];
  const expiries = [];
  const refused = [];
  for (const [k, v] of cache.rentries()) {
    if (!crosses(k)) {
      refused.push(k);
      continue;
    }
    const left = cache.getRemainingTTL(k);
    if (left <= 0) continue;
    keys.push(k);
    values.push(v);
    expiries.push(left === Infinity ? Infinity : now + Math.ceil(left));
  }
  if (refused.length > 0 && !skipNonStringKeys) {
    throw new CacheKeyError(
      `snapshot() writes string keys only; ${refused.length} key(s) are not (the first: ${describe(refused[0])}). ` +
        'Pass { skipNonStringKeys: true } to leave them out.',
    );
  }
  let out;
  let writer;
  try {
    // No namespaces: floor 1, no generations.
    writer = new (codec().SnapshotWriter)(now, 1n, [], new BigUint64Array(0), keys.length, signing);
    out = writeSnapshot(writer, keys.length, (i) => [keys[i], expiries[i], values[i]]);
  } catch (e) {
    throw codecTrap(fromWasm(e));
  } finally {
    release(writer);
  }
  if (status) {
    status.entries = keys.length;
    status.skipped = refused.length;
  }
  return out;
}

/**
 * Replaces the contents of `cache` with a snapshot's entries (namespace generations,
 * which an LRUCache has none of, are ignored). Entries already expired are skipped;
 * sizes come from the cache's sizeCalculation, else the value's encoded length.
 */
export function loadSnapshotInto(cache, bytes, options = {}) {
  if (!(bytes instanceof Uint8Array)) {
    throw new CacheLoadError(`loadSnapshot() takes the Uint8Array snapshot() returns, got ${describe(bytes)}`);
  }
  const signing = signingKey(options.key);
  const reader = openReader(bytes, signing, options.allowUnsigned, Date.now(), undefined);
  try {
    const sized = cache.maxSize || cache.maxEntrySize;
    const entries = readEntries(reader, bytes, (raw) => (sized && !cache.sizeCalculation ? Math.max(1, raw.length) : undefined));
    const now = Date.now();
    // Everything is decoded before the cache changes: a snapshot that cannot be read
    // leaves it as it was.
    const plan = [];
    for (const [k, v, size, expiresAt] of entries) {
      if (expiresAt !== Infinity && expiresAt <= now) continue;
      plan.push([k, v, { ttl: expiresAt === Infinity ? 0 : expiresAt - now, size }]);
    }
    cache.clear();
    for (const [k, v, o] of plan) cache.set(k, v, o);
    return { verified: reader.verified(), entries: cache.size };
  } catch (e) {
    throw fromWasm(e);
  } finally {
    release(reader);
  }
}
