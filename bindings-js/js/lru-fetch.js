// LRUCache.fetch(), forceFetch() and memo(): lru-cache 11's fetchMethod and memoMethod
// rules, over the cache's internals (`inner`, see lru.js).
//
// A fetch in flight is itself an entry: a promise (a "background fetch") stored at the
// key, holding the stale value it replaces, so it counts in `size` (and in
// `calculatedSize` as `backgroundFetchSize`), other fetches of the key share it, `get`
// reads the stale value through it, and a `set`/`delete`/eviction of the key aborts it.
// The caller's `signal` aborting settles the fetch at once (with undefined, or the stale
// value under `allowStaleOnFetchAbort`), whatever the fetchMethod does with it.

/** Background fetch promise -> { ac, stale, returned }. */
const running = new WeakMap();
/**
 * False until the first background fetch of any cache (a cache may hold another's as a
 * value, as with lru-cache): until then no value is one, and a get of an object value
 * need not ask `fetchRecord` (lru.js). Tested there, not here: this function must stay
 * within V8's 27 bytes of bytecode that it inlines wherever it is called (at 31, the
 * timed updates' loop called it, docs/js-speed-history.md, session 10).
 */
export let anyFetch = false;

/** The record of a background fetch, or undefined for any other value. */
export function fetchRecord(v) {
  return typeof v === 'object' && v !== null ? running.get(v) : undefined;
}

/** The value a caller may see for `v`: a background fetch shows its stale value. */
export function visible(v) {
  const r = fetchRecord(v);
  return r === undefined ? v : r.stale;
}

function backgroundFetch(inner, k, slot, options, context) {
  const held = slot === undefined ? undefined : inner.val(slot);
  if (fetchRecord(held) !== undefined) return held;
  const ac = new AbortController();
  const { signal, status } = options;
  signal?.addEventListener('abort', () => ac.abort(signal.reason), { signal: ac.signal });
  const fetchOpts = { signal: ac.signal, options, context };
  let p;
  let record;

  // The fetch failed or was aborted: drop or restore the entry, then answer.
  const failed = (er, proceed) => {
    const { aborted } = ac.signal;
    const staleOnAbort = aborted && options.allowStaleOnFetchAbort;
    const allowStale = staleOnAbort || options.allowStaleOnFetchRejection;
    const noDelete = allowStale || options.noDeleteOnFetchRejection;
    if (inner.val(slot) === p) {
      if (!noDelete || (!proceed && record.stale === undefined)) inner.del(k, 'fetch');
      else if (!staleOnAbort) inner.setVal(slot, record.stale);
    }
    if (allowStale) {
      if (status && record.stale !== undefined) status.returnedStale = true;
      return record.stale;
    }
    if (record.returned === p) throw er;
    return undefined;
  };

  // The method answered (`late`: after an abort that allowStaleOnFetchAbort outlives).
  const settled = (v, late = false) => {
    const { aborted } = ac.signal;
    const ignoreAbort = options.ignoreFetchAbort && v !== undefined;
    const proceed = options.ignoreFetchAbort || !!(options.allowStaleOnFetchAbort && v !== undefined);
    if (status) {
      if (aborted && !late) {
        status.fetchAborted = true;
        status.fetchError = ac.signal.reason;
        if (ignoreAbort) status.fetchAbortIgnored = true;
      } else {
        status.fetchResolved = true;
      }
    }
    if (aborted && !ignoreAbort && !late) return failed(ac.signal.reason, proceed);
    const now = inner.val(slot);
    if (now === p || (now === undefined && ignoreAbort && late)) {
      if (v === undefined) {
        if (record.stale !== undefined) inner.setVal(slot, record.stale);
        else inner.del(k, 'fetch');
      } else {
        if (status) status.fetchUpdated = true;
        inner.set(k, v, fetchOpts.options, p);
      }
    }
    return v;
  };

  const rejected = (er) => {
    if (status) {
      status.fetchRejected = true;
      status.fetchError = er;
    }
    return failed(er, false);
  };

  const start = (res, rej) => {
    const answer = inner.fetchMethod(k, held, fetchOpts);
    ac.signal.addEventListener('abort', () => {
      if (!options.ignoreFetchAbort || options.allowStaleOnFetchAbort) {
        res(undefined);
        if (options.allowStaleOnFetchAbort) res = (v) => settled(v, true);
      }
    });
    if (answer && answer instanceof Promise) answer.then((v) => res(v), rej);
    else if (answer !== undefined) res(answer);
  };

  if (status) status.fetchDispatched = true;
  p = new Promise(start).then(settled, rejected);
  record = { ac, stale: held, returned: undefined };
  running.set(p, record);
  anyFetch = true;
  if (slot === undefined) {
    inner.set(k, p, { ...fetchOpts.options, status: undefined });
    slot = inner.slot(k);
  } else {
    inner.setVal(slot, p);
  }
  return p;
}

