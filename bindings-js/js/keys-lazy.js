// The key functions the package exports. Their code (keys.js) comes with the Cache's
// extras (cache-extras.js), loaded on first use: every one of them calls the snapshot
// and key module, which is itself loaded then, so an import that never builds a key
// reads neither. Node's entries read it from dist/polycache_extras.cjs.
import { extras } from './cache-extras.js';

export const buildKey = (...args) => extras().buildKey(...args);
export const keyWarnings = (...args) => extras().keyWarnings(...args);
export const makeKey = (...args) => extras().makeKey(...args);
export const namespacedKey = (...args) => extras().namespacedKey(...args);
export const shortenKey = (...args) => extras().shortenKey(...args);
