// Core snapshots (the bytes every binding reads): round trips, signatures, keys that are
// not keys, replays past maxAge, values JS cannot read, and the byte layout itself,
// written here by hand from the format's spec in docs/format.md.
import { eq, ok, throws } from './assert.mjs';

const utf8 = (s) => new TextEncoder().encode(s);

/** The snapshot layout, encoded independently of the core (unsigned). */
function handEncode({ createdAt, generations, entries }) {
  const out = [];
  const u32 = (n) => out.push(n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255);
  const u64 = (n) => {
    let v = BigInt(n);
    for (let i = 0; i < 8; i++, v >>= 8n) out.push(Number(v & 255n));
  };
  const bytes = (b) => {
    u32(b.length);
    out.push(...b);
  };
  out.push(...utf8('POLYSNAP'), 1, 0);
  u64(createdAt);
  u32(generations.length);
  for (const [name, g] of generations) {
    bytes(utf8(name));
    u64(g);
  }
  u32(entries.length);
  for (const [key, expiresAt, codec, value] of entries) {
    bytes(utf8(key));
    u64(expiresAt === null ? 2n ** 64n - 1n : expiresAt);
    out.push(codec);
    bytes(value);
  }
  return Uint8Array.from(out);
}

const K1 = 'the first key, 16+ bytes';

