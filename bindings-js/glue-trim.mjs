// Code wasm-bindgen writes into each glue file that no entry point of ours can run, cut
// before the glue is minified (build.mjs): every import reads the store module's glue,
// and these are ~130 bytes of its gzip. Each cut names the text it expects, exactly as
// the pinned wasm-bindgen writes it; a glue file that has the cut's anchor but not that
// text fails the build (a new wasm-bindgen: look again), one without the anchor is left.
import { readFileSync, writeFileSync } from 'node:fs';

const CUTS = [
  {
    why: 'strings go in with realloc on every call: the glue passes both',
    anchor: 'function passStringToWasm0(arg, malloc, realloc) {',
    text: `    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }

`,
    with: '',
  },
  {
    why: 'every runtime the package supports has TextEncoder.encodeInto',
    anchor: "if (!('encodeInto' in cachedTextEncoder)) {",
    text: `if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}
`,
    with: '',
  },
  {
    why: 'every initSync of ours passes { module } (bindings-js/js/*.js)',
    anchor: 'function initSync(module) {',
    text: `    if (module !== undefined) {
        if (Object.getPrototypeOf(module) === Object.prototype) {
            ({module} = module)
        } else {
            console.warn('using deprecated parameters for \`initSync()\`; pass a single object instead')
        }
    }
`,
    with: '    ({module} = module);\n',
  },
];

/** Cuts the dead code out of the glue `file`; how many bytes went. */
export function trimGlue(file) {
  let glue = readFileSync(file, 'utf8');
  const before = glue.length;
  for (const cut of CUTS) {
    if (!glue.includes(cut.anchor)) continue;
    const parts = glue.split(cut.text);
    if (parts.length !== 2) {
      throw new Error(`${file}: expected wasm-bindgen's text once after "${cut.anchor}", found it ${parts.length - 1} times (${cut.why})`);
    }
    glue = parts.join(cut.with);
  }
  writeFileSync(file, glue);
  return before - glue.length;
}
