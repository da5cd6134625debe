// Node's random source for the hasher seeds (options.js): 32 bytes of /dev/urandom, the
// kernel's generator, through the fs module the entry point holds already (`fs`: the
// ES entries' node-builtins.js, the CommonJS entry's own). Where there is none (Windows),
// it throws and crypto.getRandomValues is used.
export function urandomWith({ closeSync, openSync, readSync }) {
  return (out) => {
    const fd = openSync('/dev/urandom', 'r');
    try {
      if (readSync(fd, out) !== out.byteLength) throw new Error('short read from /dev/urandom');
    } finally {
      closeSync(fd);
    }
  };
}
