// workerd's key functions: each calls the snapshot and key module (keys.js); a Worker
// that imports none of them leaves their code and glue out of its bundle.
import { buildKeyParts, keyWarnings as keyWarningsGlue, makeKey as makeKeyGlue, namespacedKey as namespacedKeyGlue, shortenKey as shortenKeyGlue } from '../../dist/polycache_codec.js';
import * as keys from './keys.js';
import { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey } from './keys-lazy.js';
import { named } from './names.js';
import { setUp } from './workerd-setup.js';

setUp(
  { buildKeyParts, keyWarnings: keyWarningsGlue, makeKey: makeKeyGlue, namespacedKey: namespacedKeyGlue, shortenKey: shortenKeyGlue },
  keys,
);
named({ buildKey, keyWarnings, makeKey, namespacedKey, shortenKey });

export { buildKey, keyWarnings, makeKey, namespacedKey, shortenKey };
