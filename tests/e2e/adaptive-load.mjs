// One snapshot, loaded by an adaptive cache in Python and in JS, then the same reads and
// writes in both: every answer must agree (the policy is one set of rules in the core, and
// a load must teach it each loaded key as the key, in both languages). Both directions:
// a snapshot Python wrote, and one JS wrote. Session 24 found the JS load taught the
// policy its slots' numbers instead (450 of these 5,000 answers differed from Python's).
//
//   PYTHON=.venv311/bin/python node tests/e2e/adaptive-load.mjs   (make test-e2e runs it)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache } from 'polycache';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = process.env.PYTHON || join(root, '.venv311/bin/python');
const MAX = 50;
const OPS = 5000;

// The same generator in both languages (tests/js/model.mjs `rng`): skewed keys over 4x
// what the cache holds, each miss written.
function workload(cache, seed) {
  let s = seed >>> 0;
  const r = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const hits = [];
  for (let i = 0; i < OPS; i++) {
    const a = r();
    const key = `k${Math.floor(a * r() * 200)}`;
    const hit = cache.get(key) !== undefined;
    hits.push(hit ? '1' : '0');
    if (!hit) cache.set(key, i);
  }
  return hits.join('');
}

const PY = `
import sys, polycache
def workload(c, seed):
    s = seed
    def r():
        nonlocal s
        s = (s * 1664525 + 1013904223) & 0xffffffff
        return s / 2**32
    hits = []
    for i in range(${OPS}):
        a = r()
        key = "k%d" % int(a * r() * 200)
        hit = c.get(key) is not None
        hits.append("1" if hit else "0")
        if not hit:
            c.set(key, i)
    return "".join(hits)
mode, path = sys.argv[1], sys.argv[2]
if mode == "write":
    w = polycache.Cache(max_entries=${MAX}, eviction="adaptive")
    for i in range(70):
        w.set("k%d" % i if i % 3 else "other%d" % i, i)
    open(path, "wb").write(w.dump())
c = polycache.Cache(max_entries=${MAX}, eviction="adaptive")
c.load(open(path, "rb").read(), allow_unsigned=True)
print(workload(c, 11))
`;

function python(mode, path) {
  const r = spawnSync(PYTHON, ['-c', PY, mode, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python ${mode}: ${r.stderr}`);
  return r.stdout.trim();
}

function jsAfterLoading(path) {
  const c = new Cache({ max: MAX, eviction: 'adaptive' });
  c.loadSnapshot(new Uint8Array(readFileSync(path)), { allowUnsigned: true });
  return workload(c, 11);
}

const dir = mkdtempSync(join(tmpdir(), 'polycache-adaptive-load-'));
let failed = 0;
try {
  const fromPython = join(dir, 'python.snap');
  const pyAnswers = python('write', fromPython);
  const fromJs = join(dir, 'js.snap');
  const w = new Cache({ max: MAX, eviction: 'adaptive' });
  for (let i = 0; i < 70; i++) w.set(i % 3 ? `k${i}` : `other${i}`, i);
  writeFileSync(fromJs, w.snapshot());
  for (const [what, py, js] of [
    ['a snapshot Python wrote', pyAnswers, jsAfterLoading(fromPython)],
    ['a snapshot JS wrote', python('read', fromJs), jsAfterLoading(fromJs)],
  ]) {
    const differ = [...py].filter((x, i) => x !== js[i]).length;
    const mixed = py.includes('0') && py.includes('1');
    if (py.length !== OPS || differ > 0 || !mixed) {
      failed++;
      console.log(`FAIL ${what}: ${differ} of ${OPS} answers differ between Python and JS after the load (${py.length} from Python)`);
    } else console.log(`ok   ${what}: Python and JS agree on all ${OPS} answers after loading it`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`adaptive load: ${2 - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
