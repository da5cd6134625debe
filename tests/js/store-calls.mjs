// What a test needs to see that a write took the ring (no call) rather than the store's
// `set`: the answers and counters are the same either way, by design.

/**
 * Counts the calls of the store's `set` on `cache` (its store reached through the
 * package's internal accessor, a symbol method of Cache.prototype): `[count(), stop()]`.
 */
export function countStoreSets(cache) {
  const inside = Object.getOwnPropertySymbols(Object.getPrototypeOf(cache)).find((s) => s.description === 'polycache.inside');
  const proto = Object.getPrototypeOf(cache[inside]().store);
  const set = proto.set;
  let calls = 0;
  proto.set = function (...args) {
    calls++;
    return set.apply(this, args);
  };
  return [() => calls, () => (proto.set = set)];
}
