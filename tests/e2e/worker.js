// The edge half of the end-to-end test: a Cloudflare worker (run by workerd) that imports
// polycache as Workers do and, on request, loads the snapshot Django dumped (a `json`
// binding CASE carries it, with the key, the lookups and the injected time) and answers.
import * as lib from 'polycache';
import { serveDjango } from './tests/e2e/serve.mjs';

export default {
  async fetch(request, env) {
    try {
      return Response.json(serveDjango(lib, env.CASE));
    } catch (e) {
      return new Response(`worker: ${e && e.stack ? e.stack : e}`, { status: 500 });
    }
  },
};
