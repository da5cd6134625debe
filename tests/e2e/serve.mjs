// The JS half of the end-to-end test, the same code in Node, workerd and Chromium: load a
// snapshot Django dumped and answer lookups as the Django backend would (same store keys,
// built here with the package's own key functions), refuse wrongly signed and unsigned
// snapshots, and warm + dump a cache for Django to load. Clocks are injected: `now` is a
// number of epoch milliseconds given by the test.

export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const unhex = (s) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

/** A value as the Python side describes it (warmapp/lookups.py). */
function describe(lib, v) {
  if (v === undefined) return { missing: true };
  if (v instanceof lib.OpaqueValue) return { opaque: v.codec, hex: hex(v.bytes) };
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  return { json: v };
}

/** The store key Django's backend uses for a lookup (warmapp/lookups.py `answer`). */
export function storeKey(lib, cache, spec, { prefix, version }) {
  let key = spec.key;
  if (spec.structured) {
    const s = spec.structured;
    key = lib.buildKey({ resource: s.resource, ids: s.ids ?? [], params: s.params ?? [], scope: s.scope ?? null });
  }
  if (spec.ns !== undefined) key = lib.namespacedKey(spec.ns, cache.generation(spec.ns), key);
  return lib.makeKey(prefix, spec.version ?? version, key);
}

export function answer(lib, cache, spec, site) {
  const k = storeKey(lib, cache, spec, site);
  const remaining = cache.getRemainingTTL(k);
  const value = cache.get(k);
  return {
    name: spec.name,
    store_key: k,
    value: describe(lib, value),
    // As Django's ttl: null = never, 0 = absent.
    ttl_ms: value === undefined ? 0 : Number.isFinite(remaining) ? remaining : null,
  };
}

/** Loading must refuse `bytes` with `options`, and leave `cache` as it was. */
function refusal(lib, cache, name, bytes, options) {
  const before = hex(cache.snapshot());
  try {
    cache.loadSnapshot(bytes, options);
    return { name, refused: false };
  } catch (e) {
    return {
      name,
      refused: e instanceof lib.CacheLoadError,
      error: `${e.name}: ${e.message}`,
      unchanged: hex(cache.snapshot()) === before,
    };
  }
}

/**
 * Django -> JS. `c` holds the snapshots as hex (django, wrong, unsigned), the key, the
 * lookups and `serve_at`. The cache's clock reads `serve_at`.
 */
export function serveDjango(lib, c) {
  const cache = new lib.Cache({ max: 10_000, now: () => c.serve_at });
  cache.set('before-the-load', 1);
  const refusals = [
    refusal(lib, cache, 'django-wrong.snap', unhex(c.wrong), { key: c.key }),
    refusal(lib, cache, 'django-unsigned.snap', unhex(c.unsigned), { key: c.key }),
    refusal(lib, cache, 'django.snap without the key', unhex(c.django), {}),
  ];
  const loaded = cache.loadSnapshot(unhex(c.django), { key: c.key });
  return {
    loaded,
    vector: c.vector ? snapshotVector(lib, c.vector) : ['no snapshot vector given'],
    answers: c.lookups.map((spec) => answer(lib, cache, spec, c)),
    refusals,
    replaced: cache.get('before-the-load') === undefined,
  };
}

/**
 * JS -> Django: loads Django's snapshot (its pickle stays an OpaqueValue), writes new
 * entries as the Django backend lays them out, and dumps the cache signed (and, for the
 * refusal checks, signed with another key and unsigned). Answers its own lookups at
 * `serve_at`, for Django to match.
 */
