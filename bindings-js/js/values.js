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

/** Values as a snapshot's payload: each one's codec and length, all bytes concatenated. */
export function packValues(keys, values) {
  const n = keys.length;
  const codecs = new Uint8Array(n);
  const lengths = new Uint32Array(n);
  const chunks = new Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const [codec, bytes] = encodeValue(values[i], keys[i]);
    codecs[i] = codec;
    lengths[i] = bytes.length;
    chunks[i] = bytes;
    total += bytes.length;
  }
  const bytes = new Uint8Array(total);
  for (let i = 0, at = 0; i < n; at += lengths[i], i++) bytes.set(chunks[i], at);
  return { codecs, lengths, bytes };
}

/** A decoded snapshot's entries as `[key, value, size, expiresAt]`; `sizeOf(bytes)` gives sizes. */
export function unpackEntries(decoded, sizeOf) {
  const keys = decoded.keys();
  const expiries = decoded.expiries();
  const codecs = decoded.codecs();
  const lengths = decoded.lengths();
  const values = decoded.values();
  const entries = [];
  for (let i = 0, at = 0; i < keys.length; at += lengths[i], i++) {
    const raw = values.subarray(at, at + lengths[i]);
    entries.push([keys[i], decodeValue(codecs[i], raw, keys[i]), sizeOf(raw), expiries[i]]);
  }
  return entries;
}
