// End to end, one cache across languages and runtimes:
//
//   1. a real Django process (tests/e2e/djangoapp, `manage.py warm`, PolyCache with an
//      injected clock) warms its cache and dumps it signed with the application's key;
//   2. Node, a worker in workerd and a page in headless Chromium load that snapshot and
//      answer the same lookups (store keys built with polycache's JS key functions) with
//      the same values and remaining TTLs Django gives at the same instant; the pickle
//      stays an OpaqueValue; wrongly signed and unsigned snapshots are refused;
//   3. back: Node warms a cache on top of Django's snapshot, dumps it signed, and Django
//      (`manage.py serve`) loads it and answers as JS did: the pickle that crossed JS
//      opaque unpickles again; JS's wrongly signed and unsigned dumps are refused.
//
// `node tests/e2e/run.mjs` checks (exit 1 on any mismatch); `--demo` also prints the round
// trip for a person to read. PYTHON names the interpreter with polycache and Django
// (default .venv311/bin/python, as `make python-env` builds it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { entryFor, root } from '../edge/exports.mjs';
import { serveWorker } from '../edge/serve-worker.mjs';
import { hex, serveDjango, warmJs } from './serve.mjs';

const demo = process.argv.includes('--demo');
const PYTHON = process.env.PYTHON || join(root, '.venv311/bin/python');
const KEY = 'e2e application key 🔑';
const T0_SECONDS = 1_700_000_000; // Django's clock at warm time
const ELAPSED = 10_000; // ms between Django's dump and the edge's reads
const BACK = 20_000; // ms between JS's dump and Django's reads
const dir = mkdtempSync(join(tmpdir(), 'polycache-e2e-'));
const djangoDir = join(root, 'tests/e2e/djangoapp');
const env = { ...process.env, E2E_NOW: String(T0_SECONDS), E2E_SNAPSHOT_KEY: KEY, PYTHONDONTWRITEBYTECODE: '1' };

let passed = 0;
const failures = [];
function check(ok, what) {
  if (ok) passed++;
  else failures.push(what);
  return ok;
}

function manage(...args) {
  const r = spawnSync(PYTHON, ['manage.py', ...args], { cwd: djangoDir, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`manage.py ${args[0]} failed (${r.status}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Python's description of a value and JS's mean the same value. */
function sameValue(py, js) {
  if (py.missing || js.missing) return py.missing === js.missing;
  if ('json' in py) return 'json' in js && isDeepStrictEqual(py.json, js.json);
  if ('bytes' in py) return py.bytes === js.bytes;
  if ('pickle' in py) return js.opaque === 1 && js.hex === py.pickle; // opaque in JS, never run
  return false;
}

function compare(runtime, want, got) {
  check(got.answers.length === want.length, `${runtime}: ${got.answers.length} answers for ${want.length} lookups`);
  want.forEach((w, i) => {
    const g = got.answers[i];
    const at = `${runtime}: "${w.name}"`;
    check(g.store_key === w.store_key, `${at}: store key ${JSON.stringify(g.store_key)}, Django's ${JSON.stringify(w.store_key)}`);
    check(sameValue(w.value, g.value), `${at}: value ${JSON.stringify(g.value)}, Django's ${JSON.stringify(w.value)}`);
    check(g.ttl_ms === w.ttl_ms, `${at}: ttl ${g.ttl_ms} ms, Django's ${w.ttl_ms} ms`);
  });
  for (const r of got.refusals) {
    check(r.refused && r.unchanged, `${runtime}: ${r.name} must be refused and change nothing: ${JSON.stringify(r)}`);
  }
  check(got.replaced, `${runtime}: a load replaces what the cache held`);
  if (got.vector) {
    for (const f of got.vector) check(false, `${runtime}: ${f}`);
    check(got.vector.length === 0, `${runtime}: tests/vectors/snapshot.json`);
  }
}

async function inWorkerd(c) {
  const wd = mkdtempSync(join(dir, 'workerd-'));
  writeFileSync(join(wd, 'case.json'), JSON.stringify(c));
  const { status, text } = await serveWorker({
    dir: wd,
    worker: 'tests/e2e/worker.js',
    esModules: ['tests/e2e/serve.mjs'],
    bindings: ['(name = "CASE", json = embed "case.json")'],
  });
  if (status !== 200) throw new Error(`worker answered ${status}: ${text.slice(0, 2000)}`);
  return JSON.parse(text);
}

