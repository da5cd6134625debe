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
 * Views on a store's ring, expiries, key buffer, `[now, expiry, floor, queued text
 * bytes, queued recycles]` (its clock, bindings-js/src/slots.rs `clock`) and recency
 * links (empty where they may move), made from the memory as it is
 * after the call that locates them. Any later call of any store may grow the memory, which detaches them
 * (their length reads 0): the Cache checks a length before trusting them.
 */
export function openViews(store) {
  const at = store.views_at();
  const buf = storeMemory().buffer;
  const [ring, ringLen, exp, expLen, key, keyLen, clock, links, linksLen] = new Uint32Array(buf, at, 9);
  return [
    new Int32Array(buf, ring, ringLen),
    new Float64Array(buf, exp, expLen),
    new Uint8Array(buf, key, keyLen),
    new Float64Array(buf, clock, 5),
    new Uint32Array(buf, links, linksLen),
  ];
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
 * Writes `key` into the key buffer view `bytes` from byte `at`; its length in bytes, or
 * -1 when it does not fit there (a detached view fits nothing). A short ASCII key is
 * copied a character at a time: Node's encodeInto costs ~55 ns whatever the length
 * (docs/js-speed-history.md, session 13).
 */
export function writeKey(bytes, key, at = 0) {
  const n = key.length;
  if (!(at + n <= bytes.length)) return -1;
  if (n <= 16) {
    let i = 0;
    for (let c; i < n && (c = key.charCodeAt(i)) < 128; i++) bytes[at + i] = c;
    if (i === n) return n;
  }
  const { read, written } = encoder.encodeInto(key, at === 0 ? bytes : bytes.subarray(at));
  return read === n ? written : -1;
}
/**
 * The adaptive policy learns `key` for the store's next write: its text goes through
 * the key buffer view `bytes` (a string argument costs an allocation and a free in
 * wasm), or as a string when it does not fit. False, and nothing learnt, when the view
 * is detached (its owner opens it again and retries). The buffer must hold no queued
 * text (`queueKey`): the caller syncs the store first.
 */
export function learnKey(store, bytes, key) {
  if (bytes.length === 0) return false;
  const len = writeKey(bytes, key);
  if (len < 0 || !store.next_key_at(len)) store.next_key(key);
  return true;
}
/**
 * Queues `key`'s text for the replay of a new key's write the caller queues in the
 * ring (an adaptive store's; bindings-js/src/views.rs `queued_text`): after the texts
 * queued since the last replay, whose bytes `clock[3]` counts, as its length in two
 * bytes and its UTF-8. False, nothing queued, where it does not fit or the views are
 * detached.
 */
export function queueKey(bytes, clock, key) {
  const at = clock[3];
  const len = writeKey(bytes, key, at + 2);
  if (len < 0) return false;
  bytes[at] = len & 255;
  bytes[at + 1] = len >> 8;
  clock[3] = at + 2 + len;
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
export const NO_LINKS = new Uint32Array(0);

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
