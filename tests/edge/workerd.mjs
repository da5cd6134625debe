// Runs the shared suite inside Cloudflare's runtime (the `workerd` npm package), the
// package imported as a Worker bundles it, and prints the worker's report; then the
// checks of workerd's entry in parts (workerd-split.mjs).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report } from './exports.mjs';
import { serveWorker } from './serve-worker.mjs';
import { runSplit } from './workerd-split.mjs';

const dir = mkdtempSync(join(tmpdir(), 'polycache-workerd-'));
let passed = false;
try {
  const { status, text } = await serveWorker({
    dir,
    worker: 'tests/edge/worker.js',
    esModules: ['suite', 'api', 'bounds', 'errors', 'snapshots', 'vectors', 'assert', 'lru-cases'].map((f) => `tests/js/${f}.mjs`),
    textModules: ['keys', 'timeouts', 'eviction'].map((f) => `tests/vectors/${f}.json`),
  });
  let result;
  try {
    result = JSON.parse(text);
  } catch {
    throw new Error(`worker answered ${status}: ${text.slice(0, 2000)}`);
  }
  const split = runSplit();
  result.passed += split.passed;
  result.failed += split.failed;
  result.failures.push(...split.failures);
  passed = report('workerd', result);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(passed ? 0 : 1);
