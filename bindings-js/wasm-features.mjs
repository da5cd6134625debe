// Build step (build.mjs): drops a feature from a wasm module's `target_features` custom
// section, the section wasm-bindgen reads to choose its ABI.
//
// Why: Rust's wasm32 std is built with `multivalue`, so every module lists it, and
// wasm-bindgen then returns strings, vectors and Results as several values. V8 before 12
// has no generic JS-to-wasm wrapper for several return values: it compiles one wrapper
// per such signature with TurboFan while compiling the module, on every import (half of
// the store module's compile, docs/js-size-and-speed.md). Without the feature listed,
// wasm-bindgen returns them through memory, and V8's generic wrapper serves every export.
import { readFileSync, writeFileSync } from 'node:fs';

/** The unsigned LEB128 number at `at` in `buf`, and where the next field starts. */
export function readLeb(buf, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

/** `n` as unsigned LEB128 bytes. */
export function leb(n) {
  const out = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

const utf8 = (s) => [...Buffer.from(s, 'utf8')];

/** A module's sections in order, each `{ id, start, at, end }` (`at`: where its body starts). */
export function* sections(wasm) {
  for (let at = 8; at < wasm.length; ) {
    const start = at;
    const id = wasm[at++];
    let size;
    [size, at] = readLeb(wasm, at);
    yield { id, start, at, end: at + size };
    at += size;
  }
}

/** Rewrites `file` without `feature` in its target_features section; whether it was there. */
export function dropTargetFeature(file, feature) {
  const wasm = readFileSync(file);
  const parts = [wasm.subarray(0, 8)]; // magic and version
  let dropped = false;
  for (const { id, start, at, end } of sections(wasm)) {
    let section = wasm.subarray(start, end);
    if (id === 0) {
      const [nameLen, nameAt] = readLeb(wasm, at);
      const name = wasm.toString('utf8', nameAt, nameAt + nameLen);
      if (name === 'target_features') {
        let [count, p] = readLeb(wasm, nameAt + nameLen);
        const kept = [];
        for (; count > 0; count--) {
          const prefix = wasm[p++];
          let len;
          [len, p] = readLeb(wasm, p);
          const f = wasm.toString('utf8', p, p + len);
          p += len;
          if (f === feature) dropped = true;
          else kept.push([prefix, ...leb(len), ...utf8(f)]);
        }
        const body = [...leb(nameLen), ...utf8(name), ...leb(kept.length), ...kept.flat()];
        section = Buffer.from([0, ...leb(body.length), ...body]);
      }
    }
    parts.push(section);
  }
  writeFileSync(file, Buffer.concat(parts));
  return dropped;
}