export function snapshotCases(lib) {
  const { Cache } = lib;
  const T = 1_700_000_000_000;
  return [
    ['snapshot: an empty or short key is a configuration error, never a key', () => {
      const src = new Cache({ max: 10 });
      src.set('k', 'v');
      const unsigned = src.snapshot();
      const cache = new Cache({ max: 10 });
      cache.set('mine', 1);
      for (const key of ['', new Uint8Array(0)]) {
        throws(() => src.snapshot({ key }), lib.CacheConfigError, /empty/, 'snapshot with an empty key');
        throws(() => cache.loadSnapshot(unsigned, { key }), lib.CacheConfigError, /empty/, 'load with an empty key');
      }
      for (const key of ['s3cret', 'x'.repeat(15), new Uint8Array(15), 'é'.repeat(7)]) {
        throws(() => src.snapshot({ key }), lib.CacheConfigError, /fewer than the 16/, `short key ${key.length}`);
      }
      eq([...cache.entries()], [['mine', 1]], 'unchanged');
      const sixteen = 'é'.repeat(8); // 16 bytes of UTF-8
      eq(cache.loadSnapshot(src.snapshot({ key: sixteen }), { key: sixteen }).verified, true, '16 bytes will do');
    }],
    ['snapshot: maxAge refuses an old (replayed) or far-future snapshot by the cache clock', () => {
      let t = T;
      const src = new Cache({ max: 10, now: () => t });
      src.set('price', 10);
      const old = src.snapshot({ key: K1 });
      t += 3_600_000;
      const cache = new Cache({ max: 10, now: () => t });
      cache.set('price', 12);
      throws(() => cache.loadSnapshot(old, { key: K1, maxAge: 3_599_999 }), lib.CacheLoadError, /3600000 ms ago.*max_age/, 'too old');
      eq(cache.get('price'), 12, 'a refused snapshot changes nothing');
      eq(cache.loadSnapshot(old, { key: K1, maxAge: 3_600_000 }).verified, true, 'exactly maxAge old');
      eq(cache.get('price'), 10, 'without maxAge (or within it) an old snapshot replays');
      const future = new Cache({ max: 10, now: () => T - 120_000 });
      throws(() => future.loadSnapshot(old, { key: K1, maxAge: 60_000 }), lib.CacheLoadError, /future/, 'from the future');
      for (const maxAge of [-1, NaN, Infinity]) {
        throws(() => cache.loadSnapshot(old, { key: K1, maxAge }), lib.CacheConfigError, /maxAge/, `maxAge ${maxAge}`);
      }
      throws(() => cache.loadSnapshot(old, { key: K1, maxAge: '60' }), lib.CacheConfigError, /maxAge/, 'maxAge as a string');
    }],
    ['snapshot: a repeated key loads its later entry, even an expired one', () => {
      const bytes = handEncode({
        createdAt: T,
        generations: [],
        entries: [['a', null, 0, utf8('1')], ['b', null, 0, utf8('2')], ['a', T - 1, 0, utf8('3')], ['b', null, 0, utf8('4')]],
      });
      const cache = new Cache({ max: 10, now: () => T });
      eq(cache.loadSnapshot(bytes, { allowUnsigned: true }).entries, 1, 'one entry');
      eq([cache.has('a'), cache.get('b')], [false, 4], 'later wins');
    }],
    ['snapshot: loading more entries than the cache holds keeps the most recent ones', () => {
      const src = new Cache({ max: 5000 });
      for (let i = 0; i < 5000; i++) src.set(`k${i}`, i);
      const cache = new Cache({ max: 10, eviction: 'lru' });
      eq(cache.loadSnapshot(src.snapshot(), { allowUnsigned: true }).entries, 10, 'bounded');
      eq([...cache.keys()], Array.from({ length: 10 }, (_, i) => `k${4999 - i}`), 'the last ten');
      eq(cache.size, 10, 'no slot kept for an evicted key');
    }],
    ['snapshot: bytes match the documented layout', () => {
      const cache = new Cache({ max: 10, now: () => T });
      cache.invalidate('books');
      cache.set('a', { x: 1 }, { ttl: 60_000 }).set('é😀', 'v').set('raw', Uint8Array.of(1, 2, 3));
      const want = handEncode({
        createdAt: T,
        generations: [['books', 2]],
        entries: [
          ['a', T + 60_000, 0, utf8('{"x":1}')],
          ['é😀', null, 0, utf8('"v"')],
          ['raw', null, 2, [1, 2, 3]],
        ],
      });
      eq(Array.from(cache.snapshot()), Array.from(want), 'bytes');
    }],
    ['snapshot: keys and values in any text come back as they went, ASCII or not', () => {
      // Texts of one, two, three and four UTF-8 bytes a character side by side, C1
      // controls, and values larger than the 1 MiB window the reader walks by (session 25
      // tried slicing ASCII texts from a window decoded once: no faster, not kept).
      const texts = ['plain', 'é', 'Ω€', '🙂 emoji', '\u0080\u009f', 'tab\tnew\nline', '"quoted"', ''];
      const src = new Cache({ max: 100 });
      const expected = [];
      for (const [i, t] of texts.entries()) {
        for (const [k, v] of [[`k${i}`, t], [t + i, { text: t, n: i }], [`${t}/${i}`, [t, 'ascii', t]]]) {
          src.set(k, v);
          expected.push([k, v]);
        }
      }
      const big = 'x'.repeat(1 << 20) + 'é';
      src.set('big', big);
      src.set('big ascii', 'y'.repeat(1 << 20));
      const cache = new Cache({ max: 100 });
      cache.loadSnapshot(src.snapshot({ key: K1 }), { key: K1 });
      for (const [k, v] of expected) eq(cache.get(k), v, `the entry ${JSON.stringify(k)}`);
      eq(cache.get('big'), big, 'a value past a window, not ASCII');
      eq(cache.get('big ascii').length, 1 << 20, 'a value past a window, ASCII');
      eq(cache.size, expected.length + 2, 'every entry');
    }],
    ['snapshot: signed round trip keeps entries, recency, expiries and generations', () => {
      let t = T;
      const cache = new Cache({ max: 10, now: () => t });
      cache.set('a', [1, 'two', { three: 3 }], { ttl: 5000 }).set('b', null).set('bin', Uint8Array.of(0, 255));
      cache.get('a');
      cache.invalidate('ns');
      const bytes = cache.snapshot({ key: 'the app secret, 16+ bytes' });
      ok(bytes instanceof Uint8Array, 'bytes');
      const other = new Cache({ max: 10, now: () => t });
      other.set('old', 1);
      eq(other.loadSnapshot(bytes, { key: 'the app secret, 16+ bytes' }), { verified: true, entries: 3 }, 'loaded');
      eq([...other.keys()], [...cache.keys()], 'recency');
      eq([other.get('a'), other.get('b'), Array.from(other.get('bin'))], [[1, 'two', { three: 3 }], null, [0, 255]], 'values');
      eq([other.has('old'), other.getRemainingTTL('a'), other.generation('ns')], [false, 5000, 2], 'replaced; expiry; generation');
      const keyBytes = utf8('the app secret, 16+ bytes');
      eq(new Cache({ max: 10 }).loadSnapshot(bytes, { key: keyBytes }).verified, true, 'key as bytes');
    }],
    ['snapshot: signatures and damage are refused; the cache keeps what it had', () => {
      const src = new Cache({ max: 10 });
      src.set('k', 'v');
      const signed = src.snapshot({ key: K1 });
      const unsigned = src.snapshot();
      const cache = new Cache({ max: 10 });
      cache.set('mine', 1);
      const bad = [
        [signed, { key: 'another key of 16+ bytes' }, /signature does not match/],
        [signed, {}, /signed but no key/],
        [unsigned, { key: K1 }, /not signed/],
        [unsigned, {}, /not signed/],
        [signed.slice(0, signed.length - 40), { key: K1 }, /signature|truncated/],
        [unsigned.slice(0, unsigned.length - 1), { allowUnsigned: true }, /truncated/],
        [Uint8Array.of(1, 2, 3), { allowUnsigned: true }, /magic/],
        [Uint8Array.from([...unsigned, 0]), { allowUnsigned: true }, /trailing/],
      ];
      const tampered = signed.slice();
      tampered[20] ^= 1;
      bad.push([tampered, { key: K1 }, /signature/]);
      for (const [bytes, options, pattern] of bad) {
        throws(() => cache.loadSnapshot(bytes, options), lib.CacheLoadError, pattern, JSON.stringify(options));
        eq([...cache.entries()], [['mine', 1]], 'unchanged');
      }
      throws(() => cache.loadSnapshot('bytes'), lib.CacheLoadError, /Uint8Array/, 'not bytes');
      const bytes = handEncode({ createdAt: T, generations: [], entries: [['j', null, 0, utf8('{nope')]] });
      throws(() => cache.loadSnapshot(bytes, { allowUnsigned: true }), lib.CacheLoadError, /cannot read the value of "j"/, 'bad JSON');
      eq([...cache.entries()], [['mine', 1]], 'unchanged after bad JSON');
      eq(cache.loadSnapshot(unsigned, { allowUnsigned: true }), { verified: false, entries: 1 }, 'unsigned with consent');
    }],
    ['snapshot: pickles stay opaque and survive a round trip', () => {
      const pickle = [0x80, 4, 0x4b, 1, 0x2e];
      const bytes = handEncode({
        createdAt: T,
        generations: [['users', 7]],
        entries: [['py', null, 1, pickle], ['future', null, 9, [7]], ['js', null, 0, utf8('42')]],
      });
      const cache = new Cache({ max: 10, now: () => T });
      cache.loadSnapshot(bytes, { allowUnsigned: true });
      const py = cache.get('py');
      ok(py instanceof lib.OpaqueValue && py.isPickle, 'a pickle is an OpaqueValue');
      eq([Array.from(py.bytes), cache.get('future').codec, cache.get('js')], [pickle, 9, 42], 'bytes kept, never read');
      eq(Array.from(cache.snapshot()), Array.from(bytes), 'written back byte for byte');
    }],
    ['snapshot: generations only move forward; unwritable values are refused', () => {
      const old = new Cache({ max: 10 });
      old.namespace('ns').set('k', 'stale');
      const bytes = old.snapshot();
      const cache = new Cache({ max: 10 });
      for (let i = 0; i < 4; i++) cache.invalidate('ns');
      cache.loadSnapshot(bytes, { allowUnsigned: true });
      eq([cache.generation('ns'), cache.namespace('ns').get('k')], [5, undefined], 'an old snapshot cannot bring keys back');
      cache.set('f', () => 1);
      throws(() => cache.snapshot(), lib.CacheArgumentError, /value of "f" cannot go into a snapshot/, 'function');
      cache.set('f', 10n);
      throws(() => cache.snapshot(), lib.CacheArgumentError, /cannot go into a snapshot/, 'bigint');
    }],
  ];
}
