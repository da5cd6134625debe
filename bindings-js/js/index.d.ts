// Types of the npm package `polycache` (every runtime entry exports the same API).

/** How long an entry lives: lru-cache's `ttl` (ms) or Django's `timeout` (s), not both. */
export interface Lifetime {
  /** Milliseconds; 0 means no TTL (as in lru-cache); below 0 is already expired. */
  ttl?: number;
  /** Seconds, Django's rules: `null` never expires, 0 or below is already expired. */
  timeout?: number | null;
}

export interface SetOptions extends Lifetime {
  /** The entry's size, counted against `maxSize` (a whole number, at least 0). */
  size?: number;
}

export interface CacheOptions<V = unknown> {
  /** Most entries held at once (at least 1). At least one of `max` and `maxSize` is required. */
  max?: number;
  /** Most total size held at once (at least 1); needs `size` on each set or `sizeCalculation`. */
  maxSize?: number;
  /** The size of an entry when `set` is given none. */
  sizeCalculation?: (value: V, key: string) => number;
  /** Default lifetime in milliseconds (0 or absent: no TTL). */
  ttl?: number;
  /** Default lifetime in seconds, Django's rules (`null`: never). */
  timeout?: number | null;
  /** `'django'` makes Django's 300 s the default lifetime when neither `ttl` nor `timeout` is set. */
  timeouts?: 'lru-cache' | 'django';
  /** The current time in epoch milliseconds (default `Date.now`). Tests and edge runtimes inject their own. */
  now?: () => number;
  /** `'adaptive'` (default) resists scans and loops (W-TinyLFU); `'lru'` evicts one least recently used entry at a time; `'cull'` is Django's batch cull. */
  eviction?: 'lru' | 'cull' | 'adaptive';
  /** With `eviction: 'cull'`: drop 1/`cullFrequency` of the entries when full (0: drop all). Default 3. */
  cullFrequency?: number;
  /** What `fetch()` calls on a miss (once per key, however many fetches wait for it). */
  fetchMethod?: FetchMethod<V>;
  /** `fetch()` of an expired entry still held resolves to it at once while it is refreshed. */
  allowStale?: boolean;
  /** A rejected fetch keeps the stale value instead of dropping it. */
  noDeleteOnFetchRejection?: boolean;
  /** A rejected fetch resolves to the stale value (if any) instead of rejecting. */
  allowStaleOnFetchRejection?: boolean;
}

export interface FetchMethodOptions<V = unknown> {
  /** Aborted when the key is set, deleted or cleared meanwhile, or the caller's signal aborts. */
  signal: AbortSignal;
  options: FetchOptions<V>;
  context: unknown;
}

/** lru-cache's fetchMethod: the value for `key` (`undefined`: none, nothing is stored). */
export type FetchMethod<V = unknown> = (
  key: string,
  staleValue: V | undefined,
  options: FetchMethodOptions<V>,
) => Promise<V | undefined> | V | undefined;

export interface FetchOptions<V = unknown> extends SetOptions {
  allowStale?: boolean;
  /** Call the fetchMethod even if the key is live (a fetch already running is shared). */
  forceRefresh?: boolean;
  signal?: AbortSignal;
  /** Passed to the fetchMethod as `options.context`. */
  context?: unknown;
  noDeleteOnFetchRejection?: boolean;
  allowStaleOnFetchRejection?: boolean;
}

export interface Stats {
  hits: number;
  misses: number;
  sets: number;
  deletes: number;
  evictions: number;
  expirations: number;
  entries: number;
  /** Sum of the entries' sizes; null when the cache has neither `maxSize` nor `sizeCalculation`. */
  bytes: number | null;
  /** Namespace generations remembered (a bounded table; docs/format.md 1.6). */
  namespaces: number;
}

export interface DumpEntry<V> {
  value: V;
  size: number;
  /** Epoch milliseconds, or `null` for never. */
  expiresAt: number | null;
}

