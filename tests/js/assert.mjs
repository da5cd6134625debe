// A few assertions that run in every runtime (Node, Chromium, workerd, Deno), so the
// one suite in suite.mjs can be run by each of them.

export class AssertionError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AssertionError';
  }
}

function show(v) {
  try {
    return JSON.stringify(v, (_, x) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));
  } catch {
    return String(v);
  }
}

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => same(a[k], b[k]));
}

export function eq(actual, expected, what = '') {
  if (!same(actual, expected)) throw new AssertionError(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

export function ok(cond, what) {
  if (!cond) throw new AssertionError(what);
}

/** Runs `f`, which must throw an instance of `Class` whose message matches `pattern`. */
export function throws(f, Class, pattern, what = '') {
  let threw = false;
  try {
    f();
  } catch (e) {
    threw = true;
    if (!(e instanceof Class)) throw new AssertionError(`${what}: expected ${Class.name}, got ${e && e.name}: ${e && e.message}`);
    if (!(e instanceof Error)) throw new AssertionError(`${what}: ${Class.name} is not an Error`);
    if (pattern && !pattern.test(e.message)) throw new AssertionError(`${what}: message ${show(e.message)} does not match ${pattern}`);
  }
  if (!threw) throw new AssertionError(`${what}: expected ${Class.name}, nothing was thrown`);
}
