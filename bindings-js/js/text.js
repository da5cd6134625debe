// Checks on strings before they cross into wasm. wasm-bindgen encodes JS strings as
// UTF-8 and replaces a lone surrogate with U+FFFD, so "\uD800" and "\uFFFD" would meet:
// such strings are refused instead.

import { CacheKeyError } from './errors.js';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const wellFormed =
  typeof String.prototype.isWellFormed === 'function'
    ? (s) => s.isWellFormed()
    : (s) => !loneSurrogate.test(s);

/** `s` if it is a string whose text the core can see exactly, else a CacheKeyError. */
export function text(s, what) {
  if (typeof s !== 'string') {
    throw new CacheKeyError(`${what} must be a string, got ${describe(s)}`);
  }
  if (!wellFormed(s)) {
    throw new CacheKeyError(
      `${what} contains a lone UTF-16 surrogate, which has no Unicode text: ${JSON.stringify(s.slice(0, 60))}`,
    );
  }
  return s;
}

/** The error for a key of another type than string. */
export function keyError(key) {
  return new CacheKeyError(`cache keys must be strings, got ${describe(key)}`);
}

/** A short description of a value for error messages. */
export function describe(v) {
  if (v === null) return 'null';
  if (typeof v === 'object') return v.constructor ? v.constructor.name : 'object';
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 60));
  if (typeof v === 'symbol' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v === 'function' ? 'function' : `${typeof v} ${String(v)}`;
}
