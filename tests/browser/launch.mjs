// Starts Debian's headless Chromium for the browser and e2e suites. Chromium on these
// machines sometimes dies at start-up (SIGSEGV before the first page, seen once in a
// fresh clone's `make test`, not again in three reruns): that is the browser failing to
// start, not polycache failing a check, so a launch is tried up to three times. A
// failure once a page is open is never retried.
import { chromium } from 'playwright-core';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launchChromium(tries = 3) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
    } catch (e) {
      if (attempt >= tries) throw e;
      console.error(`chromium did not start (attempt ${attempt} of ${tries}): ${String(e.message).split('\n')[0]}`);
    }
  }
}
