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
  /** `'lru'` (default) evicts one least recently used entry at a time; `'cull'` is Django's batch cull; `'adaptive'` resists scans and loops (W-TinyLFU). */
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
  bytes: number;
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
  /** Core snapshot bytes, readable by every polycache binding; signed with `key` if given. */
  snapshot(options?: { key?: string | Uint8Array }): Uint8Array;
  loadSnapshot(
    bytes: Uint8Array,
    options?: { key?: string | Uint8Array; allowUnsigned?: boolean },
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
export class CacheArgumentError extends TypeError {}
