// The Cache's dump/load and snapshot/loadSnapshot (cache-persist.js gives them the
// cache's inside: `cache[INSIDE]()` in cache.js): its store, its slots' keys and values,
// its clock. Loaded on first use (cache-extras.js).

import { codec, codecTrap } from './codec.js';
import { CacheConfigError, CacheLoadError, fromMessage, fromWasm } from './errors.js';
import { parseDump } from './snapshot.js';
import { describe, text } from './text.js';
import { openReader, readEntries, release, signingKey, writeSnapshot } from './snapshot-values.js';

export function dumpOf(c) {
  const t = c.store.entries(c.time());
  const entries = [];
  for (let i = 0; i < t.length; i += 3) {
    const slot = t[i];
    const expiresAt = t[i + 1] === Infinity ? null : t[i + 1];
    entries.push([c.key(slot), { value: c.value(slot), size: t[i + 2], expiresAt }]);
  }
  const names = splitNames(c.store.generation_names());
  const gens = c.store.generation_values();
  const dumped = { format: 'polycache', version: 1, entries, namespaces: names.map((n, i) => [n, gens[i]]) };
  const floor = c.store.generation_floor();
  if (floor > 1n) dumped.floor = Number(floor);
  return dumped;
}

export function loadInto(c, input) {
  const { entries, namespaces, floor } = parseDump(input);
  replace(c, entries, BigInt(floor), namespaces.map((n) => n[0]), namespaces.map((n) => BigInt(n[1])));
}

export function snapshotOf(c, options) {
  const signing = signingKey(options.key);
  const now = c.now(); // also the snapshot's created_at, so the real time
  const t = c.store.entries(now);
  const n = t.length / 3;
  let writer;
  try {
    writer = new (codec().SnapshotWriter)(now, c.store.generation_floor(), splitNames(c.store.generation_names()), c.store.generation_values_exact(), n, signing);
    return writeSnapshot(writer, n, (i) => {
      const slot = t[3 * i];
      return [text(c.key(slot), 'a key written to a snapshot'), t[3 * i + 1], c.value(slot)];
    });
  } catch (e) {
    // A trap in the store's calls has poisoned the cache already (slot-store.js); one in
    // the writer leaves it as it was.
    throw codecTrap(fromWasm(e));
  } finally {
    release(writer);
  }
}

export function loadSnapshotInto(c, bytes, options) {
  if (!(bytes instanceof Uint8Array)) {
    throw new CacheLoadError(`loadSnapshot() takes the Uint8Array snapshot() returns, got ${describe(bytes)}`);
  }
  const signing = signingKey(options.key);
  const { maxAge } = options;
  if (maxAge !== undefined && typeof maxAge !== 'number') {
    throw new CacheConfigError(`maxAge must be a number of milliseconds, got ${describe(maxAge)}`);
  }
  const reader = openReader(bytes, signing, options.allowUnsigned, c.now(), maxAge);
  try {
    // An encoded length is a size of at least 1: an empty value still holds an entry.
    const sizeOf = (raw) => (c.sizeCalculation === undefined ? Math.max(raw.length, 1) : undefined);
    const names = reader.generation_names();
    const gens = Array.from(reader.generation_values());
    const held = replace(c, readEntries(reader, bytes, sizeOf), reader.generation_floor(), names, gens);
    return { verified: reader.verified(), entries: held };
  } finally {
    release(reader);
  }
}

// Builds the new contents in a fresh store, then swaps them in: a failure on the way
// leaves the cache as it was. The cache's generations (its floor and rows) go in first,
// then the input's, so each namespace ends at the larger of the two and the core's
// forward-only rule holds across loads. Then each entry, least recently used first, as
// the core's load writes it (`load_prepared`): the store's write, the adaptive policy
// learning the key first as for a `set` (so the load decides as those writes would, and
// as Python's load does); the store skips an entry expired already or larger than the
// byte bound (not counted) and evicts as they come, so a load holds what the cache can
// hold, not the whole input. How many entries the cache holds after.
function replace(c, entries, floor, names, generations) {
  const next = c.fresh();
  try {
    // Two merges, not one: a row of this cache must still rise to the input's floor.
    merged(next.store.merge_generations(c.store.generation_floor(), c.store.generation_names(), c.store.generation_values_exact()), next.store);
    merged(next.store.merge_generations(floor, joinNames(names), BigUint64Array.from(generations)), next.store);
    for (const [key, value, size, expiresAt] of entries) {
      const charge = next.size(key, value, size);
      if (expiresAt !== Infinity) next.expiring();
      const now = next.time();
      const earlier = next.held(key);
      if (earlier !== undefined) {
        // A repeated key (no writer makes one): the later entry wins, even expired.
        next.store.delete(earlier, now);
        next.release(earlier);
      }
      const slot = next.alloc(key);
      next.finish(slot, key, value, next.store.load_entry(slot, charge, expiresAt, now));
    }
  } catch (e) {
    next.store.free();
    const err = fromWasm(e);
    throw err instanceof CacheLoadError ? err : new CacheLoadError(`cannot load: ${err.message}`);
  }
  return c.takeFrom(next);
}

/** What a store's `merge_generations` answered: its error thrown where it refused. */
function merged(ok, store) {
  if (!ok) throw fromMessage(store.take_error());
}

// Namespace names cross to and from the store's module as one text, each as its
// length (UTF-16 units), `:`, then the name (bindings-js/src/slots_persist.rs `join_names`).
function joinNames(names) {
  return names.map((n) => `${n.length}:${n}`).join('');
}

function splitNames(joined) {
  const names = [];
  for (let at = 0; at < joined.length; ) {
    const colon = joined.indexOf(':', at);
    const end = colon + 1 + Number(joined.slice(at, colon));
    names.push(joined.slice(colon + 1, end));
    at = end;
  }
  return names;
}
