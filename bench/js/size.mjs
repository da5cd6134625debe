// Package size: what `npm install` puts on disk, and what `import` in Node actually
// loads (the entry module, the modules it imports, the wasm it reads), raw and gzip -9;
// apart, what an implementation reads only on first use of a feature (`firstUse`).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { IMPLS, polycacheEntry } from './impls.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const gz = (buf) => gzipSync(buf, { level: 9 }).length;

function measure(files, base) {
  let raw = 0;
  let gzip = 0;
  const list = [];
  for (const f of files) {
    const buf = readFileSync(f);
    raw += buf.length;
    gzip += gz(buf);
    list.push(relative(base, f));
  }
  return { files: list.length, raw, gzip, list };
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// The modules an entry loads: relative `import`/`export ... from`/`require()` specifiers
// and `new URL('...', import.meta.url)` assets (the wasm), followed transitively.
function loadedFiles(entry) {
  const seen = new Set();
  const todo = [entry];
  const spec = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*|new URL\(\s*)(['"])([^'"]+)\1/g;
  while (todo.length > 0) {
    const f = todo.pop();
    if (seen.has(f)) continue;
    seen.add(f);
    if (!/\.(m|c)?js$/.test(f)) continue;
    const src = readFileSync(f, 'utf8');
    for (const m of src.matchAll(spec)) {
      const s = m[2];
      if (s.startsWith('node:')) continue;
      if (s.startsWith('./') || s.startsWith('../')) {
        let target = resolve(dirname(f), s);
        if (!existsSync(target) && existsSync(`${target}.js`)) target = `${target}.js`;
        if (existsSync(target) && statSync(target).isFile()) todo.push(target);
      } else {
        // A dependency (mnemonist requires obliterator): where Node finds it from this file.
        try {
          todo.push(createRequire(f).resolve(s));
        } catch {
          // a builtin without the node: prefix, or not a module specifier at all
        }
      }
    }
  }
  return [...seen].sort();
}

// A package's own files and those of the packages it depends on, as npm installs them.
function installedFiles(dir, seen = new Set()) {
  if (seen.has(dir)) return [];
  seen.add(dir);
  const files = walk(dir).filter((f) => !relative(dir, f).startsWith('node_modules'));
  const deps = Object.keys(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies ?? {});
  for (const d of deps) files.push(...installedFiles(join(here, 'node_modules', d), seen));
  return files;
}

function polycacheInstalled() {
  // The files `npm pack` puts in the tarball are the files `npm install` writes.
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const [pack] = JSON.parse(out);
  return pack.files.map((f) => join(root, f.path));
}

export function sizes() {
  const result = {};
  for (const [name, impl] of Object.entries(IMPLS)) {
    if (impl.samePackageAs !== undefined) continue;
    let pkgDir;
    let installed;
    let entry;
    if (name === 'polycache') {
      pkgDir = root;
      installed = polycacheInstalled();
      entry = fileURLToPath(polycacheEntry());
    } else {
      const pkgName = impl.specifier().startsWith('@') ? impl.specifier().split('/').slice(0, 2).join('/') : impl.specifier().split('/')[0];
      pkgDir = join(here, 'node_modules', pkgName);
      installed = installedFiles(pkgDir);
      // The file Node loads for the specifier (import condition, or require for CJS-only subpaths).
      entry = impl.require
        ? createRequire(import.meta.url).resolve(impl.specifier())
        : fileURLToPath(import.meta.resolve(impl.specifier()));
    }
    const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
    const later = (impl.firstUse ?? []).map((f) => join(pkgDir, f));
    const inst = measure(installed, pkgDir);
    const load = measure(
      loadedFiles(entry).filter((f) => !later.includes(f)),
      pkgDir,
    );
    result[name] = {
      version,
      installed: { files: inst.files, raw: inst.raw, gzip: inst.gzip },
      loaded: { files: load.list, raw: load.raw, gzip: load.gzip },
    };
    if (later.length > 0) {
      const first = measure(later, pkgDir);
      result[name].firstUse = { files: first.list, raw: first.raw, gzip: first.gzip };
    }
  }
  return result;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(JSON.stringify(sizes(), null, 2));