export interface Dump<V> {
  format: 'polycache';
  version: 1;
  /** Least recently used first. */
  entries: Array<[string, DumpEntry<V>]>;
  namespaces: Array<[string, number]>;
  /** The generation of every namespace not listed; absent means 1. */
  floor?: number;
}

/** An lru-cache `dump()` entry, which `load()` also reads. */
export interface LRUCacheDumpEntry<V> {
  value: V;
  ttl?: number;
  start?: number;
  size?: number;
}

export class Cache<V = unknown> implements Iterable<[string, V]> {
  constructor(options: CacheOptions<V>);
  readonly max: number;
  readonly maxSize: number | undefined;
  readonly size: number;
  readonly calculatedSize: number;
  get(key: string): V | undefined;
  peek(key: string): V | undefined;
  has(key: string): boolean;
  /** Stores `value`; `undefined` deletes the key, as in lru-cache. */
  set(key: string, value: V | undefined, options?: SetOptions): this;
  add(key: string, value: V, options?: SetOptions): boolean;
  touch(key: string, options?: Lifetime): boolean;
  delete(key: string): boolean;
  clear(): void;
  /** Gives the cache's wasm memory back now (else after a GC, or never where FinalizationRegistry is missing); later calls throw CacheTrappedError. */
  free(): void;
  /** lru-cache's fetch(): from the cache, else from `fetchMethod` (one call per key among concurrent fetches). */
  fetch(key: string, options?: FetchOptions<V>): Promise<V | undefined>;
  getRemainingTTL(key: string): number;
  purgeStale(): boolean;
  keys(): Generator<string, void, unknown>;
  values(): Generator<V, void, unknown>;
  entries(): Generator<[string, V], void, unknown>;
  [Symbol.iterator](): Iterator<[string, V]>;
  forEach(fn: (value: V, key: string, cache: this) => void, thisArg?: unknown): void;
  stats(): Stats;
  namespace(name: string): Namespace<V>;
  invalidate(name: string): number;
  generation(name: string): number;
  dump(): Dump<V>;
  load(input: Dump<V> | Array<[string, LRUCacheDumpEntry<V>]>): void;
  /** Core snapshot bytes, readable by every polycache binding; signed with `key` (16+ bytes) if given. */
  snapshot(options?: { key?: string | Uint8Array }): Uint8Array;
  /** `maxAge` (ms): refuse a snapshot made longer ago than that, by this cache's clock. */
  loadSnapshot(
    bytes: Uint8Array,
    options?: { key?: string | Uint8Array; allowUnsigned?: boolean; maxAge?: number },
  ): { verified: boolean; entries: number };
}

/** A snapshot value JS does not read (codec 1: a Python pickle), kept as its bytes, never executed. */
export class OpaqueValue {
  private constructor();
  readonly codec: number;
  readonly bytes: Uint8Array;
  readonly isPickle: boolean;
}

export class Namespace<V = unknown> {
  private constructor();
  readonly name: string;
  readonly generation: number;
  key(key: string): string;
  get(key: string): V | undefined;
  peek(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V, options?: SetOptions): this;
  add(key: string, value: V, options?: SetOptions): boolean;
  touch(key: string, options?: Lifetime): boolean;
  delete(key: string): boolean;
  getRemainingTTL(key: string): number;
  /** `cache.fetch()` of this key, pinned to the generation current when it starts. */
  fetch(key: string, options?: FetchOptions<V>): Promise<V | undefined>;
  invalidate(): number;
}

export type KeyPart = string | number | bigint;

export interface KeyParts {
  resource: KeyPart;
  ids?: Iterable<KeyPart>;
  params?: Iterable<[KeyPart, KeyPart]> | Record<string, KeyPart>;
  scope?: KeyPart | null;
  /** Longest key in code points before SHA-256 shortening (default 200). */
  maxLength?: number | null;
}

export function makeKey(prefix: string, version: number, key: string): string;
export function buildKey(parts: KeyParts): string;
export function shortenKey(key: string, maxLength: number): string;
export function namespacedKey(namespace: string, generation: number | bigint, key: string): string;
export function keyWarnings(key: string): Array<'too_long' | 'forbidden_character'>;

