// Runs every ```js block of bindings-js/README.md against the package; a line ending in
// `// → value` must evaluate to that value.
import { deepStrictEqual } from 'node:assert';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as lib from 'polycache';

const readme = readFileSync(new URL('../../bindings-js/README.md', import.meta.url), 'utf8');
const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);

test('the README has examples', () => {
  deepStrictEqual(blocks.length > 0, true);
});

for (const [i, block] of blocks.entries()) {
  test(`README example ${i + 1}`, () => {
    let checks = 0;
    const body = block
      .split('\n')
      .map((line) => {
        const imp = /^import \{([^}]*)\} from 'polycache';/.exec(line);
        if (imp) return `const {${imp[1]}} = lib;`;
        const check = /^(.*?);\s*\/\/ → (.*)$/.exec(line);
        if (!check) return line;
        checks++;
        return `check(${JSON.stringify(line)}, (${check[1]}), (${check[2]}));`;
      })
      .join('\n');
    const check = (line, actual, expected) => deepStrictEqual(actual, expected, line);
    new Function('lib', 'check', body)(lib, check);
    deepStrictEqual(checks > 0, true, 'each example checks something');
  });
}
