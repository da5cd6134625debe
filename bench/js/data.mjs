// The keys and values every implementation gets: generated from a fixed seed, so each
// process (one per implementation) builds exactly the same data in the same order.

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~%';

const TEXT_LENGTH = 1 << 16;
let pool;
function text(r) {
  if (pool === undefined) {
    const chars = new Array(TEXT_LENGTH);
    for (let i = 0; i < TEXT_LENGTH; i++) chars[i] = ALPHABET[Math.floor(r() * ALPHABET.length)];
    pool = chars.join('');
  }
  return pool;
}

export const SHAPES = {
  // lru-cache's own `str` key type.
  short: (i) => `foo${i}bar`,
  // A namespaced application key, as a Django/DRF-style API builds them (~48 characters).
  namespaced: (i, r) =>
    `site:1:books:${i}?page=${1 + Math.floor(r() * 9)}&sort=-year@user%3A${Math.floor(r() * 10000)}`,
  // 1 KiB: the number first, then a stretch of PRNG text (keys differ early, as URLs do).
  '1KiB': (i, r) => {
    const head = `k${i}:`;
    const at = Math.floor(r() * (TEXT_LENGTH - 1024));
    return head + text(r).slice(at, at + 1024 - head.length);
  },
};

function shuffled(n, r) {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/**
 * `2n` distinct keys of `shape` (the first n fill the cache, the other n evict them),
 * their first and second values (ints, as lru-cache's benchmark uses), and the two
 * shuffled orders of the update and second get phases.
 */
export function makeData(shape, n, seed = 20261123) {
  const make = SHAPES[shape];
  if (make === undefined) throw new Error(`unknown key shape ${shape}; known: ${Object.keys(SHAPES).join(', ')}`);
  const r = prng(seed);
  const keys = new Array(2 * n);
  const values1 = new Array(2 * n);
  const values2 = new Array(2 * n);
  for (let i = 0; i < 2 * n; i++) {
    keys[i] = make(i, r);
    values1[i] = Math.floor(r() * 1e7);
    values2[i] = Math.floor(r() * 1e7);
  }
  if (new Set(keys).size !== keys.length) throw new Error(`${shape}: keys are not distinct`);
  return { keys, values1, values2, updateOrder: shuffled(n, r), getOrder: shuffled(n, r) };
}