export class CacheKeyError extends TypeError {}
export class CacheConfigError extends RangeError {}
export class CacheTimeoutError extends RangeError {}
export class ValueTooLargeError extends RangeError {}
export class CacheLoadError extends Error {}
export class CacheTrappedError extends Error {}
export class CacheArgumentError extends TypeError {}

/**
 * lru-cache 11's `LRUCache`, on polycache's store: `import { LRUCache } from 'polycache'`
 * in place of `from 'lru-cache'`. Keys may be any value but `null`/`undefined` in the
 * types (as in lru-cache); differences are listed in bindings-js/README.md.
 */
export declare namespace LRUCache {
  type Size = number;
  type Milliseconds = number;
  type Count = number;
  /** Why a value left the cache, as `dispose`/`disposeAfter` are told. */
  type DisposeReason = 'evict' | 'set' | 'delete' | 'expire' | 'fetch';
  type Disposer<K, V> = (value: V, key: K, reason: DisposeReason) => void;
  type InsertReason = 'add' | 'update' | 'replace';
  type Inserter<K, V> = (value: V, key: K, reason: InsertReason) => void;
  type SizeCalculator<K, V> = (value: V, key: K) => Size;
  /** A clock in milliseconds; `performance` by default. */
  interface Perf {
    now(): number;
  }

  /** What each call did, filled in when an empty object is passed as `status`. */
  interface Status<K, V, FC = unknown> {
    op?: 'get' | 'set' | 'memo' | 'fetch' | 'delete' | 'has' | 'peek';
    set?: 'add' | 'update' | 'replace' | 'miss' | 'deleted';
    delete?: DisposeReason;
    peek?: 'hit' | 'miss' | 'stale';
    memo?: 'hit' | 'miss';
    has?: 'hit' | 'stale' | 'miss';
    get?: 'stale' | 'hit' | 'miss' | 'fetching' | 'stale-fetching';
    fetch?: 'get' | 'inflight' | 'miss' | 'hit' | 'stale' | 'refresh';
    context?: unknown;
    ttl?: Milliseconds;
    start?: Milliseconds;
    now?: Milliseconds;
    remainingTTL?: Milliseconds;
    entrySize?: Size;
    totalCalculatedSize?: Size;
    maxEntrySizeExceeded?: true;
    key?: K;
    value?: V;
    oldValue?: V;
    forceRefresh?: boolean;
    fetchDispatched?: true;
    fetchUpdated?: true;
    fetchError?: Error;
    fetchAborted?: true;
    fetchAbortIgnored?: true;
    fetchResolved?: true;
    fetchRejected?: true;
    returnedStale?: true;
    trace?: boolean;
    cache?: LRUCache<K & {}, V & {}, FC>;
  }

