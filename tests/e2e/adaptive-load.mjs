// One snapshot, loaded by an adaptive cache in Python and in JS, then the same reads and
// writes in both: every answer must agree, and so must the counters (the policy is one
// set of rules in the core, and a load is one procedure: Python's `load_in`, which the JS
// load follows). Both directions (a snapshot Python wrote, one JS wrote), and three
// shapes: a snapshot that fits into a fresh cache, one of 120 entries loaded into a
// cache of 50 that has served reads and writes before (the load keeps the policy's
// history, and the entries it cannot hold go as they come), and one of 40 into such a
// cache. Session 24 found the JS load
// taught the policy its slots' numbers instead of its keys (450 of the first shape's
// 5,000 answers differed, either direction), then, once keys were learnt, that it wrote
// every entry of an oversized snapshot into a fresh store where Python keeps its history
// and writes only what fits (412 of 5,000 differed in a run like the second shape's),
// and counted the load's writes differently.
//
//   PYTHON=.venv311/bin/python node tests/e2e/adaptive-load.mjs   (make test-e2e runs it)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cache } from 'polycache';
import { skewedReads } from '../js/model.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const PYTHON = process.env.PYTHON || join(root, '.venv311/bin/python');
const OPS = 5000;

// The reads and writes after the load: tests/js/model.mjs `skewedReads`, and the same
// in Python below (its generator, its keys, a write for each miss).
const workload = (cache, seed, ops = OPS) => skewedReads(cache, seed, ops);

const PY = `
import json, sys, polycache
def workload(c, seed, ops=${OPS}):
    s = seed
    def r():
        nonlocal s
        s = (s * 1664525 + 1013904223) & 0xffffffff
        return s / 2**32
    hits = []
    for i in range(ops):
        a = r()  # (JS's r() * r(): the left one first)
        key = "k%d" % int(a * r() * 200)
        hit = c.get(key) is not None
        hits.append("1" if hit else "0")
        if not hit:
            c.set(key, i)
    return "".join(hits)
mode, path, written, held, before = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if mode == "write":
    w = polycache.Cache(max_entries=written, eviction="adaptive")
    for i in range(written + 20):
        w.set("k%d" % i if i % 3 else "other%d" % i, i)
    open(path, "wb").write(w.dump())
c = polycache.Cache(max_entries=held, eviction="adaptive")
workload(c, 5, before)
c.load(open(path, "rb").read(), allow_unsigned=True)
answers = workload(c, 11)
st = c.stats()
print(json.dumps({"answers": answers, "stats": [st[k] for k in ("hits", "misses", "sets", "deletes", "evictions", "entries")]}))
`;

function python(mode, path, shape) {
  const r = spawnSync(PYTHON, ['-c', PY, mode, path, String(shape.written), String(shape.held), String(shape.before)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python ${mode}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function js(path, shape) {
  const c = new Cache({ max: shape.held, eviction: 'adaptive' });
  workload(c, 5, shape.before);
  c.loadSnapshot(new Uint8Array(readFileSync(path)), { allowUnsigned: true });
  const answers = workload(c, 11);
  const st = c.stats();
  return { answers, stats: [st.hits, st.misses, st.sets, st.deletes, st.evictions, st.entries] };
}

const SHAPES = [
  { what: 'a snapshot that fits, into a fresh cache', written: 50, held: 50, before: 0 },
  { what: 'a snapshot of 120 entries, into a cache of 50 that served 3,000 operations', written: 120, held: 50, before: 3000 },
  // (JS takes a snapshot that fits in one call of its store: persist.js `loadAll`.)
  { what: 'a snapshot of 40 entries, into a cache of 50 that served 3,000 operations', written: 40, held: 50, before: 3000 },
];
const dir = mkdtempSync(join(tmpdir(), 'polycache-adaptive-load-'));
let passed = 0;
let failed = 0;
try {
  for (const shape of SHAPES) {
    const fromPython = join(dir, 'python.snap');
    const py1 = python('write', fromPython, shape);
    const fromJs = join(dir, 'js.snap');
    const w = new Cache({ max: shape.written, eviction: 'adaptive' });
    for (let i = 0; i < shape.written + 20; i++) w.set(i % 3 ? `k${i}` : `other${i}`, i);
    writeFileSync(fromJs, w.snapshot());
    for (const [who, py, mine] of [
      ['Python wrote', py1, js(fromPython, shape)],
      ['JS wrote', python('read', fromJs, shape), js(fromJs, shape)],
    ]) {
      const differ = [...py.answers].filter((x, i) => x !== mine.answers[i]).length;
      const mixed = py.answers.includes('0') && py.answers.includes('1');
      const same = differ === 0 && py.answers.length === OPS && mixed && JSON.stringify(py.stats) === JSON.stringify(mine.stats);
      if (same) passed++;
      else failed++;
      console.log(
        `${same ? 'ok  ' : 'FAIL'} ${shape.what}, ${who} it: ${differ} of ${OPS} answers differ; ` +
          `counters [hits, misses, sets, deletes, evictions, entries] Python ${JSON.stringify(py.stats)}, JS ${JSON.stringify(mine.stats)}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(`adaptive load: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