export function warmJs(lib, c, { now, serveAt }) {
  let t = now;
  const cache = new lib.Cache({ max: 10_000, now: () => t });
  cache.loadSnapshot(unhex(c.django), { key: c.key });
  const site = { prefix: c.prefix, version: c.version };
  const key = (k, v) => lib.makeKey(site.prefix, v ?? site.version, k);
  cache.set(key('edge:config'), { flags: ['a', 'b'], ratio: 0.25, note: 'ü 😀' }, { ttl: 90_000 });
  cache.set(key('edge:blob'), Uint8Array.of(1, 2, 3, 250));
  cache.set(key('edge:short'), 'gone soon', { ttl: 5_000 });
  cache.set(key('edge:v3', 3), [3], { ttl: 3_000_000 });
  cache.invalidate('carts');
  cache.set(key(lib.namespacedKey('carts', cache.generation('carts'), 'cart:9')), { items: [[1, 2]], total: 12.5 }, { ttl: 600_000 });
  const s = { resource: 'search', ids: [], params: [['q', 'dune 𝄞'], ['page', '1']], scope: null };
  cache.set(key(lib.buildKey(s)), { hits: ['Dune'] }, { ttl: 30_000 });
  cache.get(key('user:42')); // recency travels too
  const lookups = [
    { name: 'JSON from JS', key: 'edge:config' },
    { name: 'Uint8Array from JS', key: 'edge:blob' },
    { name: 'expired before Django reads it', key: 'edge:short' },
    { name: 'version 3', key: 'edge:v3', version: 3 },
    { name: 'namespace invalidated in JS', ns: 'carts', key: 'cart:9' },
    { name: 'structured key built in JS', key: '', structured: s },
    { name: 'Django JSON, through JS', key: 'user:42' },
    { name: 'Django pickle, opaque in JS, back to Django', key: 'when' },
    { name: 'Django namespace, through JS', ns: 'books', key: 'list:1' },
  ];
  const snapshots = {
    js: cache.snapshot({ key: c.key }),
    'js-wrong': cache.snapshot({ key: 'not the application key' }),
    'js-unsigned': cache.snapshot(),
  };
  t = serveAt;
  return {
    snapshots,
    manifest: { serve_at: serveAt, prefix: site.prefix, version: site.version, lookups, answers: lookups.map((spec) => answer(lib, cache, spec, site)) },
  };
}

/**
 * tests/vectors/snapshot.json (bytes from generate.py's own encoder): a cache built from
 * its inputs dumps exactly those bytes; loading them gives the values and remaining
 * times it lists; unsigned and wrongly signed copies are refused. The failures, if any.
 */
export function snapshotVector(lib, v) {
  const failures = [];
  try {
    checkVector(lib, v, failures);
  } catch (e) {
    failures.push(`snapshot.json: ${e}`);
  }
  return failures;
}

function checkVector(lib, v, failures) {
  const expect = (ok, what) => ok || failures.push(`snapshot.json: ${what}`);
  const cache = new lib.Cache({ max: 100, now: () => v.created_at });
  for (const [name, n] of Object.entries(v.invalidations)) for (let i = 0; i < n; i++) cache.invalidate(name);
  for (const e of v.entries) {
    const value = 'json' in e ? e.json : 'bytes' in e ? unhex(e.bytes) : new lib.OpaqueValue(1, unhex(e.pickle));
    cache.set(e.key, value, e.ttl_ms === null ? {} : { ttl: e.ttl_ms });
  }
  expect(hex(cache.snapshot({ key: v.key })) === v.signed_hex, 'signed dump differs from signed_hex');
  expect(hex(cache.snapshot()) === v.unsigned_hex, 'unsigned dump differs from unsigned_hex');
  const loaded = new lib.Cache({ max: 100, now: () => v.load_at });
  const r = loaded.loadSnapshot(unhex(v.signed_hex), { key: v.key });
  expect(r.verified === true && r.entries === Object.keys(v.expected_ttl_ms).length, `load answered ${JSON.stringify(r)}`);
  const ttls = Object.fromEntries([...loaded.keys()].map((k) => [k, Number.isFinite(loaded.getRemainingTTL(k)) ? loaded.getRemainingTTL(k) : null]));
  expect(JSON.stringify(Object.entries(ttls).sort()) === JSON.stringify(Object.entries(v.expected_ttl_ms).sort()), `remaining times ${JSON.stringify(ttls)}`);
  for (const e of v.entries) {
    if (!(e.key in v.expected_ttl_ms)) continue;
    const got = loaded.get(e.key);
    const ok = 'json' in e ? JSON.stringify(got) === JSON.stringify(e.json)
      : 'bytes' in e ? got instanceof Uint8Array && hex(got) === e.bytes
      : got instanceof lib.OpaqueValue && got.isPickle && hex(got.bytes) === e.pickle;
    expect(ok, `value of ${JSON.stringify(e.key)}`);
  }
  for (const [name, g] of v.generations) expect(loaded.generation(name) === g, `generation of ${name}`);
  for (const [bytes, options, what] of [
    [v.unsigned_hex, { key: v.key }, 'unsigned with a key'],
    [v.signed_hex, { key: 'another key of 16+ bytes' }, 'wrong key'],
    [v.signed_hex, {}, 'signed, no key'],
  ]) {
    try {
      loaded.loadSnapshot(unhex(bytes), options);
      expect(false, `${what} was accepted`);
    } catch (e) {
      expect(e instanceof lib.CacheLoadError, `${what}: ${e}`);
    }
  }
}