  interface GetOptions<K, V, FC> {
    allowStale?: boolean;
    updateAgeOnGet?: boolean;
    noDeleteOnStaleGet?: boolean;
    status?: Status<K, V, FC>;
  }
  interface PeekOptions<K, V, FC> {
    allowStale?: boolean;
    status?: Status<K, V, FC>;
  }
  interface HasOptions<K, V, FC> {
    updateAgeOnHas?: boolean;
    status?: Status<K, V, FC>;
  }
  interface SetOptions<K, V, FC> {
    ttl?: Milliseconds;
    /** When the entry's life started, on the cache's `perf` clock. */
    start?: Milliseconds;
    size?: Size;
    sizeCalculation?: SizeCalculator<K, V>;
    noDisposeOnSet?: boolean;
    noUpdateTTL?: boolean;
    status?: Status<K, V, FC>;
  }
  /** The options a fetchMethod sees, and may change for what it stores. */
  interface FetcherFetchOptions<K, V, FC = unknown> {
    allowStale?: boolean;
    updateAgeOnGet?: boolean;
    noDeleteOnStaleGet?: boolean;
    sizeCalculation?: SizeCalculator<K, V>;
    ttl?: Milliseconds;
    noDisposeOnSet?: boolean;
    noUpdateTTL?: boolean;
    noDeleteOnFetchRejection?: boolean;
    allowStaleOnFetchRejection?: boolean;
    ignoreFetchAbort?: boolean;
    allowStaleOnFetchAbort?: boolean;
    size?: Size;
    status?: Status<K, V, FC>;
  }
  interface FetchOptions<K, V, FC> extends FetcherFetchOptions<K, V, FC> {
    forceRefresh?: boolean;
    context?: FC;
    signal?: AbortSignal;
    status?: Status<K, V, FC>;
  }
  interface FetcherOptions<K, V, FC = unknown> {
    signal: AbortSignal;
    options: FetcherFetchOptions<K, V, FC>;
    context: FC;
  }
  type Fetcher<K, V, FC = unknown> = (
    key: K,
    staleValue: V | undefined,
    options: FetcherOptions<K, V, FC>,
  ) => Promise<V | undefined | void> | V | undefined | void;
  interface MemoOptions<K, V, FC = unknown> extends Omit<FetcherFetchOptions<K, V, FC>, 'status'> {
    forceRefresh?: boolean;
    context?: FC;
    status?: Status<K, V, FC>;
  }
  interface MemoizerOptions<K, V, FC = unknown> {
    options: Omit<MemoOptions<K, V, FC>, 'context' | 'status' | 'forceRefresh'>;
    context: FC;
  }
  type Memoizer<K, V, FC = unknown> = (key: K, staleValue: V | undefined, options: MemoizerOptions<K, V, FC>) => V;

  interface OptionsBase<K, V, FC> {
    max?: Count;
    maxSize?: Size;
    maxEntrySize?: Size;
    sizeCalculation?: SizeCalculator<K, V>;
    ttl?: Milliseconds;
    ttlResolution?: Milliseconds;
    ttlAutopurge?: boolean;
    allowStale?: boolean;
    updateAgeOnGet?: boolean;
    updateAgeOnHas?: boolean;
    noUpdateTTL?: boolean;
    noDeleteOnStaleGet?: boolean;
    dispose?: Disposer<K, V>;
    disposeAfter?: Disposer<K, V>;
    noDisposeOnSet?: boolean;
    onInsert?: Inserter<K, V>;
    fetchMethod?: Fetcher<K, V, FC>;
    memoMethod?: Memoizer<K, V, FC>;
    noDeleteOnFetchRejection?: boolean;
    allowStaleOnFetchRejection?: boolean;
    allowStaleOnFetchAbort?: boolean;
    ignoreFetchAbort?: boolean;
    /** What a fetch in flight counts for in `calculatedSize` (default 1). */
    backgroundFetchSize?: Size;
    perf?: Perf;
  }
  /** At least one of `max`, `maxSize` and `ttl` is required. */
  type Options<K, V, FC> =
    | (OptionsBase<K, V, FC> & { max: Count })
    | (OptionsBase<K, V, FC> & { maxSize: Size })
    | (OptionsBase<K, V, FC> & { ttl: Milliseconds; ttlAutopurge?: boolean });
  /** One entry of `dump()`/`info()`; `start` is epoch ms (Date.now). */
  interface Entry<V> {
    value: V;
    ttl?: Milliseconds;
    size?: Size;
    start?: Milliseconds;
  }
}

