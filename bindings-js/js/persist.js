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
  const gens = c.store.generation_values_exact();
  const dumped = { format: 'polycache', version: 1, entries, namespaces: names.map((n, i) => [n, Number(gens[i])]) };
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

// The entries a call of the store takes at a time (its memory, which never shrinks, then
// holds a part of the input at most, beside the scratch store).
const PART = 4096;

// A load as Python's does it (bindings-python/src/snapshot.rs `load_in`), by the store's
// `load_all`, a part at a time: the input first into a scratch store bounded like the cache,
// each entry least recently used first by the core's rule for it (`Store::bound_one`: an
// earlier entry of the same key gone, one expired already or larger than the byte bound
// skipped, the key's text learnt first where the adaptive policy learns them, what the
// bound has no room for going as it comes); then the swap: the cache's entries cleared
// (the policy's history stays, as the core's clear keeps it), the input's generations
// merged (each namespace ends at the larger of the two), and what the scratch store
// held written in its order. So an adaptive cache decides after a load as Python's
// does, and counts the load as Python does (a set a held entry). Sizes are computed as
// the parts are made (user code, once an entry) and the store checks each part before it
// takes it: a failure leaves the cache as it was. How many entries the cache holds after.
function replace(c, entries, floor, names, generations) {
  const n = entries.length;
  const store = c.store;
  c.names(); // (the store's names seeded before the input's come)
  // Each key's slot (a key repeated keeps its slot; its later entry's value wins), and
  // the slots the scratch store let go, handed out again to the next part's new keys.
  const slots = new Map();
  const keys = [];
  const values = [];
  const until = []; // each slot's expiry: its key's last entry's
  const free = [];
  const joined = joinNames(names);
  const gens = BigUint64Array.from(generations);
  // (The real time where anything can expire, as Python's load reads it.)
  const now = entries.some((e) => e[3] !== Infinity) ? c.now() : c.time();
  let held = 0;
  try {
    for (let from = 0; from === 0 || from < n; from += PART) {
      const to = Math.min(n, from + PART);
      const order = new Uint32Array(to - from);
      const charges = new Float64Array(to - from);
      const ats = new Float64Array(to - from);
      for (let i = from; i < to; i++) {
        // The size first (user code: the cache untouched if it throws), once an entry.
        const [key, value, size, at] = entries[i];
        charges[i - from] = c.size(key, value, size);
        ats[i - from] = at;
        let slot = slots.get(key);
        if (slot === undefined) {
          slot = free.length > 0 ? free.pop() : keys.length;
          slots.set(key, slot);
          keys[slot] = key;
        }
        values[slot] = value;
        until[slot] = at;
        order[i - from] = slot;
      }
      // (The adaptive policy learns each key's text, as for a set.)
      const texts = c.adaptive ? joinNames(entries.slice(from, to).map((e) => e[0])) : '';
      held = store.load_all(order, charges, ats, texts, floor, joined, gens, now, (from === 0 ? 1 : 0) | (to === n ? 2 : 0));
      if (held < 0) throw fromMessage(store.take_error()); // (FAILED)
      for (const slot of store.take_dead()) {
        if (keys[slot] === undefined) continue; // (let go twice)
        slots.delete(keys[slot]);
        keys[slot] = values[slot] = undefined;
        free.push(slot);
      }
    }
  } catch (e) {
    throw loadError(e);
  }
  c.install(slots, keys, values, free);
  c.generationsMoved();
  if (keys.some((key, slot) => key !== undefined && until[slot] !== Infinity)) c.expiring();
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
