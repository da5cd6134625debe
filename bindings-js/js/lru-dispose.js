// An LRUCache's dispose and disposeAfter calls, in lru-cache 11's order: `dispose` at once
// (after the store has answered, so the maps and the store agree whatever it does), and
// `disposeAfter` queued until the operation that caused it is done.

import { fetchRecord } from './lru-fetch.js';

export class Disposals {
  #o;
  // disposeAfter calls waiting for the operation that queued them to finish.
  #queue;

  /** `o`: the options read by lru-options.js. */
  constructor(o) {
    this.#o = o;
    if (o.disposeAfter) this.#queue = [];
  }

  /** True when disposeAfter calls wait. */
  get pending() {
    return this.#queue !== undefined && this.#queue.length > 0;
  }

  one(v, k, reason) {
    this.#o.dispose?.(v, k, reason);
    this.#queue?.push([v, k, reason]);
  }

  /** Evicted `[key, value]` pairs, least recently used first: fetches aborted, values disposed. */
  evicted(gone) {
    if (gone === undefined) return;
    for (const [k, v] of gone) {
      const r = fetchRecord(v);
      if (r !== undefined) r.ac.abort(new Error('evicted'));
      const oldValue = r !== undefined ? r.stale : v;
      if (oldValue !== undefined) this.one(oldValue, k, 'evict');
    }
  }

  /** Runs the waiting disposeAfter calls. */
  flush() {
    const queue = this.#queue;
    if (queue === undefined) return;
    let task;
    while ((task = queue.shift())) this.#o.disposeAfter(...task);
  }
}
