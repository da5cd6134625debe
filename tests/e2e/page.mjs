// The browser half of the end-to-end test: headless Chromium loads this page, which
// fetches the case (Django's snapshot, key, lookups, injected time) and answers.
import * as lib from 'polycache';
import { serveDjango } from '/tests/e2e/serve.mjs';

try {
  const c = await fetch('/case.json').then((r) => r.json());
  window.__e2e = serveDjango(lib, c);
} catch (e) {
  window.__e2e = { error: `page: ${e && e.stack ? e.stack : e}` };
}
