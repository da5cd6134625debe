// The shared vectors (tests/vectors/*.json), read by the Rust, Python and JS tests alike.
import { eq, ok, throws } from './assert.mjs';

function num(x) {
  return x === 'nan' ? NaN : x === 'inf' ? Infinity : x === '-inf' ? -Infinity : x;
}

/** Cases for the key vectors. */
function keyCases(lib, keys) {
  return [
    ['vectors: make_key', () => {
      for (const v of keys.make_key) eq(lib.makeKey(v.prefix, v.version, v.key), v.expected, JSON.stringify(v));
    }],
    ['vectors: structured keys', () => {
      for (const v of keys.structured) {
        const got = lib.buildKey({ resource: v.resource, ids: v.ids, params: v.params, scope: v.scope, maxLength: v.max_length });
        eq(got, v.expected, JSON.stringify(v).slice(0, 200));
      }
    }],
    ['vectors: shorten', () => {
      for (const v of keys.shorten) eq(lib.shortenKey(v.key, v.max_length), v.expected, v.key.slice(0, 40));
    }],
    ['vectors: namespaced', () => {
      for (const v of keys.namespaced) eq(lib.namespacedKey(v.namespace, v.generation, v.key), v.expected, v.expected);
    }],
    ['vectors: key warnings', () => {
      for (const v of keys.warnings) eq(lib.keyWarnings(v.key), v.warnings, JSON.stringify(v.key).slice(0, 40));
    }],
  ];
}

/** Django's timeout rules, through a cache: `timeout` per set, the default as an option. */
function timeoutCase(lib, timeouts) {
  return ['vectors: timeouts (Django rules)', () => {
    ok(timeouts.length > 0, 'timeouts.json has vectors');
    for (const [i, v] of timeouts.entries()) {
      const what = `timeouts[${i}] ${JSON.stringify(v)}`;
      const options = { max: 10, now: () => v.now };
      if (v.default === 'default') options.timeouts = 'django';
      else options.timeout = num(v.default);
      const per = v.timeout === 'default' ? undefined : { timeout: num(v.timeout) };
      if (v.expected === 'error') {
        throws(() => new lib.Cache(options).set('k', 1, per), lib.CacheTimeoutError, /NaN/, what);
        continue;
      }
      const cache = new lib.Cache(options);
      cache.set('k', 1, per);
      const dumped = cache.dump().entries;
      if (v.expected === 'expired') {
        eq([cache.has('k'), cache.size, dumped.length], [false, 0, 0], what);
      } else if (v.expected === 'never') {
        eq([cache.getRemainingTTL('k'), dumped[0][1].expiresAt], [Infinity, null], what);
      } else {
        eq([cache.getRemainingTTL('k'), dumped[0][1].expiresAt], [v.expected - v.now, v.expected], what);
      }
    }
  }];
}

/** One case per eviction scenario: the same operations as the Rust store runs. */
function evictionCases(lib, eviction) {
  return eviction.map((c) => [`vectors: eviction: ${c.name}`, () => {
    let t = 0;
    const cfg = c.config;
    const cache = new lib.Cache({
      max: cfg.max_entries,
      maxSize: cfg.max_bytes === null ? undefined : cfg.max_bytes,
      eviction: cfg.eviction,
      cullFrequency: cfg.cull_frequency,
      now: () => t,
    });
    const life = (at) => (at === null ? { timeout: null } : at > t ? { ttl: at - t } : { timeout: 0 });
    for (const [i, op] of c.ops.entries()) {
      t = op.now;
      const what = `${c.name} op ${i} ${JSON.stringify(op)}`;
      switch (op.op) {
        case 'set':
        case 'add': {
          const options = { ...life(op.expires_at), size: op.charge };
          if (op.expected === 'error') {
            const before = [...cache.entries()];
            throws(() => cache[op.op](op.key, op.key, options), lib.ValueTooLargeError, /maxSize/, what);
            eq([...cache.entries()], before, `${what}: the cache keeps what it had`);
          } else {
            const r = cache[op.op](op.key, op.key, options);
            if (op.op === 'add') eq(r, op.expected, what);
          }
          break;
        }
        case 'get':
          eq(cache.get(op.key) === op.key, op.expected, what);
          break;
        case 'delete':
          eq(cache.delete(op.key), op.expected, what);
          break;
        case 'touch':
          eq(cache.touch(op.key, life(op.expires_at)), op.expected, what);
          break;
        default:
          throw new Error(`unknown op ${op.op}`);
      }
      const s = cache.stats();
      ok(s.entries <= cfg.max_entries, `${what}: ${s.entries} entries over the bound`);
      if (cfg.max_bytes !== null) ok(s.bytes <= cfg.max_bytes, `${what}: ${s.bytes} bytes over the bound`);
    }
    eq([...cache.keys()], c.expected_keys, `${c.name}: keys, most recent first`);
  }]);
}

/**
 * The adaptive policy's cases (tests/vectors/adaptive.json): each request reads a key and
 * stores it on a miss; hits and evictions must be those of the independent reference.
 */
function adaptiveCases(lib, adaptive) {
  return adaptive.map((c) => [`vectors: adaptive: ${c.name}`, () => {
    const cfg = c.config;
    const cache = new lib.Cache({
      max: cfg.max_entries,
      maxSize: cfg.max_bytes === null ? undefined : cfg.max_bytes,
      eviction: 'adaptive',
      now: () => 0,
    });
    let hits = '';
    for (const [key, charge] of c.requests) {
      const hit = cache.get(key) === key;
      hits += hit ? '1' : '0';
      if (!hit) cache.set(key, key, { size: charge, timeout: null });
    }
    eq(hits, c.expected.hits, `${c.name}: hits`);
    eq(cache.stats().evictions, c.expected.evictions, `${c.name}: evictions`);
    eq([...cache.keys()].sort(), c.expected.keys, `${c.name}: keys`);
  }]);
}

export function vectorCases(lib, vectors) {
  return [
    ...keyCases(lib, vectors.keys),
    timeoutCase(lib, vectors.timeouts),
    ...evictionCases(lib, vectors.eviction),
    ...(vectors.adaptive ? adaptiveCases(lib, vectors.adaptive) : []),
  ];
}