async function inChromium(c) {
  const { launchChromium } = await import('../browser/launch.mjs');
  const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
  const page = `<!doctype html><meta charset="utf-8"><title>polycache e2e</title>
<script type="importmap">${JSON.stringify({ imports: { polycache: `/${entryFor('browser')}` } })}</script>
<script type="module" src="/tests/e2e/page.mjs"></script>`;
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (path === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    if (path === '/case.json') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(c));
    if (!/^\/(dist|bindings-js\/js|tests\/e2e)\//.test(path)) return res.writeHead(404).end();
    try {
      res.writeHead(200, { 'content-type': types[extname(path)] || 'application/octet-stream' }).end(readFileSync(join(root, path)));
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await launchChromium();

  try {
    const tab = await browser.newPage();
    const errors = [];
    tab.on('pageerror', (e) => errors.push(String(e)));
    await tab.goto(`http://127.0.0.1:${server.address().port}/`);
    await tab.waitForFunction(() => window.__e2e !== undefined, null, { timeout: 60_000 });
    const result = await tab.evaluate(() => window.__e2e);
    if (result.error || errors.length) throw new Error([result.error, ...errors].filter(Boolean).join('\n'));
    return result;
  } finally {
    await browser.close();
    server.close();
  }
}

// Values are shown whole (a cut JSON or repr reads as a wrong value); only long bytes are
// shortened, and say so.
const hexOf = (h) => (h.length <= 64 ? h : `${h.slice(0, 64)}… (${h.length / 2} bytes)`);
const show = (v) =>
  v.missing ? '(missing)' : 'json' in v ? JSON.stringify(v.json) : 'bytes' in v ? `bytes ${hexOf(v.bytes)}` : 'pickle' in v ? `pickle → ${v.repr}` : `OpaqueValue(codec ${v.opaque}, ${v.hex.length / 2} bytes)`;
const ttl = (ms) => (ms === null ? 'never' : ms === 0 ? '-' : `${ms / 1000} s`);

try {
  // 1. Django warms and dumps.
  const warmed = manage('warm', dir, '--elapsed', String(ELAPSED));
  const m = JSON.parse(readFileSync(join(dir, 'django.json'), 'utf8'));
  const snap = (name) => hex(readFileSync(join(dir, name)));
  const c = {
    django: snap('django.snap'),
    wrong: snap('django-wrong.snap'),
    unsigned: snap('django-unsigned.snap'),
    key: KEY,
    lookups: m.lookups,
    serve_at: m.serve_at,
    prefix: m.prefix,
    version: m.version,
    vector: JSON.parse(readFileSync(join(root, 'tests/vectors/snapshot.json'), 'utf8')),
  };
  check(m.answers.some((a) => 'pickle' in a.value) && m.answers.some((a) => 'bytes' in a.value) &&
    m.answers.some((a) => a.value.missing) && m.answers.some((a) => typeof a.ttl_ms === 'number' && a.ttl_ms > 0),
    'Django warmed JSON, bytes, a pickle, timed and missing keys');

  // 2. Node, workerd and Chromium load it.
  const lib = await import(join(root, entryFor('import')));
  const got = { node: serveDjango(lib, c), workerd: await inWorkerd(c), chromium: await inChromium(c) };
  for (const [runtime, result] of Object.entries(got)) compare(runtime, m.answers, result);

  // 3. Node warms on top of it and dumps; Django loads that and answers.
  const { snapshots, manifest } = warmJs(lib, c, { now: m.serve_at, serveAt: m.serve_at + BACK });
  for (const [name, bytes] of Object.entries(snapshots)) writeFileSync(join(dir, `${name}.snap`), bytes);
  writeFileSync(join(dir, 'js.json'), JSON.stringify(manifest));
  const back = JSON.parse(manage('serve', dir));
  // Django's answers must match JS's own: flip the roles for sameValue.
  const asPy = (v) => ('opaque' in v ? { pickle: v.hex } : v);
  const py = { answers: back.answers.map((a) => ({ ...a, value: 'pickle' in a.value ? { opaque: 1, hex: a.value.pickle } : a.value })), refusals: back.refusals, replaced: back.replaced };
  compare('django <- node', manifest.answers.map((a) => ({ ...a, value: asPy(a.value) })), py);
  check(back.loaded.verified === true && back.loaded.skipped_pickles === 0, `django verified JS's snapshot and unpickled its pickle: ${JSON.stringify(back.loaded)}`);
  const when = back.answers.find((a) => a.name.startsWith('Django pickle'));
  check(when && when.value.repr === 'datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)',
    `the pickle came back to Django as the object it was: ${JSON.stringify(when && when.value)}`);

  if (demo) {
    console.log(`\n${warmed.trim()} (clock at ${new Date(T0_SECONDS * 1000).toISOString()})`);
    console.log(`Django -> edge, ${ELAPSED / 1000} s after the dump (node, workerd and Chromium answer the same):`);
    m.answers.forEach((a, i) => {
      const j = got.workerd.answers[i];
      console.log(`  ${a.name.padEnd(36)} ttl: django ${ttl(a.ttl_ms).padEnd(8)} edge ${ttl(j.ttl_ms)}`);
      console.log(`      ${a.store_key} = ${show(j.value)}`);
    });
    for (const r of got.workerd.refusals) console.log(`  workerd refuses ${r.name}: ${r.error}`);
    console.log(`JS (Node) -> Django, ${BACK / 1000} s after JS's dump:`);
    back.answers.forEach((a, i) => {
      const j = manifest.answers[i];
      console.log(`  ${a.name.padEnd(44)} ttl: js ${ttl(j.ttl_ms).padEnd(8)} django ${ttl(a.ttl_ms)}`);
      console.log(`      ${a.store_key === undefined ? "" : `${a.store_key} = `}${show(a.value)}`);
    });
    for (const r of back.refusals) console.log(`  Django refuses ${r.name}: ${r.error}`);
  }
} catch (e) {
  failures.push(`e2e: ${e && e.stack ? e.stack : e}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
for (const f of failures) console.error(`FAIL ${f}`);
console.log(`e2e (Django -> Node, workerd, Chromium -> Django): ${passed} checks passed, ${failures.length} failed`);
process.exit(failures.length === 0 && passed > 0 ? 0 : 1);
