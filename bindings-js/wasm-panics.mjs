// Build step (build.mjs): panics go straight to a trap, and the formatting they carried
// goes with them. Run on wasm-bindgen's output (which keeps the function names), before
// wasm-opt, which then drops what nothing reaches any more.
//
// Why: every bounds check, `expect` and overflow check calls core's `panic_fmt`, whose
// handler in std formats the message for the panic hook. On wasm32-unknown-unknown the
// hook writes to a stderr that discards everything and the panic then aborts with an
// `unreachable` trap, so the message is never seen; but std keeps the formatter (about
// 5 KB of the store module) reachable, and on stable Rust std cannot be built without it
// (`panic_immediate_abort` needs nightly's build-std). Here the handler's body becomes
// that trap: a panic ends exactly as it did, minus the formatting nobody could read.
//
// The formatter stays alive through the function table (trait objects: `Display`,
// `fmt::Write`, the panic payloads), which wasm-opt keeps whole. So the table is pruned
// too: an entry can only run through a `call_indirect` of its own signature (any other
// traps), so an entry whose signature no reachable code calls indirectly is never run.
// Its body becomes a trap and its position in the table stays.
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';

// std's panic handler (the `panic_impl` every core panic reaches), and what it alone
// reaches: the payloads only it builds (private types of std::panicking::panic_handler).
// And std's default out-of-memory hook, which formats "memory allocation of N bytes
// failed" for the same discarding stderr (or panics) before the same trap.
const HANDLER = /(^|::)rust_begin_unwind$/;
// (A method of a payload is named `<std::panicking::panic_handler::Type as Trait>::name`;
// Rust before 1.88 or so called the handler `begin_panic_handler`.)
const ALSO = /^<?std(\[[0-9a-f]+\])?::(panicking::(begin_)?panic_handler::|alloc::default_alloc_error_hook$)/;

// A `$name` in binaryen's text, quoted when it holds spaces or brackets.
const NAME = String.raw`\$(?:"(?:[^"\\]|\\.)*"|[^\s()]+)`;
const unquote = (n) => (n.startsWith('$"') ? JSON.parse(n.slice(1)) : n.slice(1));

/** A signature as text, `i32 i32 -> i32`, from a `(param ...) (result ...)` list. */
function signature(text) {
  const params = [];
  const results = [];
  for (const [, kind, body] of text.matchAll(/\((param|result)((?:\s+(?:\$\S+\s+)?[a-z0-9]+)+)\)/g)) {
    const types = body.trim().split(/\s+/).filter((t) => !t.startsWith('$'));
    (kind === 'param' ? params : results).push(...types);
  }
  return `${params.join(' ')} -> ${results.join(' ')}`;
}

/**
 * What the module's text (binaryen's) says about reachability: roots, calls, indirect
 * calls, the table's entries. `null` when a function of a funcref table can be reached
 * some other way (the table exported or imported, `table.get`, `call_ref`): then nothing
 * can be said about its entries.
 */
