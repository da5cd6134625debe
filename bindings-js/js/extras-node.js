// Node: the Cache's extras (extras.js) come from dist/polycache_extras.cjs on first use,
// as LRUCache's code does (lru-node.js, whose comments say why). The bundle holds only
// extras.js and the files it alone uses; the modules it shares with the rest of the
// package are handed to it from here, by file name (build.mjs builds it against these).
import * as codec from './codec.js';
import { extrasFrom } from './cache-extras.js';
import * as lifetimes from './cache-lifetimes.js';
import * as errors from './errors.js';
import * as fetchOptions from './fetch-options.js';
import * as options from './options.js';
import * as text from './text.js';
import * as values from './values.js';

/** The modules the extras bundle imports from the rest, by file name. */
export const EXTRAS_SHARED = {
  'cache-lifetimes.js': lifetimes,
  'codec.js': codec,
  'errors.js': errors,
  'fetch-options.js': fetchOptions,
  'options.js': options,
  'text.js': text,
  'values.js': values,
};

/** `requireBundle()` returns dist/polycache_extras.cjs's export. */
export function extrasFromBundle(requireBundle) {
  extrasFrom(() => requireBundle()(EXTRAS_SHARED));
}
