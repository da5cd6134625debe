// A Cloudflare worker that imports the package as Workers do ("polycache" resolves to
// the exports map's `workerd` entry: static .wasm import, synchronous init), runs the
// shared suite on request, and answers with the counts. Module names are paths from
// the repository root (see workerd.mjs), the worker itself being "worker.js".
import * as lib from 'polycache';
import { parseVectors, runAll } from './tests/js/suite.mjs';
import keys from './tests/vectors/keys.json';
import timeouts from './tests/vectors/timeouts.json';
import eviction from './tests/vectors/eviction.json';

// Workers keep module-scope state between requests: a cache built at load time must work.
const shared = new lib.Cache({ max: 100 });

export default {
  async fetch() {
    const result = runAll(lib, parseVectors({ keys, timeouts, eviction }));
    // workerd freezes Date.now() between I/O: the suite never depends on real time.
    const cache = new lib.Cache({ max: 2, ttl: 1000 });
    cache.set('a', 1);
    if (cache.get('a') !== 1) result.failures.push('default clock: a fresh entry must be readable');
    shared.set('hits', (shared.get('hits') ?? 0) + 1);
    if (shared.get('hits') !== 1) result.failures.push('module-scope cache: first request must count 1');
    result.failed = result.failures.length;
    return Response.json(result);
  },
};