export function graph(wat) {
  const types = new Map();
  for (const [, name, sig] of wat.matchAll(new RegExp(String.raw`^ \(type (${NAME}) \(func((?:\s*\((?:param|result)[^()]*\))*)\)\)`, 'gm'))) {
    types.set(unquote(name), signature(sig));
  }
  const tables = [...wat.matchAll(new RegExp(String.raw`^ \((?:import "[^"]*" "[^"]*" \()?table (${NAME}) [^\n]*?(\w+)\)+$`, 'gm'))].map((m) => [unquote(m[1]), m[2]]);
  const funcrefs = new Set(tables.filter(([, t]) => t === 'funcref').map(([n]) => n));
  const escapes = [
    ...wat.matchAll(new RegExp(String.raw`\((?:table\.get|call_ref|return_call_ref)(?: (${NAME}))?|^ \((?:import [^\n]*\(table|export "[^"]*" \(table) (${NAME})`, 'gm')),
  ];
  if (escapes.some((m) => m[1] === undefined && m[2] === undefined ? true : funcrefs.has(unquote(m[1] ?? m[2])))) return null;
  const funcs = new Map();
  for (const chunk of wat.split(/\n(?= \(func )/).slice(1)) {
    const head = new RegExp(String.raw`^ \(func (${NAME})(.*)`).exec(chunk);
    const calls = [...chunk.matchAll(new RegExp(String.raw`\((?:return_)?call (${NAME})|\(ref\.func (${NAME})`, 'g'))].map((m) => unquote(m[1] ?? m[2]));
    const indirect = [...chunk.matchAll(new RegExp(String.raw`\((?:return_)?call_indirect (?:${NAME} )?\(type (${NAME})\)`, 'g'))].map((m) => types.get(unquote(m[1])));
    funcs.set(unquote(head[1]), { sig: signature(head[2]), calls, indirect });
  }
  const roots = [...wat.matchAll(new RegExp(String.raw`^ \((?:export "[^"]*" \(func|start) (${NAME})`, 'gm'))].map((m) => unquote(m[1]));
  // Active and passive segments (a passive one may be copied into the table); not
  // `declare`, which only allows `ref.func` (counted as a call above).
  const elems = [];
  for (const [, list] of wat.matchAll(new RegExp(String.raw`^ \(elem (?:${NAME} )?(?!declare)(?:\(table ${NAME}\) )?(?:\([^()]*\) )?(?:func )?([^\n]*)\)$`, 'gm'))) {
    elems.push(...[...list.matchAll(new RegExp(NAME, 'g'))].map((m) => unquote(m[0])));
  }
  if (types.size === 0 || funcs.size === 0 || roots.length === 0) throw new Error('wasm-panics.mjs: could not read the module text');
  return { funcs, roots, elems };
}

/** The table entries no reachable `call_indirect` can run (none when `graph` is null). */
export function deadEntries(graph) {
  if (graph === null) return new Set();
  const { funcs, roots, elems } = graph;
  const live = new Set();
  const liveSigs = new Set();
  const work = [...roots];
  const reach = (name) => {
    if (!live.has(name)) {
      live.add(name);
      work.push(name);
    }
  };
  while (work.length > 0) {
    const f = funcs.get(work.pop());
    if (f === undefined) continue; // an import
    f.calls.forEach(reach);
    for (const sig of f.indirect) {
      if (liveSigs.has(sig)) continue;
      liveSigs.add(sig);
      for (const e of elems) if (funcs.get(e)?.sig === sig) reach(e);
    }
  }
  return new Set(elems.filter((e) => !live.has(e) && funcs.has(e)));
}

/** What the modules use (Rust's wasm32 defaults), as wasm-opt's `--enable-*` names. */
export const WASM_FEATURES = ['bulk-memory', 'mutable-globals', 'nontrapping-float-to-int', 'sign-ext', 'reference-types', 'multivalue'];

// The same as binaryen.js features.
const FEATURES = {
  'bulk-memory': ['BulkMemory', 'BulkMemoryOpt'],
  'mutable-globals': ['MutableGlobals'],
  'nontrapping-float-to-int': ['NontrappingFPToInt'],
  'sign-ext': ['SignExt'],
  'reference-types': ['ReferenceTypes'],
  multivalue: ['Multivalue'],
};

/** The module in `file` as binaryen's, names kept, with the `features` it uses (WASM_FEATURES). */
export function readModule(file, features) {
  binaryen.setDebugInfo(true);
  const m = binaryen.readBinary(readFileSync(file));
  m.setFeatures(features.flatMap((f) => FEATURES[f]).reduce((all, f) => all | binaryen.Features[f], binaryen.Features.MVP));
  return m;
}

/**
 * Rewrites `file` in place; `features` are the module's (WASM_FEATURES). Returns
 * how many bodies became traps. Stops the build if std's handler is not found (a Rust
 * release that renamed it): the module would then keep its formatting, unnoticed.
 */
export function trapPanics(file, features) {
  const m = readModule(file, features);
  const trap = (f) => binaryen._BinaryenFunctionSetBody(f, m.unreachable());
  let handlers = 0;
  let stubbed = 0;
  for (let i = 0; i < m.getNumFunctions(); i++) {
    const f = m.getFunctionByIndex(i);
    const { name, module } = binaryen.getFunctionInfo(f);
    if (module !== '') continue; // an import
    if (HANDLER.test(name)) handlers++;
    if (HANDLER.test(name) || ALSO.test(name)) {
      trap(f);
      stubbed++;
    }
  }
  if (handlers !== 1) throw new Error(`wasm-panics.mjs: ${file} has ${handlers} functions named rust_begin_unwind, expected 1`);
  for (const name of deadEntries(graph(m.emitText()))) {
    trap(m.getFunction(name));
    stubbed++;
  }
  if (!m.validate()) throw new Error(`wasm-panics.mjs: ${file} does not validate after the rewrite`);
  writeFileSync(file, m.emitBinary());
  m.dispose();
  return stubbed;
}
