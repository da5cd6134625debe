// The core's key functions: Django's make_key, the structured key builder, SHA-256
// shortening, namespaced keys and Django's memcached key warnings. Every string is
// checked before it crosses into wasm (see text.js); the rules are the core's.

import { codec, codecTrap } from './codec.js';
import { CacheArgumentError, fromWasm } from './errors.js';
import { describe, text } from './text.js';

function call(name, ...args) {
  try {
    return codec()[name](...args);
  } catch (e) {
    throw codecTrap(fromWasm(e));
  }
}

function integer(n, what) {
  if (typeof n !== 'number') throw new CacheArgumentError(`${what} must be a number, got ${describe(n)}`);
  return n;
}

/** A key component: a string, or an integer written in decimal. */
function component(v, what) {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  if (typeof v === 'bigint') return String(v);
  return text(v, what);
}

/** Django's default key function: `"prefix:version:key"`. */
export function makeKey(prefix, version, key) {
  return call('makeKey', text(prefix, 'prefix'), integer(version, 'version'), text(key, 'key'));
}

/**
 * A structured key with an unambiguous encoding:
 * `resource[:id,id...][?name=value&...][@scope]`, components escaped, parameters sorted,
 * shortened with SHA-256 past `maxLength` code points (default 200).
 */
export function buildKey({ resource, ids = [], params = [], scope = null, maxLength } = {}) {
  const idList = [];
  for (const id of ids) idList.push(component(id, 'an id'));
  const names = [];
  const values = [];
  const pairs =
    params && typeof params === 'object' && typeof params[Symbol.iterator] !== 'function'
      ? Object.entries(params)
      : params;
  for (const pair of pairs) {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new CacheArgumentError(`params must be [name, value] pairs or an object, got ${describe(pair)}`);
    }
    names.push(component(pair[0], 'a parameter name'));
    values.push(component(pair[1], 'a parameter value'));
  }
  const scoped = scope === null || scope === undefined ? undefined : component(scope, 'scope');
  const max = maxLength === null || maxLength === undefined ? undefined : integer(maxLength, 'maxLength');
  return call('buildKeyParts', component(resource, 'resource'), idList, names, values, scoped, max);
}

/** `key` if it has at most `maxLength` code points, else its first part, `#` and its SHA-256. */
export function shortenKey(key, maxLength) {
  return call('shortenKey', text(key, 'key'), integer(maxLength, 'maxLength'));
}

const U64_END = 2n ** 64n;

/** A namespace generation: an integer from 0 to 2^64 - 1 (a BigInt past 2^53). */
function generation(g) {
  if (typeof g === 'number' && Number.isSafeInteger(g) && g >= 0) return BigInt(g);
  if (typeof g === 'bigint' && g >= 0n && g < U64_END) return g;
  throw new CacheArgumentError(`generation must be an integer from 0 to 2^64 - 1, got ${describe(g)}`);
}

/** The key of `key` in `namespace` at `generation`: `"namespace|generation|key"`. */
export function namespacedKey(namespace, gen, key) {
  return call('namespacedKey', text(namespace, 'namespace'), generation(gen), text(key, 'key'));
}

/** Django's memcached key warnings: `"too_long"`, `"forbidden_character"`. */
export function keyWarnings(key) {
  return call('keyWarnings', text(key, 'key'));
}
