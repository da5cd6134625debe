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

// A load as Python's does it (bindings-python/src/snapshot.rs `load_in`): first into a
// scratch store bounded like the cache, each entry, least recently used first, through
// the core's load of it (`load_entry`: an entry expired already or larger than the byte
// bound skipped), each new key learnt first as for a `set`, the store evicting as they
// come; a failure there leaves the cache as it was. Then the swap (`loadAll`): the
// cache's entries cleared (the adaptive policy's history stays, as the core's clear
// keeps it), the input's generations merged (each namespace ends at the larger of the
// two), and what the scratch store held loaded the same way. So an adaptive cache
// decides after a load as Python's does, and counts the load as Python does (a set a
// held entry). Where the input fits the cache emptied and repeats no key, the scratch
// store would hold it all, as it comes: the swap takes the input itself. How many
// entries the cache holds after.
function replace(c, input, floor, names, generations) {
  const entries = Array.isArray(input) ? input : Array.from(input);
  const joined = joinNames(names);
  const gens = BigUint64Array.from(generations);
  const charges = new Float64Array(entries.length);
  try {
    // The sizes first (user code: the cache untouched if it throws), once an entry.
    for (let i = 0; i < entries.length; i++) {
      const [key, value, size] = entries[i];
      charges[i] = c.size(key, value, size);
    }
    const loaded = loadAll(c, entries, charges, floor, joined, gens);
    if (loaded !== undefined) return loaded;
  } catch (e) {
    throw loadError(e);
  }
  const scratch = c.fresh();
  const held = [];
  try {
    // (The clock's time whether or not the cache is timed yet, as Python's load reads it.)
    const now = scratch.now();
    for (let i = 0; i < entries.length; i++) {
      const [key, value, , expiresAt] = entries[i];
      const earlier = scratch.held(key);
      if (earlier !== undefined) {
        // A repeated key (no writer makes one): the later entry wins, even expired.
        scratch.store.delete(earlier, now);
        scratch.release(earlier);
      }
      const slot = scratch.alloc(key);
      scratch.finish(slot, key, value, scratch.store.load_entry(slot, charges[i], expiresAt, now));
    }
    const t = scratch.store.entries(now);
    for (let i = 0; i < t.length; i += 3) held.push([scratch.key(t[i]), scratch.value(t[i]), t[i + 2], t[i + 1]]);
  } catch (e) {
    throw loadError(e);
  } finally {
    scratch.store.free();
  }
  // What the scratch store held fits the cache emptied, with no key repeated.
  for (let i = 0; i < held.length; i++) charges[i] = held[i][2];
  try {
    return loadAll(c, held, charges.subarray(0, held.length), floor, joined, gens);
  } catch (e) {
    throw loadError(e);
  }
}

// The load in one call of the store (`load_all`: the core's swap, entry i in slot i,
// charged charges[i]) where the scratch store would change nothing: no key repeated
// and the entries all fitting the cache emptied. How many entries the cache holds
// after; undefined, nothing changed, where the input needs the scratch store.
function loadAll(c, entries, charges, floor, names, generations) {
  const n = entries.length;
  // (More keys than the cache holds: the store would say no, after the work below.)
  if (n > c.max) return undefined;
  const slots = new Map();
  const keys = new Array(n);
  const values = new Array(n);
  const ats = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [key, value, , at] = entries[i];
    ats[i] = at;
    keys[i] = key;
    values[i] = value;
    slots.set(key, i);
  }
  if (slots.size !== n) return undefined;
  const timed = ats.some((at) => at !== Infinity);
  // (The adaptive policy learns each key's text, as for a set. The real time where
  // anything can expire, as the scratch pass reads it.)
  const held = c.store.load_all(charges, ats, floor, names, generations, c.adaptive ? joinNames(keys) : '', timed ? c.now() : c.time());
  if (held === -1) return undefined;
  if (held < 0) throw fromMessage(c.store.take_error()); // (FAILED)
  c.install(slots, keys, values);
  c.reapAll(); // the entries skipped (expired at now)
  c.generationsMoved();
  if (keys.some((key, i) => key !== undefined && ats[i] !== Infinity)) c.expiring();
  for (const key of keys) if (key !== undefined) c.written(key);
  return held;
}

/** An error of a load as the CacheLoadError it throws. */
function loadError(e) {
  const err = fromWasm(e);
  return err instanceof CacheLoadError ? err : new CacheLoadError(`cannot load: ${err.message}`);
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
