// LRUCache typed as lru-cache 11 users type it, checked by `tsc --noEmit` twice (see
// check.mjs): against polycache's types, and with 'polycache' resolved to lru-cache's own
// (tsconfig.peer.json). One program cannot hold both: each `Status` type names its own
// class, which TypeScript compares nominally.
import { LRUCache } from 'polycache';
import { LRUCache as Peer } from 'polycache';

interface User {
  name: string;
}
interface Ctx {
  token: string;
}

const peerOptions: Peer.Options<number, User, Ctx> = {
  max: 500,
  maxSize: 5000,
  sizeCalculation: (user, id) => user.name.length + String(id).length,
  ttl: 60_000,
  ttlResolution: 1,
  ttlAutopurge: false,
  allowStale: true,
  updateAgeOnGet: true,
  updateAgeOnHas: false,
  noUpdateTTL: false,
  noDeleteOnStaleGet: false,
  dispose: (user, id, reason: Peer.DisposeReason) => console.log(user.name, id, reason),
  disposeAfter: (user, id) => console.log(user.name, id),
  noDisposeOnSet: false,
  onInsert: (user, id, reason) => console.log(user.name, id, reason),
  fetchMethod: async (id, stale, { signal, context, options }) => {
    if (signal.aborted) return stale;
    options.ttl = 1_000;
    return { name: `${id}:${context.token}` };
  },
  memoMethod: (id, stale, { context }) => stale ?? { name: `${id}:${String(context)}` },
  allowStaleOnFetchAbort: true,
  allowStaleOnFetchRejection: true,
  ignoreFetchAbort: false,
  noDeleteOnFetchRejection: false,
  perf: { now: () => 0 },
};
const users = new LRUCache<number, User, Ctx>(peerOptions);
const copy = new LRUCache<number, User, Ctx>(users);

const status: Peer.Status<number, User, Ctx> = {};
const setOptions: Peer.SetOptions<number, User, Ctx> = { ttl: 10, size: 3, start: 0, noUpdateTTL: true, status };
users.set(1, { name: 'Ada' }, setOptions).set(2, undefined);
const ada: User | undefined = users.get(1, { allowStale: false, updateAgeOnGet: true, status });
const peeked: User | undefined = users.peek(1, { allowStale: true });
const present: boolean = users.has(1, { updateAgeOnHas: true });
const left: number = users.getRemainingTTL(1);
const fetched: Promise<User | undefined> = users.fetch(3, { context: { token: 't' }, signal: new AbortController().signal, forceRefresh: true });
const forced: Promise<User> = users.forceFetch(4, { context: { token: 't' } });
const memo: User = users.memo(5, { context: { token: 't' }, forceRefresh: false });
const popped: User | undefined = users.pop();
const found: User | undefined = users.find((u, id) => u.name === 'Ada' && id > 0);
users.forEach((u, id, self) => self.get(id));
users.rforEach((u) => u.name);
const info: Peer.Entry<User> | undefined = users.info(1);
const dump: [number, Peer.Entry<User>][] = users.dump();
copy.load(dump);
for (const [id, user] of users) console.log(id.toFixed(0), user.name);
const ids: number[] = [...users.keys(), ...users.rkeys()];
const all: (User | undefined)[] = [...users.values(), ...users.rvalues()];
const size: number = users.size + users.calculatedSize + users.max + users.maxSize;
const stale: boolean = users.purgeStale();
users.allowStale = false;
users.clear();

// Any key type lru-cache takes.
const byObject = new LRUCache<object, string>({ ttl: 1000, ttlAutopurge: true });
byObject.set({}, 'x');
const bySymbol = new LRUCache<symbol, number>({ maxSize: 10, sizeCalculation: () => 1 });
bySymbol.set(Symbol('s'), 1);

export { ada, peeked, present, left, fetched, forced, memo, popped, found, ids, all, size, stale };