/** The promise `fetch(k, fetchOptions)` returns. */
export async function fetchValue(inner, cache, k, fetchOptions) {
  const {
    allowStale = cache.allowStale,
    updateAgeOnGet = cache.updateAgeOnGet,
    noDeleteOnStaleGet = cache.noDeleteOnStaleGet,
    ttl = cache.ttl,
    noDisposeOnSet = cache.noDisposeOnSet,
    size = 0,
    sizeCalculation = cache.sizeCalculation,
    noUpdateTTL = cache.noUpdateTTL,
    noDeleteOnFetchRejection = cache.noDeleteOnFetchRejection,
    allowStaleOnFetchRejection = cache.allowStaleOnFetchRejection,
    ignoreFetchAbort = cache.ignoreFetchAbort,
    allowStaleOnFetchAbort = cache.allowStaleOnFetchAbort,
    context,
    forceRefresh = false,
    status,
    signal,
  } = fetchOptions;
  if (status) {
    status.op = 'fetch';
    status.key = k;
    if (forceRefresh) status.forceRefresh = true;
    status.cache = cache;
  }
  if (inner.fetchMethod === undefined) {
    if (status) status.fetch = 'get';
    return inner.get(k, { allowStale, updateAgeOnGet, noDeleteOnStaleGet, status });
  }
  const options = {
    allowStale,
    updateAgeOnGet,
    noDeleteOnStaleGet,
    ttl,
    noDisposeOnSet,
    size,
    sizeCalculation,
    noUpdateTTL,
    noDeleteOnFetchRejection,
    allowStaleOnFetchRejection,
    allowStaleOnFetchAbort,
    ignoreFetchAbort,
    status,
    signal,
  };
  const slot = inner.slot(k);
  if (slot === undefined) {
    if (status) status.fetch = 'miss';
    const p = backgroundFetch(inner, k, undefined, options, context);
    running.get(p).returned = p;
    return p;
  }
  const v = inner.val(slot);
  const inFlight = fetchRecord(v);
  if (inFlight !== undefined) {
    const stale = allowStale && inFlight.stale !== undefined;
    if (status) {
      status.fetch = 'inflight';
      if (stale) status.returnedStale = true;
    }
    if (stale) return inFlight.stale;
    inFlight.returned = v;
    return v;
  }
  const isStale = inner.life.isStale(slot);
  if (!forceRefresh && !isStale) {
    if (status) status.fetch = 'hit';
    inner.promote(slot, updateAgeOnGet);
    if (status) inner.life.statusTTL(status, slot);
    return v;
  }
  const p = backgroundFetch(inner, k, slot, options, context);
  const record = running.get(p);
  const staleVal = record.stale !== undefined && allowStale;
  if (status) {
    status.fetch = isStale ? 'stale' : 'refresh';
    if (staleVal && isStale) status.returnedStale = true;
  }
  if (staleVal) return record.stale;
  record.returned = p;
  return p;
}

/** `memo(k, memoOptions)`: the value of `k`, computed by the memoMethod when missing. */
export function memoValue(inner, k, memoOptions) {
  const memoMethod = inner.memoMethod;
  if (!memoMethod) throw new Error('no memoMethod provided to constructor');
  const { context, status, forceRefresh, ...options } = memoOptions;
  if (status && forceRefresh) status.forceRefresh = true;
  const v = inner.get(k, options);
  const refresh = forceRefresh || v === undefined;
  if (status) {
    status.memo = refresh ? 'miss' : 'hit';
    if (!refresh) status.value = v;
  }
  if (!refresh) return v;
  const vv = memoMethod(k, v, { options, context });
  if (status) status.value = vv;
  inner.set(k, vv, options);
  return vv;
}
