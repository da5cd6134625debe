// Code wasm-bindgen writes into each glue file that no entry point of ours can run, cut
// before the glue is minified (build.mjs): every import reads the store module's glue,
// and these are ~190 bytes of its gzip. Each cut names the text it expects, exactly as
// the pinned wasm-bindgen writes it (or a pattern for code it writes per class); a glue
// file that has the cut's anchor but not that text fails the build (a new wasm-bindgen:
// look again), one without the anchor is left.
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
  {
    why: 'no code of ours disposes of a store with `using` (a cache frees its own: free())',
    anchor: 'if (Symbol.dispose) ',
    pattern: /^if \(Symbol\.dispose\) (\w+)\.prototype\[Symbol\.dispose\] = \1\.prototype\.free;\n/gm,
  },
  {
    why: 'the one store argument (carry_counters) is always a store of ours',
    anchor: 'function _assertClass(instance, klass) {',
    pattern: /^ +_assertClass\(\w+, \w+\);\n|^function _assertClass\(instance, klass\) \{\n {4}if \(!\(instance instanceof klass\)\) \{\n {8}throw new Error\(`expected instance of \$\{klass\.name\}`\);\n {4}\}\n\}\n/gm,
    matches: 2,
  },
];

/** Cuts the dead code out of the glue `file`; how many bytes went. */
export function trimGlue(file) {
  let glue = readFileSync(file, 'utf8');
  const before = glue.length;
  for (const cut of CUTS) {
    if (!glue.includes(cut.anchor)) continue;
    if (cut.pattern) {
      // Every match goes; at least `matches` (1) of them, else wasm-bindgen wrote it otherwise.
      const found = glue.match(cut.pattern)?.length ?? 0;
      if (found < (cut.matches ?? 1)) throw new Error(`${file}: expected wasm-bindgen's code for "${cut.anchor}" (${cut.why}), found ${found} piece(s)`);
      glue = glue.replace(cut.pattern, '');
      continue;
    }
    const parts = glue.split(cut.text);
    if (parts.length !== 2) {
      throw new Error(`${file}: expected wasm-bindgen's text once after "${cut.anchor}", found it ${parts.length - 1} times (${cut.why})`);
    }
    glue = parts.join(cut.with);
  }
  writeFileSync(file, glue);
  return before - glue.length;
}
