// What the package makes on first use, from the function its entry point gives: the
// Cache's store module (slot-store.js), the snapshot and key module (codec.js), the
// Cache's extras (cache-extras.js) and LRUCache's code (lru-lazy.js), each read,
// compiled or instantiated only when a program needs it.

/**
 * `[from, get]`: `from(f)` says where the thing comes from; `get()` returns what `f()`
 * made, making it on the first call. A failure is thrown (as `polycache: loading
 * ${failed} failed: ...`, its cause kept, when `failed` is given), and the next call tries
 * again. With no `from`, `get()` throws `polycache: no entry point said ${where}`, or,
 * where `where` is null (an entry point that makes it at import), returns undefined.
 */
export function firstUse(where, failed) {
  let make = null;
  let made;
  let done = false;
  const from = (f) => {
    make = f;
  };
  const get = () => {
    if (done) return made;
    if (make === null) {
      if (where === null) return undefined;
      throw new Error(`polycache: no entry point said ${where}`);
    }
    try {
      made = make();
    } catch (e) {
      if (failed === undefined) throw e;
      throw new Error(`polycache: loading ${failed} failed: ${e.message}`, { cause: e });
    }
    done = true;
    return made;
  };
  return [from, get];
}
