// Node's random source for the hasher seeds (options.js): 32 bytes of /dev/urandom, the
// kernel's generator, through the fs module the entry point has loaded already. Where
// there is none (Windows), it throws and crypto.getRandomValues is used.
import { closeSync, openSync, readSync } from 'node:fs';

export function urandom(out) {
  const fd = openSync('/dev/urandom', 'r');
  try {
    if (readSync(fd, out) !== out.byteLength) throw new Error('short read from /dev/urandom');
  } finally {
    closeSync(fd);
  }
}
