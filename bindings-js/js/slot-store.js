// The wasm store the Cache drives (bindings-js/src/slots.rs), and what the Cache needs
// around it: trap handling, views on the store's memory, the default clock.

import { SlotStore, initSync, take_failure as takeFailure } from '../../dist/polycache_wasm.js';
import { ON_TRAP, fromMessage, guardTraps } from './errors.js';
import { firstUse } from './first-use.js';

export { ON_TRAP, SlotStore };

// A write's answer (must match bindings-js/src/views.rs): the one slot it freed, none,
// several to take with a call, refused; below FAILED, -(2 + k): k slots freed, in the
// ring's places 1..k (read before anything is recorded in it).
export const FREED_NONE = -1;
export const FREED_MANY = -2;
export const FAILED = -3;

// Must match bindings-js/src/views.rs: the ring holds operations after its count (as
// many as its view's length less one: fewer in a small cache); a hit is the slot, a
// miss MISS, an update -(2 * slot + 2), a new key's write -(2 * slot + 3).
export const MISS = -1;
// Must match KEY_BYTES in bindings-js/src/views.rs. A JS string's UTF-8 is at most 3
// bytes per UTF-16 unit, so a key of up to KEY_CHARS units always fits.
const KEY_BYTES = 4096;
export const KEY_CHARS = Math.floor(KEY_BYTES / 3);

// Every method that allocates in wasm can trap (each replays the ring first, which may
// allocate); `set` and `delete` are guarded where the Cache calls them (no wrapper on
// the hot path).
export const [poison, release] = guardTraps(SlotStore, ['set', 'delete'], 'Cache');

/** Throws what `SlotStore.make` answered `undefined` for (error.rs: the module makes no JS errors). */
export function failedMaking() {
  throw fromMessage(takeFailure());
}

// The store module's instantiation, where the entry point defers it to first use
// (Node and Deno read and compile the wasm synchronously: 1.5-2 ms at import that an
// `LRUCache` user, or a program that makes its caches later, need not pay then):
// `storeFrom(f)`, `f()` instantiating it; `ensureStore()` before its first use (nothing
// to do where the entry point instantiated it at import: browsers, workerd).
export const [storeFrom, ensureStore] = firstUse(null, "the Cache's wasm module");

let memory;
/**
 * Views on a store's ring, expiries, key buffer and `[now, expiry, floor]` (its clock,
 * bindings-js/src/slots.rs `clock`), made from the memory as it is after the call that
 * locates them. Any later call of any store may grow the memory, which detaches them
 * (their length reads 0): the Cache checks a length before trusting them.
 */
export function openViews(store) {
  const at = store.views_at();
  const buf = storeMemory().buffer;
  const [ring, ringLen, exp, expLen, key, clock] = new Uint32Array(buf, at, 6);
  return [new Int32Array(buf, ring, ringLen), new Float64Array(buf, exp, expLen), new Uint8Array(buf, key, KEY_BYTES), new Float64Array(buf, clock, 3)];
}
export const NO_BYTES = new Uint8Array(0);
export const NO_CLOCK = new Float64Array(0);
/**
 * Whether a write of `slot` with the cache's default lifetime at `now` may go into the
 * ring (a timed LRU cache, nothing sized, no options: cache.js): the expiries `exp` cover
 * the slot, the store kept that lifetime's expiry for this `now` (`clock`, see
 * `openViews`), and no entry expires at it, so the write frees nothing. If so, the
 * slot's expiry is written as the store's write would write it; the caller queues the
 * write (bindings-js/src/slots_write.rs replays it).
 */
export function queueTimed(exp, clock, slot, now) {
  // The length first: a detached view (the memory grew) is read by no index, which would
  // make V8's loads of it generic. The clock's view detaches with the expiries'.
  if (slot >= exp.length) return false;
  if (now !== clock[0] || !(now < clock[2])) return false;
  exp[slot] = clock[1];
  return true;
}
const encoder = new TextEncoder();
/**
 * Writes `key` (at most KEY_CHARS long) into the key buffer view `bytes`; its length in
 * bytes, or -1 when the view is detached. A short ASCII key is copied a character at a
 * time: Node's encodeInto costs ~55 ns whatever the length (docs/js-speed-history.md, session 13).
 */
export function writeKey(bytes, key) {
  if (bytes.length === 0) return -1;
  const n = key.length;
  if (n <= 16) {
    let i = 0;
    for (let c; i < n && (c = key.charCodeAt(i)) < 128; i++) bytes[i] = c;
    if (i === n) return n;
  }
  return encoder.encodeInto(key, bytes).written;
}
/**
 * The adaptive policy learns `key` for the store's next write: its text goes through
 * the key buffer view `bytes` (a string argument costs an allocation and a free in
 * wasm), or as a string when it might not fit. False, and nothing learnt, when the view
 * is detached (its owner opens it again and retries).
 */
export function learnKey(store, bytes, key) {
  if (key.length <= KEY_CHARS) {
    const len = writeKey(bytes, key);
    if (len < 0) return false;
    if (store.next_key_at(len)) return true;
  }
  store.next_key(key);
  return true;
}
/**
 * `Cache[STORE_MEMORY]`: the store module's WebAssembly.Memory, for tests and diagnostics.
 * The Node ESM bundle carries the glue inside it, so the glue file is another instance.
 */
export const STORE_MEMORY = Symbol.for('polycache.storeMemory');
export function storeMemory() {
  // The instance's exports, where the entry point made them on first use, or as the
  // glue's `initSync` answers them once instantiated (an entry point that instantiates
  // at import: workerd's, the browser's).
  memory ??= (ensureStore() ?? initSync()).memory;
  return memory;
}
export const NO_RING = new Int32Array(0);
export const NO_EXPIRIES = new Float64Array(0);

// The default clock: Date.now() costs 35+ ns, over a third of a get with a TTL, so it
// is read at most once per millisecond of event-loop time, as lru-cache does (its
// ttlResolution): a timer clears the reading 1 ms later, and synchronous code sees one
// time (as all code does in Cloudflare Workers). Where timers are refused (a Worker's
// global scope) every call reads Date.now(). A clock the caller passes is always called.
let clockReading = 0;
function clearReading() {
  clockReading = 0;
}
export function coarseNow() {
  if (clockReading !== 0) return clockReading;
  const now = Date.now();
  try {
    const t = setTimeout(clearReading, 1);
    if (typeof t === 'object' && typeof t.unref === 'function') t.unref();
    clockReading = now;
  } catch {
    // no timers here: no caching
  }
  return now;
}
