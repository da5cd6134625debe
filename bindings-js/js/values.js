// Values in a core snapshot: JSON text for JS values, raw bytes for Uint8Array, and
// anything else (a Python pickle, a codec from a newer version) kept as an OpaqueValue:
// carried through unchanged, never executed.

import { CacheArgumentError, CacheLoadError } from './errors.js';

const JSON_CODEC = 0;
const PICKLE_CODEC = 1;
const BYTES_CODEC = 2;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A snapshot value JS does not read (codec 1 is a Python pickle); kept as its bytes. */
export class OpaqueValue {
  constructor(codec, bytes) {
    this.codec = codec;
    this.bytes = bytes;
    Object.freeze(this);
  }

  get isPickle() {
    return this.codec === PICKLE_CODEC;
  }
}

/** `[codec, bytes]` of a value, or a CacheArgumentError naming the key. */
export function encodeValue(value, key) {
  if (value instanceof OpaqueValue) return [value.codec, value.bytes];
  if (value instanceof Uint8Array) return [BYTES_CODEC, value];
  let json;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new CacheArgumentError(`the value of ${JSON.stringify(key)} cannot go into a snapshot: ${e.message}`);
  }
  if (json === undefined) {
    throw new CacheArgumentError(`the value of ${JSON.stringify(key)} cannot go into a snapshot: ${typeof value} is not JSON`);
  }
  return [JSON_CODEC, encoder.encode(json)];
}

/** The JS value of a snapshot entry. */
export function decodeValue(codec, bytes, key) {
  if (codec === BYTES_CODEC) return bytes.slice();
  if (codec !== JSON_CODEC) return new OpaqueValue(codec, bytes.slice());
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch (e) {
    throw new CacheLoadError(`loadSnapshot() cannot read the value of ${JSON.stringify(key)}: ${e.message}`);
  }
}
