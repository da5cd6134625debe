// Values in a core snapshot: JSON text for JS values, raw bytes for Uint8Array, and
// anything else kept as an OpaqueValue (values.js). Used by the code that snapshots,
// which is loaded on first use (persist.js, lru-snapshot.js): each of Node's lazily read
// bundles carries this file (lazy-bundle.mjs), and imports the rest from the package.

import { codec, codecTrap } from './codec.js';
import { CacheArgumentError, CacheLoadError, fromWasm } from './errors.js';
import { text } from './text.js';
import { BYTES_CODEC, JSON_CODEC, OpaqueValue } from './values.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** A snapshot signing key as bytes: a string (UTF-8) or a Uint8Array. */
export function signingKey(key) {
  if (key === undefined || key === null) return undefined;
  if (key instanceof Uint8Array) return key;
  return encoder.encode(text(key, 'a snapshot key'));
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

/**
 * Frees a wasm SnapshotWriter/SnapshotReader. One whose call trapped keeps wasm-bindgen's
 * borrow, and its free() would throw over the trap's own error: it is left to leak.
 */
export function release(obj) {
  try {
    obj?.free();
  } catch {
    // trapped: see above
  }
}

/** The most bytes before a snapshot's generations (core `snapshot::HEAD_LEN`): what `openSnapshot` reads first. */
export const HEAD_LEN = 26;

// The input of a load stays in JS; the core sees it a window of about this size at a time.
const WINDOW = 1 << 20;

// Shows `bytes` to a wasm SnapshotReader window by window; yields the entry positions
// found in each.
function* windows(reader, bytes) {
  for (let need = WINDOW; ; ) {
    const at = reader.pos();
    const next = reader.walk(bytes.subarray(at, at + Math.max(need, WINDOW)));
    yield reader.found();
    if (next < 0) return;
    need = next;
  }
}

/** Checks `bytes` whole through `reader` (signature, lengths, text) before anything is read. */
export function checkSnapshot(reader, bytes) {
  const end = reader.body_end();
  for (let at = 0; at < end; at += WINDOW) reader.mac_update(bytes.subarray(at, Math.min(at + WINDOW, end)));
  reader.mac_verify(bytes.subarray(end));
  const pass = windows(reader, bytes);
  while (!pass.next().done);
  reader.rewind();
}

/**
 * A checked snapshot's entries as `[key, value, size, expiresAt]`, read one window at a
 * time into one array (both callers take them all before the cache changes).
 */
export function readEntries(reader, bytes, sizeOf) {
  const entries = [];
  for (const found of windows(reader, bytes)) {
    for (let i = 0; i < found.length; i += 6) {
      const key = decoder.decode(bytes.subarray(found[i], found[i] + found[i + 1]));
      const raw = bytes.subarray(found[i + 4], found[i + 4] + found[i + 5]);
      entries.push([key, decodeValue(found[i + 3], raw, key), sizeOf(raw), found[i + 2]]);
    }
  }
  return entries;
}

/**
 * A reader of snapshot `bytes` from the snapshot and key module, its head and length
 * checked; on failure the reader is released and the error to throw is thrown.
 */
export function openReader(bytes, signing, allowUnsigned, now, maxAge) {
  let reader;
  try {
    reader = codec().openSnapshot(bytes.subarray(0, HEAD_LEN), bytes.length, signing, allowUnsigned === true, now, maxAge);
    checkSnapshot(reader, bytes);
    return reader;
  } catch (e) {
    release(reader);
    throw codecTrap(fromWasm(e));
  }
}
