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

// A written snapshot leaves wasm in pieces of about this size, so wasm memory (which
// never shrinks) stays small however large the snapshot.
const CHUNK = 64 * 1024;

/**
 * Writes `n` entries through a wasm `SnapshotWriter` (`entryAt(i)` gives `[key, expiry,
 * value]`) and returns the snapshot bytes. Values are encoded one at a time.
 */
export function writeSnapshot(writer, n, entryAt) {
  const chunks = [];
  let total = 0;
  const keep = (bytes) => {
    chunks.push(bytes);
    total += bytes.length;
  };
  keep(writer.take());
  for (let i = 0; i < n; i++) {
    const [key, expiry, value] = entryAt(i);
    const [codec, bytes] = encodeValue(value, key);
    if (writer.entry(key, expiry, codec, bytes) >= CHUNK) keep(writer.take());
  }
  keep(writer.finish());
  const out = new Uint8Array(total);
  for (let i = 0, at = 0; i < chunks.length; at += chunks[i].length, i++) out.set(chunks[i], at);
  return out;
}

/** A checked snapshot's entries as `[key, value, size, expiresAt]`, read one at a time. */
export function* readEntries(reader, sizeOf) {
  for (let codec = reader.advance(); codec >= 0; codec = reader.advance()) {
    const key = reader.key();
    const raw = reader.value();
    yield [key, decodeValue(codec, raw, key), sizeOf(raw), reader.expiry()];
  }
}
