// Lead 3 of session 10 (docs/js-speed-history.md): the `Cache`'s key index as a `Map` (what it
// is), as an `Object.create(null)` dictionary with `delete` (tiny-lru's), and as one whose
// evictions leave a tombstone (the victim's key set to -1) and rebuild it once tombstones
// outnumber live keys (memory stays within twice the live keys). Plain JS, only what the
// index does per phase: 10,000 keys added, read in order and shuffled, 20,000 evictions
// (a victim's key out, a new one in), then reads of the new keys (tombstones present).
// Keys computed, as the bench builds them. ns/op, best of 30 rounds, one process.
//
//   node bench/js/key-index.mjs [short|ns|odd|1k]   (odd: '__proto__', '123' and the like)
const N = 10_000;
const shape = process.argv[2] ?? 'short';
const mk = (i) => shape === 'short' ? `foo${i}bar` : shape === 'ns' ? `app:v1:user:${i}:profile` : shape === 'odd' ? (i % 3 === 0 ? String(i) : i % 3 === 1 ? `__proto__${i}` : `k${i}`) : `${'x'.repeat(1000)}${i}`;
const keys = Array.from({ length: 3 * N }, (_, i) => mk(i));
if (shape === 'odd') keys[5] = '__proto__';
const order = Array.from({ length: N }, (_, i) => (i * 7919) % N);
const impls = {
  map: () => {
    const m = new Map(); const ks = new Array(N);
    return {
      get: (k) => m.get(k),
      add: (k, s) => { m.set(k, s); ks[s] = k; },
      evict: (k, s) => { m.delete(ks[s]); m.set(k, s); ks[s] = k; },
      size: () => m.size,
    };
  },
  dictDelete: () => {
    let d = Object.create(null); const ks = new Array(N);
    return {
      get: (k) => d[k],
      add: (k, s) => { d[k] = s; ks[s] = k; },
      evict: (k, s) => { delete d[ks[s]]; d[k] = s; ks[s] = k; },
    };
  },
  dictTomb: () => {
    let d = Object.create(null); const ks = new Array(N); let dead = 0; let live = 0;
    const rebuild = () => { const e = Object.create(null); for (let s = 0; s < N; s++) if (ks[s] !== undefined) e[ks[s]] = s; d = e; dead = 0; };
    return {
      get: (k) => { const s = d[k]; return s === undefined || s < 0 ? undefined : s; },
      add: (k, s) => { d[k] = s; ks[s] = k; live++; },
      evict: (k, s) => { d[ks[s]] = -1; dead++; d[k] = s; ks[s] = k; if (dead > live) rebuild(); },
    };
  },
};
const fns = {};
for (const name of Object.keys(impls)) {
  fns[name] = {
    set: new Function('c', 'keys', 'N', 'for (let i = 0; i < N; i++) c.add(keys[i], i);'),
    get1: new Function('c', 'keys', 'N', 'let ok = 0; for (let i = 0; i < N; i++) if (c.get(keys[i]) === i) ok++; if (ok !== N) throw new Error("get1 " + ok);'),
    get2: new Function('c', 'keys', 'N', 'order', 'let ok = 0; for (let j = 0; j < N; j++) { const i = order[j]; if (c.get(keys[i]) === i) ok++; } if (ok !== N) throw new Error("get2");'),
    evict: new Function('c', 'keys', 'N', 'for (let i = N; i < 3 * N; i++) c.evict(keys[i], i % N);'),
    get3: new Function('c', 'keys', 'N', 'let ok = 0; for (let i = 2 * N; i < 3 * N; i++) if (c.get(keys[i]) === i % N) ok++; if (keys[0] !== "__proto__" && c.get(keys[0]) !== undefined) throw new Error("evicted key"); if (ok !== N) throw new Error("get3 " + ok);'),
  };
}
const best = {};
for (let r = 0; r < 30; r++) {
  for (const [name, make] of Object.entries(impls)) {
    const c = make();
    for (const [ph, f] of Object.entries(fns[name])) {
      const t0 = process.hrtime.bigint();
      f(c, keys, N, order);
      const ns = Number(process.hrtime.bigint() - t0) / (ph === 'evict' ? 2 * N : N);
      (best[ph] ??= {})[name] = Math.min(best[ph][name] ?? Infinity, ns);
    }
  }
}
console.log(`${shape}: ns/op, best of 30 | ${Object.keys(impls).join(' | ')}`);
for (const [ph, v] of Object.entries(best)) console.log(`| ${ph} | ${Object.values(v).map((x) => x.toFixed(1)).join(' | ')} |`);
