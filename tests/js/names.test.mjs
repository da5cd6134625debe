// Node's bundles (LRUCache's too) are minified without esbuild's --keep-names; what the
// package exports keeps its own name all the same (js/lib.js, lru-module.js), in ESM and CommonJS.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { inspect } from 'node:util';
import * as esm from 'polycache';

const cjs = createRequire(import.meta.url)('polycache');

test('every export of the package has its own name, and a cache prints as one', () => {
  for (const [kind, lib] of [['ESM', esm], ['CommonJS', cjs]]) {
    const names = Object.keys(lib).filter((k) => k !== 'default');
    assert.ok(names.length >= 16, `${kind}: ${names.length} exports`);
    for (const name of names) assert.equal(lib[name].name, name, `${kind}: ${name}.name`);
    assert.match(inspect(new lib.Cache({ max: 1 })), /^Cache /, `${kind}: a Cache prints as one`);
    assert.match(inspect(lib.Cache), /\[class Cache/, `${kind}: the class prints as Cache`);
    // LRUCache's bundle (dist/polycache_lru.cjs) is minified without keepNames too.
    const lru = new lib.LRUCache({ max: 1 });
    assert.equal(lru.constructor.name, 'LRUCache', `${kind}: an LRUCache's constructor.name`);
    assert.match(inspect(lru), /^LRUCache /, `${kind}: an LRUCache prints as one`);
    assert.equal(Object.prototype.toString.call(lru), '[object LRUCache]');
  }
});
