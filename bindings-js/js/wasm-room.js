// Room in a wasm module's memory from the start, for the entry points that read a
// module's bytes (Node, Deno, browsers): a memory that never grows never detaches an ArrayBuffer,
// and the first detached in a process makes every typed-array access in it check for
// detachment from then on (bindings-js/wasm-memory.mjs says why it matters; the build
// pads the number this rewrites to five bytes). Pages not yet used cost no RAM.

/** The store modules' start (16 MiB: ~25 caches of 10,000 entries), and the codec's (4 MiB). */
export const STORE_PAGES = 256;
export const CODEC_PAGES = 64;

/**
 * `bytes` (a module as built: its memory's initial pages in five bytes), its memory to
 * start with `pages` pages.
 */
export function roomy(bytes, pages) {
  for (let at = 8, id = 0, size = 0; id !== 5 && at < bytes.length; at += size) {
    id = bytes[at++];
    size = 0;
    for (let shift = 0, b = 128; b > 127; shift += 7) size += ((b = bytes[at++]) & 127) << shift;
    // One memory, no maximum (wasm-memory.mjs checks), then the five bytes.
    if (id === 5 && size === 7) for (let i = 2; i < 7; i++, pages >>>= 7) bytes[at + i] = (pages & 127) | (i < 6 ? 128 : 0);
  }
  return bytes;
}
