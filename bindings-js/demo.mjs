// `make demo-js`: the npm package at work in Node, with a clock moved by hand.
import { Cache, buildKey, makeKey } from 'polycache';

let now = Date.now();
// Sizes are what the caller says they are: here the key and the value's JSON, in UTF-16
// code units. Without sizeCalculation (or maxSize) the cache sizes nothing and stats()
// reports bytes: null.
const sizeCalculation = (value, key) => key.length + JSON.stringify(value).length;
const cache = new Cache({ max: 3, maxSize: 4096, sizeCalculation, ttl: 60_000, now: () => now });

const key = makeKey('shop', 1, buildKey({ resource: 'books', ids: [42], params: { page: 2, sort: '-title' } }));
console.log(`key from the core's builder: ${key}`);

cache.set(key, { title: 'Dune', price: 9.5 });
cache.set('hot', 'served from memory', { ttl: 1_000 });
console.log(`get(book)       -> ${JSON.stringify(cache.get(key))}`);
console.log(`hot expires in  -> ${cache.getRemainingTTL('hot')} ms`);
now += 1_000;
console.log(`1 s later, hot  -> ${cache.get('hot')}`);

for (const k of ['a', 'b', 'c']) cache.set(k, k.toUpperCase());
console.log(`after 3 more sets (max 3), keys (the adaptive default: most valued first, next victims last): ${[...cache.keys()].join(", ")}`);

const user = cache.namespace('user:7');
user.set('cart', ['Dune']);
console.log(`user:7 cart     -> ${JSON.stringify(user.get('cart'))} (stored as ${user.key('cart')})`);
cache.invalidate('user:7');
console.log(`after invalidate('user:7') -> ${user.get('cart')} (now ${user.key('cart')})`);

const copy = new Cache({ max: 3, now: () => now });
copy.load(JSON.parse(JSON.stringify(cache.dump())));
console.log(`dump -> JSON -> load: ${[...copy.entries()].map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
const s = cache.stats();
console.log(`stats: ${s.entries} entries, ${s.bytes} bytes by sizeCalculation (bound ${cache.maxSize}), ` +
  `${s.hits} hits, ${s.misses} misses, ${s.sets} sets, ${s.evictions} evictions, ${s.expirations} expirations`);