export declare class LRUCache<K extends {}, V extends {}, FC = unknown> {
  constructor(options: LRUCache.Options<K, V, FC> | LRUCache<K, V, FC>);
  ttl: LRUCache.Milliseconds;
  ttlResolution: LRUCache.Milliseconds;
  ttlAutopurge: boolean;
  updateAgeOnGet: boolean;
  updateAgeOnHas: boolean;
  allowStale: boolean;
  noDisposeOnSet: boolean;
  noUpdateTTL: boolean;
  maxEntrySize: LRUCache.Size;
  sizeCalculation?: LRUCache.SizeCalculator<K, V>;
  noDeleteOnFetchRejection: boolean;
  noDeleteOnStaleGet: boolean;
  allowStaleOnFetchAbort: boolean;
  allowStaleOnFetchRejection: boolean;
  ignoreFetchAbort: boolean;
  backgroundFetchSize: number;
  readonly perf: LRUCache.Perf;
  readonly max: LRUCache.Count;
  readonly maxSize: LRUCache.Count;
  readonly calculatedSize: LRUCache.Size;
  /** Entries held, stale ones and fetches in flight included. */
  readonly size: LRUCache.Count;
  readonly fetchMethod: LRUCache.Fetcher<K, V, FC> | undefined;
  readonly memoMethod: LRUCache.Memoizer<K, V, FC> | undefined;
  readonly dispose: LRUCache.Disposer<K, V> | undefined;
  readonly onInsert: LRUCache.Inserter<K, V> | undefined;
  readonly disposeAfter: LRUCache.Disposer<K, V> | undefined;
  [Symbol.toStringTag]: string;

  get(k: K, getOptions?: LRUCache.GetOptions<K, V, FC>): V | undefined;
  set(k: K, v: V | undefined, setOptions?: LRUCache.SetOptions<K, V, FC>): this;
  has(k: K, hasOptions?: LRUCache.HasOptions<K, V, FC>): boolean;
  peek(k: K, peekOptions?: LRUCache.PeekOptions<K, V, FC>): V | undefined;
  delete(k: K): boolean;
  clear(): void;
  /** Not in lru-cache: gives the cache's wasm memory back now; later calls that reach the store throw CacheTrappedError. */
  free(): void;
  /**
   * polycache only: the cache in the core's snapshot format, which `Cache`, other
   * `LRUCache`s and Django's `PolyCache` read; signed with `key` (16+ bytes) if given.
   * Only string keys cross: any other makes it throw a `CacheKeyError`, unless
   * `skipNonStringKeys`, and then `status.skipped` counts them.
   */
  snapshot(options?: { key?: string | Uint8Array; skipNonStringKeys?: boolean; status?: { entries?: number; skipped?: number } }): Uint8Array;
  /** polycache only: replaces the contents with a snapshot's entries (expired ones left out). */
  loadSnapshot(bytes: Uint8Array, options?: { key?: string | Uint8Array; allowUnsigned?: boolean }): { verified: boolean; entries: number };
  pop(): V | undefined;
  fetch(k: K, fetchOptions?: LRUCache.FetchOptions<K, V, FC>): Promise<V | undefined>;
  forceFetch(k: K, fetchOptions?: LRUCache.FetchOptions<K, V, FC>): Promise<V>;
  memo(k: K, memoOptions?: LRUCache.MemoOptions<K, V, FC>): V;
  /** Milliseconds left: negative once stale, `Infinity` without a ttl, 0 when absent. */
  getRemainingTTL(key: K): number;
  purgeStale(): boolean;
  info(key: K): LRUCache.Entry<V> | undefined;
  dump(): [K, LRUCache.Entry<V>][];
  load(arr: [K, LRUCache.Entry<V>][]): void;
  entries(): Generator<[K, V], void, unknown>;
  rentries(): Generator<[K, V], void, unknown>;
  keys(): Generator<K, void, unknown>;
  rkeys(): Generator<K, void, unknown>;
  values(): Generator<V, void, unknown>;
  rvalues(): Generator<V, void, unknown>;
  [Symbol.iterator](): Generator<[K, V], void, unknown>;
  find(fn: (v: V, k: K, self: LRUCache<K, V, FC>) => boolean, getOptions?: LRUCache.GetOptions<K, V, FC>): V | undefined;
  forEach(fn: (v: V, k: K, self: LRUCache<K, V, FC>) => unknown, thisp?: unknown): void;
  rforEach(fn: (v: V, k: K, self: LRUCache<K, V, FC>) => unknown, thisp?: unknown): void;
}
