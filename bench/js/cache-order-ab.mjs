// The `Cache` (eviction 'lru', 10,000 short keys) in builds side by side, each in its own
// processes, alternated (child-ab.mjs): sets into a fresh cache, gets in the order the
// keys went in (each hit on the least recently used entry: the replay's rotation,
// core/src/policy/dense_runs.rs), and evictions, untimed and with a 60 s ttl. ns/op, the
// best of 25 fresh caches in a process, the median over PROCS processes.
//
//   node bench/js/cache-order-ab.mjs PROCS DIR...   (DIR: a built checkout, `.` for this one)
import { main } from './child-ab.mjs';

const N = 10_000;

async function child(dir) {
  const { Cache } = await import(`${dir}/dist/polycache.mjs`);
  const keys = Array.from({ length: 2 * N }, (_, i) => `foo${i}bar`);
  const setAll = (c, from, to) => {
    for (let i = from; i < to; i++) c.set(keys[i], i);
  };
  const getAll = (c) => {
    let ok = 0;
    for (let i = 0; i < N; i++) if (c.get(keys[i]) === i) ok++;
    return ok;
  };
  const time = (f) => {
    const t0 = process.hrtime.bigint();
    f();
    return Number(process.hrtime.bigint() - t0) / N;
  };
  const out = { set: Infinity, 'get in order': Infinity, evict: Infinity, 'evict, ttl': Infinity };
  for (let r = 0; r < 25; r++) {
    for (const ttl of [0, 60_000]) {
      const c = new Cache(ttl ? { max: N, ttl, eviction: 'lru' } : { max: N, eviction: 'lru' });
      const set = time(() => setAll(c, 0, N));
      let ok = 0;
      const get = time(() => (ok = getAll(c)));
      if (ok !== N) throw new Error(`${ok} of ${N} gets hit`);
      const evict = time(() => setAll(c, N, 2 * N));
      if (ttl) out['evict, ttl'] = Math.min(out['evict, ttl'], evict);
      else {
        out.set = Math.min(out.set, set);
        out['get in order'] = Math.min(out['get in order'], get);
        out.evict = Math.min(out.evict, evict);
      }
    }
  }
  return out;
}

await main(import.meta.url, child, 'node bench/js/cache-order-ab.mjs PROCS DIR...');
