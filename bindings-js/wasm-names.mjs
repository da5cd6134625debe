// Build step (build.mjs): short names for what a wasm module and its wasm-bindgen glue
// call each other by. wasm-bindgen names the exports after the Rust items
// (`slotstore_generation_values_exact`) and the imports after their JS shims with a hash
// (`__wbg___wbindgen_string_get_7ce8eee7fd327545`, in module `./polycache_wasm_bg.js`);
// each name is written once in the module and at least once in the glue, and no one else
// reads them: the glue is the module's only caller and its only importer. Renamed to
// `a`, `b`, ... in both (the imports' module to `w`), they cost a few bytes each. An
// export the glue never reads (wasm-bindgen's `__abort_handler` and
// `__instance_terminated` globals) is dropped: nothing else can reach it. `memory` keeps
// its name: `initSync` hands the exports back, and their `memory` is what a caller reads
// there (the tests of running out of wasm memory do).
//
// The glue is wasm-bindgen's own output, before esbuild minifies it: there the exports
// are read as `wasm.NAME` and the imports are the keys of `__wbg_get_imports`'s object.
// The step stops the build if a name it renames is left anywhere in the glue, or is not
// found there, rather than ship a module and a glue that disagree.
import { readFileSync, writeFileSync } from 'node:fs';
import { leb, readLeb, sections } from './wasm-features.mjs';

/** `a`, `b`, ... `z`, `A` ... `Z`, `aa`, `ab`, ...: the i-th short name. */
function short(i) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let s = '';
  do {
    s = letters[i % letters.length] + s;
    i = Math.floor(i / letters.length) - 1;
  } while (i >= 0);
  return s;
}

const vec = (s) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];

/** Reads a name at `at`: [name, next]. */
function readName(buf, at) {
  const [len, p] = readLeb(buf, at);
  return [buf.toString('utf8', p, p + len), p + len];
}

/** Where an import's descriptor (kind and type) at `at` ends. */
function skipImportDesc(buf, at) {
  const kind = buf[at++];
  if (kind === 0) return readLeb(buf, at)[1]; // function: type index
  if (kind === 3) return at + 2; // global: value type, mutability
  if (kind === 1) at++; // table: reference type, then limits
  if (kind !== 1 && kind !== 2) throw new Error(`wasm-names.mjs: import of unknown kind ${kind}`);
  const flags = buf[at++];
  at = readLeb(buf, at)[1];
  return flags & 1 ? readLeb(buf, at)[1] : at;
}

/**
 * Renames the imports and exports of the module `wasmFile` and their uses in the glue
 * `glueFile`, both in place; returns how many of each, and the exports dropped.
 */
export function shortNames(wasmFile, glueFile) {
  const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const wasm = readFileSync(wasmFile);
  let glue = readFileSync(glueFile, 'utf8');
  const imports = new Map();
  const exports = new Map();
  const dropped = [];
  const reads = (name) => new RegExp(`\\bwasm\\.${escape(name)}\\b`).test(glue);
  let importModule = null;
  const parts = [wasm.subarray(0, 8)];
  for (const { id, start, at, end } of sections(wasm)) {
    let section = wasm.subarray(start, end);
    if (id === 2 || id === 7) {
      let [count, p] = readLeb(wasm, at);
      const body = [...leb(count)];
      for (let i = 0; i < count; i++) {
        if (id === 2) {
          let module;
          let name;
          [module, p] = readName(wasm, p);
          [name, p] = readName(wasm, p);
          if (importModule !== null && module !== importModule) throw new Error(`wasm-names.mjs: imports from ${importModule} and ${module}`);
          importModule = module;
          const descAt = p;
          p = skipImportDesc(wasm, p);
          imports.set(name, short(i));
          body.push(...vec('w'), ...vec(short(i)), ...wasm.subarray(descAt, p));
        } else {
          let name;
          [name, p] = readName(wasm, p);
          const kind = wasm[p++];
          const indexAt = p;
          p = readLeb(wasm, p)[1];
          if (name !== 'memory' && !reads(name)) {
            dropped.push(name);
            continue;
          }
          const to = name === 'memory' ? name : short(exports.size);
          exports.set(name, to);
          body.push(...vec(to), kind, ...wasm.subarray(indexAt, p));
        }
      }
      if (id === 7) body.splice(0, leb(count).length, ...leb(exports.size));
      section = Buffer.from([id, ...leb(body.length), ...body]);
    }
    parts.push(section);
  }
  const replace = (pattern, to, what) => {
    const before = glue;
    glue = glue.replace(pattern, to);
    if (glue === before) throw new Error(`wasm-names.mjs: ${glueFile} does not use ${what}`);
  };
  exports.delete('memory');
  for (const [name, to] of exports) replace(new RegExp(`\\bwasm\\.${escape(name)}\\b`, 'g'), `wasm.${to}`, `export ${name}`);
  // The import object's keys: `NAME: function(` (wasm-bindgen's layout).
  for (const [name, to] of imports) replace(new RegExp(`^(\\s*)${escape(name)}(: function\\()`, 'm'), `$1${to}$2`, `import ${name}`);
  if (importModule !== null) replace(JSON.stringify(importModule), '"w"', `import module ${importModule}`);
  // Nothing may still read a name that is gone (comments and the glue's own function
  // names, `wasm_memory` say, aside).
  const code = glue
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/^\s*\/\/.*$/gm, '')
    .replace(/function [\w$]+\(/g, '');
  for (const name of [...exports.keys(), ...imports.keys()]) {
    if (name.length > 2 && new RegExp(`\\b${escape(name)}\\b`).test(code)) {
      throw new Error(`wasm-names.mjs: ${glueFile} still reads ${name}`);
    }
  }
  writeFileSync(wasmFile, Buffer.concat(parts));
  writeFileSync(glueFile, glue);
  return { imports: imports.size, exports: exports.size, dropped };
}
