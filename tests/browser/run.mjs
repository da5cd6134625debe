// Serves the repository on 127.0.0.1 and runs the shared suite in headless Chromium
// (Debian's /usr/bin/chromium, driven by playwright-core).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { launchChromium } from './launch.mjs';
import { entryFor, report, root } from '../edge/exports.mjs';

const types = { '.js': 'text/javascript', '.mjs': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm', '.html': 'text/html' };
const page = `<!doctype html><meta charset="utf-8"><title>polycache</title>
<script type="importmap">${JSON.stringify({ imports: { polycache: `/${entryFor('browser')}` } })}</script>
<script type="module" src="/tests/browser/page.mjs"></script>`;

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    return;
  }
  if (path === '/favicon.ico') {
    res.writeHead(204).end();
    return;
  }
  try {
    const body = await readFile(join(root, path));
    res.writeHead(200, { 'content-type': types[extname(path)] || 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await launchChromium();
let passed = false;
try {
  const tab = await browser.newPage();
  const errors = [];
  tab.on('pageerror', (e) => errors.push(String(e)));
  tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await tab.goto(url);
  await tab.waitForFunction(() => window.__polycache !== undefined, null, { timeout: 60_000 });
  const result = await tab.evaluate(() => window.__polycache);
  result.failures.push(...errors.map((e) => `page error: ${e}`));
  result.failed = result.failures.length;
  passed = report('chromium', result);
} finally {
  await browser.close();
  server.close();
}
process.exit(passed ? 0 : 1);
