// Node, ESM: the package imported by its own name, through the exports map.
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as lib from 'polycache';
import { cases, parseVectors } from './suite.mjs';

const read = (name) => readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8');
const vectors = parseVectors({ keys: read('keys'), timeouts: read('timeouts'), eviction: read('eviction'), adaptive: read('adaptive') });

for (const [name, fn] of cases(lib, vectors)) test(`esm: ${name}`, fn);
