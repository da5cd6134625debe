// Reading what `load()` is given: a polycache dump (`{format, version, entries,
// namespaces}`) or an lru-cache dump (`[[key, {value, ttl, start, size}], ...]`).
// Everything is checked before the cache is touched, so bad input changes nothing.

import { CacheLoadError } from './errors.js';
import { describe, text } from './text.js';

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const isTime = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function fail(msg) {
  throw new CacheLoadError(`load() cannot read its input: ${msg}`);
}

// Keys stay on the JS side (any string will do, lone surrogates included); namespace
// names cross into the core, so they must be well-formed text.
function checkKey(key, where) {
  if (typeof key !== 'string') fail(`the key of ${where} is ${describe(key)}, not a string`);
  return key;
}

function checkSize(size, where) {
  if (size === undefined) return undefined;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
    fail(`${where} has size ${describe(size)}, not a whole number of at least 0`);
  }
  return size;
}

/** `{entries: [key, value, size|undefined, expiresAt(ms or Infinity)][], namespaces: [name, gen][], floor}`. */
export function parseDump(input) {
  if (Array.isArray(input)) return { entries: lruCacheEntries(input), namespaces: [], floor: 1 };
  if (!isObject(input) || input.format !== 'polycache') {
    fail(`expected what dump() returns (an object with format "polycache") or an lru-cache dump array, got ${describe(input)}`);
  }
  if (input.version !== 1) fail(`dump version ${describe(input.version)} is not supported (this polycache reads version 1)`);
  if (!Array.isArray(input.entries)) fail(`entries must be an array, got ${describe(input.entries)}`);
  const entries = input.entries.map((e, i) => {
    const where = `entry ${i}`;
    if (!Array.isArray(e) || e.length !== 2 || !isObject(e[1])) fail(`${where} is not a [key, {value, size, expiresAt}] pair`);
    const [key, meta] = e;
    const { expiresAt } = meta;
    if (expiresAt !== null && expiresAt !== undefined && !isTime(expiresAt)) {
      fail(`${where} has expiresAt ${describe(expiresAt)}, not an epoch time in milliseconds or null`);
    }
    return [checkKey(key, where), meta.value, checkSize(meta.size, where), expiresAt == null ? Infinity : expiresAt];
  });
  const namespaces = input.namespaces === undefined ? [] : input.namespaces;
  if (!Array.isArray(namespaces)) fail(`namespaces must be an array, got ${describe(namespaces)}`);
  for (const [i, ns] of namespaces.entries()) {
    if (!Array.isArray(ns) || ns.length !== 2) fail(`namespace ${i} is not a [name, generation] pair`);
    try {
      text(ns[0], `the name of namespace ${i}`);
    } catch (e) {
      fail(e.message);
    }
    if (!Number.isSafeInteger(ns[1]) || ns[1] < 1) fail(`namespace ${i} has generation ${describe(ns[1])}, not a positive integer`);
  }
  // The generation of every namespace the dump does not list (docs/format.md 1.6).
  const floor = input.floor === undefined ? 1 : input.floor;
  if (!Number.isSafeInteger(floor) || floor < 1) fail(`floor ${describe(floor)} is not a positive integer`);
  return { entries, namespaces, floor };
}

function lruCacheEntries(arr) {
  return arr.map((e, i) => {
    const where = `entry ${i}`;
    if (!Array.isArray(e) || e.length !== 2 || !isObject(e[1])) fail(`${where} is not a [key, {value, ttl, start, size}] pair`);
    const [key, meta] = e;
    let expiresAt = Infinity;
    if (meta.ttl !== undefined && meta.ttl !== 0) {
      if (!isTime(meta.ttl) || !isTime(meta.start)) fail(`${where} has ttl/start that are not times in milliseconds`);
      expiresAt = meta.start + meta.ttl;
    }
    return [checkKey(key, where), meta.value, checkSize(meta.size, where), expiresAt];
  });
}
